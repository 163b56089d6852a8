"""The Topology admin, with import and export (here: they need Services and Ingresses both)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from kubenet_site.semantics.manifests import ManifestError
from services.models import Topology
from services.revisions import changes

from . import runs
from .models import CheckRun, CheckRunBlock, CheckRunStep
from .operations import ImportRefused, export_topology, import_manifests, save_topology, settings_document
from .steps import step_error


class ImportForm(forms.Form):
    manifests = forms.CharField(widget=forms.Textarea(attrs={"rows": 20, "cols": 100}), required=False,
                                help_text="Multi-document YAML, JSON, or a kind: List.")
    file = forms.FileField(required=False)

    def text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read().decode("utf-8", errors="replace")
        return self.cleaned_data.get("manifests") or ""


@admin.register(Topology)
class TopologyAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "revision", "domain", "service_cidr", "updated")
    list_filter = ("team",)
    search_fields = ("name", "description")
    readonly_fields = ("revision", "created", "updated")
    change_form_template = "admin/topology_change_form.html"
    actions = ["run_checks"]

    @admin.action(description="Run checks (every kind) on the selected topologies")
    def run_checks(self, request, queryset):
        for topology in queryset:
            try:
                run = runs.start_run(topology, user=request.user)
            except runs.BrokerUnavailable as exc:
                self.message_user(request, f"Cannot start checks on {topology}: {exc}", messages.ERROR)
                return
            self.message_user(request, f"Check run #{run.pk} of {topology} queued on revision {run.revision}.",
                              messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            with changes(obj, request.user) as cs:
                cs.record(f"Topology/{obj.name}", None, settings_document(obj))
            return
        save_topology(obj, user=request.user)

    def get_urls(self):
        own = [
            path("<int:pk>/import/", self.admin_site.admin_view(self.import_view), name="services_topology_import"),
            path("<int:pk>/export/", self.admin_site.admin_view(self.export_view), name="services_topology_export"),
        ]
        return own + super().get_urls()

    def import_view(self, request, pk: int):
        topology = get_object_or_404(Topology, pk=pk)
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                summary = import_manifests(topology, form.text(), user=request.user)
            except ManifestError as exc:
                errors = [f"{exc.where}: {exc.message}"]
            except ImportRefused as exc:
                errors = [f"{e.object}: {e.field}: {e.message}" for e in exc.errors]
            else:
                for line in summary.lines():
                    messages.info(request, line)
                return redirect("admin:services_topology_change", topology.pk)
        context = {**self.admin_site.each_context(request), "topology": topology, "form": form,
                   "errors": errors, "opts": self.model._meta, "title": f"Import manifests into {topology}"}
        return render(request, "admin/topology_import.html", context)

    def export_view(self, request, pk: int):
        topology = get_object_or_404(Topology, pk=pk)
        response = HttpResponse(export_topology(topology), content_type="application/yaml")
        response["Content-Disposition"] = f'attachment; filename="{topology.name}.yaml"'
        return response


class CheckRunStepInline(admin.TabularInline):
    model = CheckRunStep
    fields = ("key", "outcome", "worker", "finished")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="outcome")
    def outcome(self, step: CheckRunStep) -> str:
        return step_error(step.value) or "ok"


class CheckRunBlockInline(admin.TabularInline):
    model = CheckRunBlock
    fields = ("step", "index", "count", "worker", "finished")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(CheckRun)
class CheckRunAdmin(admin.ModelAdmin):
    list_display = ("id", "topology", "revision", "stale", "status", "progress", "step", "created", "finished",
                    "attempts")
    list_filter = ("status", "topology__team")
    search_fields = ("topology__name",)
    list_select_related = ("topology",)
    readonly_fields = ("topology", "revision", "stale", "checks", "options", "status", "step", "progress",
                       "created", "started", "finished", "heartbeat", "attempts", "worker", "task_id",
                       "requested_by", "error", "log_text", "result_json")
    exclude = ("input", "result", "log", "plan", "progress_done", "progress_total")
    actions = ["cancel"]
    inlines = [CheckRunStepInline, CheckRunBlockInline]

    def has_add_permission(self, request) -> bool:
        return False  # runs start from a topology (the admin action) or the CLI

    @admin.display(boolean=True, description="stale")
    def stale(self, run: CheckRun) -> bool:
        return run.is_stale

    @admin.display(description="progress")
    def progress(self, run: CheckRun) -> str:
        return run.progress_text()

    @admin.display(description="log")
    def log_text(self, run: CheckRun) -> str:
        return "\n".join(f"{e.get('time')} {e.get('level')}: {e.get('message')}" for e in run.log)

    @admin.display(description="result")
    def result_json(self, run: CheckRun):
        from django.utils.html import format_html

        text = "\n".join(f"{k}: {v}" for k, v in run.result.get("summary") or [])
        return format_html("<pre>{}</pre>", text or "(no result yet)")

    def changelist_view(self, request, extra_context=None):
        runs.reap()  # a read heals: runs whose worker vanished are re-enqueued or failed
        return super().changelist_view(request, extra_context)

    @admin.action(description="Cancel the selected runs")
    def cancel(self, request, queryset):
        n = sum(runs.cancel(run.pk, by=str(request.user)) for run in queryset)
        self.message_user(request, f"{n} run(s) cancelled.", messages.SUCCESS)
