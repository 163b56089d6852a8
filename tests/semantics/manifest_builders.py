"""Manifest (dict) builders for the manifests/validation/query tests: Kubernetes YAML as Python."""

from __future__ import annotations

import copy
from typing import Any

_UNSET: Any = object()


def meta(name: str | None, ns: str | None = None, **extra: Any) -> dict[str, Any]:
    m: dict[str, Any] = {} if name is None else {"name": name}
    if ns is not None:
        m["namespace"] = ns
    m.update(extra)
    return m


def svc_m(name: str = "web", ns: str | None = None, ports: Any = _UNSET, metadata: dict | None = None,
          **spec: Any) -> dict[str, Any]:
    """A Service manifest; `ports` defaults to one port 80, `ports=None` leaves the field out."""
    if ports is _UNSET:
        ports = [{"port": 80}]
    if ports is not None:
        spec["ports"] = ports
    return {"apiVersion": "v1", "kind": "Service", "metadata": {**meta(name, ns), **(metadata or {})},
            "spec": spec}


def pod_m(name: str = "p", ns: str | None = None, containers: Any = _UNSET, status: dict | None = None,
          metadata: dict | None = None, **spec: Any) -> dict[str, Any]:
    if containers is _UNSET:
        containers = [{"name": "app", "image": "nginx"}]
    if containers is not None:
        spec["containers"] = containers
    out: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": {**meta(name, ns), **(metadata or {})},
                           "spec": spec}
    if status is not None:
        out["status"] = status
    return out


def ns_m(name: str, **labels: str) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": md}


def ing_m(name: str = "ing", ns: str | None = None, metadata: dict | None = None, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {**meta(name, ns), **(metadata or {})}, "spec": spec}


def rule(path: Any = "/", path_type: Any = "Prefix", backend: Any = _UNSET, host: str | None = None) -> dict:
    if backend is _UNSET:
        backend = {"service": {"name": "web", "port": {"number": 80}}}
    p: dict[str, Any] = {"backend": backend}
    if path is not None:
        p["path"] = path
    if path_type is not None:
        p["pathType"] = path_type
    r: dict[str, Any] = {"http": {"paths": [p]}}
    if host is not None:
        r["host"] = host
    return r


def ingclass_m(name: str, controller: str = "k8s.io/ingress-nginx", default: bool = False,
               created: str | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name}
    if default:
        md["annotations"] = {"ingressclass.kubernetes.io/is-default-class": "true"}
    if created:
        md["creationTimestamp"] = created
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": md,
            "spec": {"controller": controller}}


def np_m(name: str = "np", ns: str | None = None, **spec: Any) -> dict[str, Any]:
    spec.setdefault("podSelector", {})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name, ns),
            "spec": spec}


def with_(obj: dict[str, Any], **top: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out.update(top)
    return out
