"""IngressClass and Ingress in the browser: the same views as the services app's kinds."""

from __future__ import annotations

from django.urls import reverse

from kubenet_site.semantics.types import Snapshot
from services.kinds import KindPage, register
from services.models import KubeObject
from services.relations import Link, Section

from .filtersets import IngressClassFilterSet, IngressFilterSet
from .forms import IngressClassForm, IngressForm
from .models import Ingress, IngressClass
from .tables import IngressClassTable, IngressTable


def _url(row: KubeObject, slug: str, *names: str) -> str:
    return reverse(f"{slug}-detail", args=[row.topology.team.name, row.topology.name, *names])


def ingress_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    ing = next((i for i in snap.ingresses if i.namespace == row.namespace and i.name == row.name), None)
    if ing is None:
        return []
    backends = Section("Services it routes to")
    seen = set()
    routes = [(r.host or "*", p.path or "/", p.backend) for r in ing.rules for p in r.paths]
    if ing.default_backend:
        routes.append(("(default backend)", "", ing.default_backend))
    for host, path, backend in routes:
        if backend.service_name is None:
            backends.links.append(Link(f"{host}{path}", "", "a resource backend"))
            continue
        svc = snap.service(f"{ing.namespace}/{backend.service_name}")
        port = backend.port_number if backend.port_number is not None else backend.port_name
        key = (host, path, backend.service_name)
        if key in seen:
            continue
        seen.add(key)
        backends.links.append(Link(f"{host}{path} → {ing.namespace}/{backend.service_name}:{port}",
                                   _url(row, "services", ing.namespace, backend.service_name) if svc else "",
                                   "" if svc else "no such Service"))
    cls_name = ing.ingress_class_name or ing.class_annotation
    cls = Section("IngressClass", [Link(cls_name, _url(row, "ingressclasses", cls_name))]
                  if cls_name and any(c.name == cls_name for c in snap.ingress_classes) else [],
                  "none named (the default class applies, if one is marked)")
    return [backends, cls]


def class_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    return [Section("Ingresses of this class", [
        Link(f"{i.namespace}/{i.name}", _url(row, "ingresses", i.namespace, i.name)) for i in snap.ingresses
        if (i.ingress_class_name or i.class_annotation) == row.name])]


PAGES = [
    register(KindPage("ingressclasses", "IngressClasses", IngressClass, IngressClassTable, IngressClassFilterSet,
                      IngressClassForm, relations=class_relations)),
    register(KindPage("ingresses", "Ingresses", Ingress, IngressTable, IngressFilterSet, IngressForm,
                      relations=ingress_relations)),
]
