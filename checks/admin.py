"""The Topology admin, with import and export (here: they need Services and Ingresses both)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from kubenet_site.semantics.manifests import ManifestError
from services.models import Topology

from .operations import ImportRefused, export_topology, import_manifests


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
                summary = import_manifests(topology, form.text())
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
