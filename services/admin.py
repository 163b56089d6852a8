"""Admin pages for teams and every object model. Edits to columns are written back into the
object's manifest and validated by the engine (KubeObject.clean), then bump the revision."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Change,
    EndpointSlice,
    Membership,
    Namespace,
    NetworkPolicy,
    Node,
    OtherObject,
    Pod,
    Service,
    ServicePort,
    Team,
    topology_rows,
)
from .revisions import changes


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)
    inlines = [MembershipInline]


class KubeObjectAdmin(admin.ModelAdmin):
    """Shared by every object model (services and ingress apps)."""

    list_filter = ("topology", "namespace")
    search_fields = ("name", "namespace")
    readonly_fields = ("position",)
    list_select_related = ("topology",)

    def get_list_display(self, request):
        return ("name", "namespace", "topology", *self.extra_columns)

    extra_columns: tuple[str, ...] = ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        base_clean = form._post_clean

        def _post_clean(self_form):
            # Tell the model which columns changed, so clean() validates them written back.
            self_form.instance.changed_columns = [
                f for f in self_form.changed_data if f in type(self_form.instance).all_paths()]
            base_clean(self_form)

        form._post_clean = _post_clean
        return form

    def save_model(self, request, obj, form, change):
        columns = [f for f in form.changed_data if f in type(obj).all_paths()]
        if not change and not obj.manifest:
            columns = None
        obj.write_columns(columns)
        with changes(obj.topology, request.user) as cs:
            before = type(obj).objects.get(pk=obj.pk).manifest if change else None  # as stored, under the lock
            if not change:
                obj.position = max((r.position for r in topology_rows(cs.topology)), default=0) + 1
            super().save_model(request, obj, form, change)
            cs.record(obj.object_name, before, obj.manifest)

    def delete_model(self, request, obj):
        with changes(obj.topology, request.user) as cs:
            cs.record(obj.object_name, obj.manifest, None)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("topology"):
            self.delete_model(request, obj)


for model, columns in (
    (Namespace, ("labels",)),
    (Node, ("zone", "internal_ip")),
    (Pod, ("node_name", "phase", "ready", "ip")),
    (EndpointSlice, ("kind_name",)),
    (NetworkPolicy, ("pod_selector", "policy_types")),
    (OtherObject, ("kind_name", "api_version")),
):
    admin.site.register(model, type(f"{model.__name__}Admin", (KubeObjectAdmin,), {"extra_columns": columns}))


class ServicePortInline(admin.TabularInline):
    model = ServicePort
    extra = 0


@admin.register(Service)
class ServiceAdmin(KubeObjectAdmin):
    extra_columns = ("type", "cluster_ip", "external_traffic_policy")
    list_filter = ("topology", "namespace", "type")
    inlines = [ServicePortInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        service = form.instance
        if any(fs.has_changed() for fs in formsets):
            before = service.manifest
            service.write_ports()
            service._pending_ports = None
            with changes(service.topology, request.user) as cs:
                type(service).objects.filter(pk=service.pk).update(manifest=service.manifest)
                cs.record(service.object_name, before, service.manifest)


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    """The change record, read-only: it is written by the writes themselves."""

    list_display = ("object", "topology", "revision", "user", "time", "fields")
    list_filter = ("topology", "user")
    search_fields = ("object",)
    list_select_related = ("topology", "user")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
