"""The kinds the browser shows, one entry each (a registry, not a switch table).

Each app registers the kinds it owns (services: namespaces ... networkpolicies; ingress:
ingressclasses, ingresses); pages, links and the summary read this table. The slugs are the
addresses of interfaces.md "Pages".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from kubenet_site.semantics.kube_kinds import resource_name

from .models import KubeObject, OtherObject, Topology


@dataclass(frozen=True)
class KindPage:
    slug: str  # "services": the address segment
    title: str  # "Services"
    model: type[KubeObject]
    table: Any  # a django_tables2.Table class
    filterset: Any  # a django_filters.FilterSet class
    form: Any = None  # an ObjectForm class: create and edit without YAML
    kind: str = ""  # the Kubernetes kind a new object gets (default: model.KIND)
    base_filter: dict[str, Any] = field(default_factory=dict)  # EndpointSlice rows: Endpoints or not
    relations: Callable[..., list] | None = None  # (row, snapshot) -> [(title, [(label, url)])]

    @property
    def namespaced(self) -> bool:
        return self.model.NAMESPACED

    @property
    def kind_name(self) -> str:
        return self.kind or self.model.KIND

    def rows(self, topology: Topology) -> QuerySet:
        return self.model.objects.filter(topology=topology, **self.base_filter)

    def url(self, topology: Topology, view: str = "list", row: KubeObject | None = None) -> str:
        args: list[str] = [topology.team.name, topology.name]
        if row is not None:
            args += [row.namespace, row.name] if self.namespaced else [row.name]
        return reverse(f"{self.slug}-{view}", args=args)


KIND_PAGES: dict[str, KindPage] = {}
CLUSTER_SCOPED_NS = "_"  # a kept object without namespace: others/<resource>/_/<name>/ (no namespace holds "_")
ORDER = ("namespaces", "nodes", "pods", "services", "endpoints", "endpointslices", "ingressclasses",
         "ingresses", "networkpolicies")


def register(page: KindPage) -> KindPage:
    KIND_PAGES[page.slug] = page
    return page


def pages() -> list[KindPage]:
    return sorted(KIND_PAGES.values(), key=lambda p: ORDER.index(p.slug) if p.slug in ORDER else len(ORDER))


def page_for(row: KubeObject) -> KindPage | None:
    for page in KIND_PAGES.values():
        if type(row) is page.model and all(getattr(row, k) == v for k, v in page.base_filter.items()):
            return page
    return None


def object_url(row: KubeObject, view: str = "detail") -> str:
    """The page of one row (kept objects: their YAML page under others/)."""
    if isinstance(row, OtherObject):
        args = [row.topology.team.name, row.topology.name, resource_of(row)]
        args += [row.namespace or CLUSTER_SCOPED_NS, row.name]
        return reverse("other-detail" if view == "detail" else f"other-{view}", args=args)
    page = page_for(row)
    return page.url(row.topology, view, row) if page else ""


def resource_of(row: OtherObject) -> str:
    return resource_name(row.kind_name, row.api_version)


def url_of(topology: Topology, label: str) -> str:
    """The page of `Kind/ns/name` (cluster-scoped `Kind/name`), as findings name objects; "" for a
    kind without a page here."""
    kind, _, rest = label.partition("/")
    page = next((p for p in KIND_PAGES.values() if p.kind_name == kind), None)
    if page is None or not rest:
        return ""
    names = rest.split("/", 1) if page.namespaced else [rest]
    if len(names) != (2 if page.namespaced else 1):
        return ""
    return reverse(f"{page.slug}-detail", args=[topology.team.name, topology.name, *names])
