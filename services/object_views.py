"""The pages of a topology's objects, one set of views for every kind (services.kinds): table,
detail, create/edit form, YAML editor, delete. The ingress app mounts the same views for its
kinds. Writes go through services.operations (the engine validator; nothing half-saved)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View

from kubenet_site.semantics.manifests import ManifestError, export_yaml, load_documents

from .audit import REVISION_FIELD, conflict_context, object_etag, posted_revision
from .hooks import topology_snapshot
from .kinds import KindPage, object_url, pages
from .models import KubeObject, Namespace, Topology
from .operations import ObjectRefused, delete_object, in_namespace, object_name_of, save_object
from .revisions import PreconditionFailed
from .rowforms import ROW_FORMS, RowSet
from .views import topology_or_404

PER_PAGE = 50


def namespaces_of(topology: Topology) -> list[str]:
    return list(Namespace.objects.filter(topology=topology).order_by("name").values_list("name", flat=True))


FIRST_KEYS = ("apiVersion", "kind", "metadata", "spec")
META_FIRST = ("name", "namespace", "labels", "annotations")


def manifest_yaml(manifest: dict) -> str:
    """One manifest as YAML, in kubectl's order of keys (the database may keep them in another)."""
    def ordered(doc: dict, first: tuple[str, ...]) -> dict:
        return {**{k: doc[k] for k in first if k in doc}, **{k: v for k, v in doc.items() if k not in first}}

    doc = ordered(manifest, FIRST_KEYS)
    if isinstance(doc.get("metadata"), dict):
        doc["metadata"] = ordered(doc["metadata"], META_FIRST)
    return export_yaml([doc]).removeprefix("---\n")


def base_context(topology: Topology, page: KindPage | None = None, **extra: Any) -> dict:
    return {"topology": topology, "page": page, "kind_pages": pages(), **extra}


def stored_now(row: KubeObject) -> str:
    """The object as stored now, as YAML (a conflict shows it beside the user's version)."""
    fresh = type(row).objects.filter(pk=row.pk).first()
    return manifest_yaml(fresh.manifest) if fresh is not None else "(deleted since)"


def edit_state(request: HttpRequest, row: KubeObject | None, exc: PreconditionFailed | None = None) -> dict[str, Any]:
    """What an edit form carries: the revision it was loaded at (REVISION_FIELD, the object's
    ETag; a form shown again after an error keeps the one it was posted with), and after a
    conflict the changes since, the stored version and the revision a deliberate resubmit carries."""
    if row is None:
        return {}
    if exc is not None:
        return {"revision": exc.current, "revision_field": REVISION_FIELD,
                "conflict": conflict_context(exc, stored_now(row))}
    posted = posted_revision(request.POST) if request.method == "POST" else None
    return {"revision": posted or object_etag(row.topology, row.object_name), "revision_field": REVISION_FIELD}


def filtered(filterset, queryset):
    """What a table shows: everything unfiltered, nothing while a filter cannot be read."""
    if not filterset.is_bound:
        return queryset
    return filterset.qs if filterset.is_valid() else queryset.none()


@method_decorator(login_required, name="dispatch")
class KindView(View):
    page: KindPage = None  # type: ignore[assignment]

    def dispatch(self, request, *args, **kwargs):  # after login_required: anonymous users log in first
        self.topology = topology_or_404(request, kwargs["team"], kwargs["topology"])
        return super().dispatch(request, *args, **kwargs)

    def get_row(self) -> KubeObject:
        ns = self.kwargs.get("namespace", "") if self.page.namespaced else ""
        row = self.page.rows(self.topology).filter(namespace=ns, name=self.kwargs["name"]).first()
        if row is None:
            raise Http404(f"{self.page.kind_name} {ns + '/' if ns else ''}{self.kwargs['name']} not found")
        row.topology = self.topology
        return row

    def context(self, **extra: Any) -> dict:
        return base_context(self.topology, self.page, **extra)


class ObjectListView(KindView):
    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        queryset = self.page.rows(self.topology).select_related("topology__team")
        if getattr(self.page.table, "DEFER_MANIFEST", False):
            queryset = queryset.defer("manifest")
        filterset = self.page.filterset(request.GET or None, queryset=queryset, topology=self.topology)
        table = self.page.table(filtered(filterset, queryset))
        tables.RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        add_url = self.page.url(self.topology, "add")
        if self.page.namespaced and request.GET.get("namespace"):  # a new object where the user looks
            add_url += "?" + urlencode({"namespace": request.GET["namespace"]})
        context = self.context(table=table, filter=filterset, add_url=add_url)
        template = "services/_object_table.html" if request.htmx else "services/object_list.html"
        return render(request, template, context)


class ObjectDetailView(KindView):
    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        row = self.get_row()
        result = topology_snapshot(self.topology)
        sections = self.page.relations(row, result.snapshot) if self.page.relations else []
        form = self.page.form(manifest=row.manifest, namespaces=[row.namespace]) if self.page.form else None
        me = row.object_name
        findings = [d for d in result.diagnostics if d.object == me]
        return render(request, "services/object_detail.html", self.context(
            row=row, sections=sections, form=form, yaml=manifest_yaml(row.manifest), findings=findings,
            edit_url=object_url(row, "edit"), yaml_url=object_url(row, "yaml"), delete_url=object_url(row, "delete"),
            changes_url=object_url(row, "changes")))


