"""Tiny builders for the Ingress tests: classes, Ingresses, rules and backend Services."""

from __future__ import annotations

import itertools
from typing import Any

from kubenet_site.semantics.types import (
    ClusterConfig,
    Ingress,
    IngressBackend,
    IngressClass,
    IngressPath,
    IngressRule,
    IngressTLS,
    LoadBalancerIngress,
)
from tests.semantics.builders import at, pod, snapshot, sport, svc

NGINX = IngressClass(name="nginx", controller="k8s.io/ingress-nginx")
_ips = itertools.count(10)


def backend(service: str, port: int | str = 80) -> IngressBackend:
    if isinstance(port, str):
        return IngressBackend(service_name=service, port_name=port)
    return IngressBackend(service_name=service, port_number=port)


def path(p: str | None, svc_name: str, path_type: str = "Prefix", port: int | str = 80) -> IngressPath:
    return IngressPath(path=p, path_type=path_type, backend=backend(svc_name, port))


def rule(host: str | None, *paths: IngressPath) -> IngressRule:
    return IngressRule(host=host, paths=tuple(paths))


def tls(*hosts: str, secret: str | None = "tls-secret") -> IngressTLS:
    return IngressTLS(hosts=tuple(hosts), secret_name=secret)


def ing(name: str, *rules: IngressRule, ns: str = "default", cls: str | None = "nginx",
        created: float = 0, tls_: tuple[IngressTLS, ...] = (), default: IngressBackend | None = None,
        annotations: dict[str, str] | None = None, class_annotation: str | None = None) -> Ingress:
    return Ingress(namespace=ns, name=name, ingress_class_name=cls, class_annotation=class_annotation,
                   default_backend=default, rules=tuple(rules), tls=tls_,
                   annotations=annotations or {}, creation_timestamp=at(created))


def backend_service(name: str, ns: str = "default", port: int = 80, target: int = 8080,
                    port_name: str = "http", ready: bool = True, pods: int = 1) -> list[Any]:
    """A ClusterIP Service `name` with `pods` pods behind it (IPs 10.244.0.N)."""
    labels = {"app": f"{ns}-{name}"}
    objs: list[Any] = [svc(name, ns=ns, selector=labels,
                           ports=(sport(port, target, name=port_name),),
                           cluster_ip=f"10.96.1.{next(_ips) % 250}")]
    for i in range(pods):
        objs.append(pod(f"{name}-{i}", ns=ns, labels=labels, ready=ready,
                        ip=f"10.244.{next(_ips) % 250}.{i + 1}"))
    return objs


def services(*names: str, ns: str = "default", port: int = 80) -> list[Any]:
    out: list[Any] = []
    for n in names:
        out.extend(backend_service(n, ns=ns, port=port))
    return out


def snap_of(*objects: Any, classes: tuple[IngressClass, ...] = (NGINX,),
            controllers: tuple[str, ...] | None = None, **kw: Any):
    flat: list[Any] = []
    for o in objects:
        flat.extend(o if isinstance(o, list) else [o])
    return snapshot(*flat, *classes, cluster=ClusterConfig(ingress_controllers=controllers), **kw)


def lb(ip: str) -> tuple[LoadBalancerIngress, ...]:
    return (LoadBalancerIngress(ip=ip),)
