"""A small cluster for the diff tests, as manifests (dicts), and the changes the tests make."""

from __future__ import annotations

import copy
from typing import Any

NODES = {"node-a": "10.0.0.10", "node-b": "10.0.0.11"}


def node(name: str, ip: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"podCIDR": f"10.244.{ip.rsplit('.', 1)[1]}.0/24"},
            "status": {"addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}]}}


def pod(name: str, ns: str, labels: dict[str, str], ip: str, node_name: str,
        ports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels,
                         "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"nodeName": node_name, "containers": [{"name": "app", "image": "app", "ports": ports or []}]},
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def service(name: str, ns: str, selector: dict[str, str], port: int, target: Any, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": "2025-12-31T00:00:00Z"},
            "spec": {"selector": selector, "ports": [{"name": "http", "port": port, "targetPort": target}], **spec}}


def policy(name: str, ns: str, selector: dict[str, str], ingress: list[Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": {"matchLabels": selector}, "policyTypes": ["Ingress"]}
    if ingress is not None:
        spec["ingress"] = ingress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


def ingress_path(path: str, service_name: str) -> dict[str, Any]:
    return {"path": path, "pathType": "Prefix",
            "backend": {"service": {"name": service_name, "port": {"number": 80}}}}


WEB = [{"name": "http", "containerPort": 8080}]


def base() -> list[dict[str, Any]]:
    """Namespace shop: web (2 pods behind Service web), api (1 pod, Service api), a client;
    an nginx Ingress controller and one Ingress routing shop.example.com/app to web."""
    objs: list[dict[str, Any]] = [node(n, ip) for n, ip in NODES.items()]
    objs += [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ingress-nginx"}},
        pod("web-1", "shop", {"app": "web"}, "10.244.10.2", "node-a", WEB),
        pod("web-2", "shop", {"app": "web"}, "10.244.11.2", "node-b", WEB),
        pod("api-1", "shop", {"app": "api"}, "10.244.10.3", "node-a", WEB),
        pod("client-1", "shop", {"app": "client"}, "10.244.11.3", "node-b"),
        pod("controller-1", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}, "10.244.10.4", "node-a",
            [{"name": "http", "containerPort": 80}]),
        service("web", "shop", {"app": "web"}, 80, "http"),
        service("api", "shop", {"app": "api"}, 80, "http"),
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"},
         "spec": {"controller": "k8s.io/ingress-nginx"}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop", "namespace": "shop"},
         "spec": {"ingressClassName": "nginx", "rules": [{"host": "shop.example.com", "http": {"paths": [
             ingress_path("/app", "web"), ingress_path("/app", "api")]}}]}},
    ]
    return objs


def find(objs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def with_deny_web() -> list[dict[str, Any]]:
    """One NetworkPolicy added: only the client may reach web."""
    return base() + [policy("web-only-client", "shop", {"app": "web"},
                            [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}]}])]


def with_nodeport() -> list[dict[str, Any]]:
    objs = base()
    find(objs, "Service", "web")["spec"]["type"] = "NodePort"
    return objs


def with_selector_typo() -> list[dict[str, Any]]:
    objs = base()
    find(objs, "Service", "web")["spec"]["selector"] = {"app": "wbe"}
    return objs


def with_paths_reordered() -> list[dict[str, Any]]:
    """The Ingress lists its two /app paths the other way round: the first one wins."""
    objs = base()
    paths = find(objs, "Ingress", "shop")["spec"]["rules"][0]["http"]["paths"]
    paths.reverse()
    return objs


def api_blocked() -> list[dict[str, Any]]:
    """Base plus a policy isolating api (no ingress rule): an Ingress that routes to api
    cannot reach it."""
    return base() + [policy("api-deny", "shop", {"app": "api"})]


def copied(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return copy.deepcopy(objs)