class ObjectFormView(KindView):
    """`_add/` (no name in the address) and `<...>/edit/`."""

    def get_form(self, row: KubeObject | None, data=None):
        form = self.page.form(data, manifest=row.manifest if row else None, namespaces=namespaces_of(self.topology))
        if row is None and "namespace" in form.fields and self.request.GET.get("namespace"):
            form.initial["namespace"] = self.request.GET["namespace"]
        return form

    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        row = self.get_row() if "name" in kwargs else None
        if self.page.form is None:
            return redirect(self.page.url(self.topology, "yaml", row) if row else
                            self.page.url(self.topology, "add-yaml"))
        return self.show(self.get_form(row), row)

    def show(self, form, row: KubeObject | None, exc: PreconditionFailed | None = None) -> HttpResponse:
        return render(request=self.request, template_name="services/object_form.html",
                      context=self.context(form=form, row=row, rowsets=list(form.rowsets.values()),
                                           **edit_state(self.request, row, exc),
                                           yaml_url=object_url(row, "yaml") if row else self.page.url(
                                               self.topology, "add-yaml"),
                                           cancel_url=object_url(row) if row else self.page.url(self.topology)))

    def post(self, request: HttpRequest, **kwargs) -> HttpResponse:
        row = self.get_row() if "name" in kwargs else None
        if self.page.form is None:
            raise Http404("this kind is edited as YAML")
        form = self.get_form(row, request.POST)
        if not form.is_valid():
            return self.show(form, row)
        manifest = form.manifest()
        try:
            saved = save_object(self.topology, self.page.model, manifest, row, user=self.request.user,
                                if_match=posted_revision(request.POST) if row else None)
        except ObjectRefused as exc:
            form.add_engine_errors(exc.errors, object_name_of(manifest, self.page.namespaced))
            return self.show(form, row)
        except PreconditionFailed as exc:  # someone saved it since the form was loaded: keep both
            return self.show(form, row, exc)
        saved.topology = self.topology
        messages.success(request, f"{saved.object_name} {'saved' if row else 'created'}.")
        return redirect(object_url(saved))


def yaml_errors(exc: Exception) -> list[str]:
    if isinstance(exc, ObjectRefused):
        return [f"{e.object}: {e.field}: {e.message}" if e.field else f"{e.object}: {e.message}" for e in exc.errors]
    if isinstance(exc, ManifestError):
        return [f"{exc.where}: {exc.message}" if getattr(exc, "where", "") else str(exc)]
    return [str(exc)]


def parse_one(text: str) -> dict:
    docs = load_documents(text)
    if len(docs) != 1:
        raise ManifestError(f"expected one object, got {len(docs)}", "the YAML")
    return docs[0]


class ObjectYamlView(KindView):
    """The YAML editor: saving validates as the form and import do."""

    template = "services/object_yaml.html"

    def starting_manifest(self) -> dict:
        form = self.page.form
        return {"apiVersion": (form.API_VERSION if form else "v1"), "kind": self.page.kind_name,
                "metadata": {"name": "", **({"namespace": "default"} if self.page.namespaced else {})}}

    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        row = self.get_row() if "name" in kwargs else None
        text = manifest_yaml(row.manifest if row else self.starting_manifest())
        return render(request, self.template, self.context(row=row, text=text, errors=[], **edit_state(request, row)))

    def post(self, request: HttpRequest, **kwargs) -> HttpResponse:
        row = self.get_row() if "name" in kwargs else None
        text = request.POST.get("yaml", "")
        try:
            manifest = parse_one(text)
            if row is None and (manifest.get("kind") != self.page.kind_name):
                raise ManifestError(f"this page creates a {self.page.kind_name}, not a {manifest.get('kind')}", "kind")
            saved = save_object(self.topology, self.page.model, manifest, row, user=self.request.user,
                                if_match=posted_revision(request.POST) if row else None)
        except (ManifestError, ObjectRefused) as exc:
            return render(request, self.template, self.context(row=row, text=text, errors=yaml_errors(exc),
                                                               **edit_state(request, row)))
        except PreconditionFailed as exc:
            return render(request, self.template, self.context(row=row, text=text, errors=[], **edit_state(request, row, exc)))
        saved.topology = self.topology
        messages.success(request, f"{saved.object_name} saved.")
        return redirect(object_url(saved))


class ObjectDeleteView(KindView):
    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        return self.confirm(self.get_row())

    def confirm(self, row: KubeObject, exc: PreconditionFailed | None = None) -> HttpResponse:
        return render(self.request, "services/object_confirm_delete.html", self.context(
            row=row, cancel_url=object_url(row), held=in_namespace(row), **edit_state(self.request, row, exc)))

    def post(self, request: HttpRequest, **kwargs) -> HttpResponse:
        row = self.get_row()
        try:
            held = delete_object(row, user=request.user, if_match=posted_revision(request.POST))
        except PreconditionFailed as exc:  # changed since the page was loaded: confirm again
            return self.confirm(row, exc)
        messages.success(request, f"{row.object_name} deleted" + (f" with the {len(held)} objects it held."
                                                                   if held else "."))
        return redirect(self.page.url(self.topology))


@login_required
def row_form(request: HttpRequest, key: str) -> HttpResponse:
    """One more row of a repeated part (htmx): the row, and the set's new count out of band."""
    if key not in ROW_FORMS:
        raise Http404(f"no row form {key!r}")
    prefix = request.GET.get("prefix", "")
    try:
        index = int(request.GET.get(f"{prefix}-TOTAL", "0"))
    except ValueError:
        index = 0
    form = ROW_FORMS[key](prefix=f"{prefix}-{index}")
    rowset = RowSet(ROW_FORMS[key], prefix)
    rowset.total = index + 1
    return render(request, "services/_row_added.html", {"form": form, "rowset": rowset})
