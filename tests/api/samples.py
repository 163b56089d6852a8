"""Declared sample data per API kind: what the generated CRUD tests create, replace, patch
and refuse (NetBox's APIViewTestCase idea: a kind declares data, inherits the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    resource: str  # the address segment (`services`, `others/configmaps`)
    create: dict[str, Any]  # a valid new object
    replace: dict[str, Any]  # what PUT sends (same identity, different spec)
    patch: dict[str, Any]  # a JSON merge patch
    patched: tuple[tuple[str, ...], Any]  # a path of the manifest and its value after the patch
    invalid: dict[str, Any]  # what the API server would refuse
    invalid_field: str  # the field path the refusal names

    @property
    def path(self) -> str:
        meta = self.create["metadata"]
        return "/".join([meta["namespace"], meta["name"]] if "namespace" in meta else [meta["name"]])


def meta(name: str, ns: str | None = "default", **extra: Any) -> dict[str, Any]:
    return {"name": name, **({"namespace": ns} if ns else {}), **extra}


POD_SPEC = {"nodeName": "control-plane", "containers": [{"name": "c", "image": "nginx",
                                                         "ports": [{"name": "http", "containerPort": 8080}]}]}
POD_STATUS = {"phase": "Running", "podIP": "10.244.0.50", "podIPs": [{"ip": "10.244.0.50"}],
              "conditions": [{"type": "Ready", "status": "True"}]}
BACKEND = {"service": {"name": "kubernetes", "port": {"number": 443}}}

SAMPLES = [
    Sample("namespaces",
           create={"apiVersion": "v1", "kind": "Namespace", "metadata": meta("shop", None)},
           replace={"apiVersion": "v1", "kind": "Namespace", "metadata": meta("shop", None, labels={"team": "a"})},
           patch={"metadata": {"labels": {"team": "b"}}}, patched=(("metadata", "labels", "team"), "b"),
           invalid={"apiVersion": "v1", "kind": "Namespace", "metadata": meta("Bad_Name", None)},
           invalid_field="metadata.name"),
    Sample("nodes",
           create={"apiVersion": "v1", "kind": "Node", "metadata": meta("worker-1", None),
                   "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]},
                   "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.11"}]}},
           replace={"apiVersion": "v1", "kind": "Node", "metadata": meta("worker-1", None),
                    "spec": {"podCIDR": "10.244.2.0/24", "podCIDRs": ["10.244.2.0/24"]},
                    "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.12"}]}},
           patch={"metadata": {"labels": {"topology.kubernetes.io/zone": "a"}}},
           patched=(("metadata", "labels", "topology.kubernetes.io/zone"), "a"),
           invalid={"apiVersion": "v1", "kind": "Node", "metadata": meta("Bad_Name", None)},
           invalid_field="metadata.name"),
    Sample("pods",
           create={"apiVersion": "v1", "kind": "Pod", "metadata": meta("web-1", labels={"app": "web"}),
                   "spec": POD_SPEC, "status": POD_STATUS},
           replace={"apiVersion": "v1", "kind": "Pod", "metadata": meta("web-1", labels={"app": "web2"}),
                    "spec": POD_SPEC, "status": POD_STATUS},
           patch={"metadata": {"labels": {"tier": "front"}}}, patched=(("metadata", "labels", "tier"), "front"),
           invalid={"apiVersion": "v1", "kind": "Pod", "metadata": meta("bad"), "spec": {"containers": [
               {"name": "c", "image": "x", "ports": [{"containerPort": 70000}]}]}},
           invalid_field="spec.containers[0].ports[0].containerPort"),
    Sample("services",
           create={"apiVersion": "v1", "kind": "Service", "metadata": meta("web"),
                   "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}},
           replace={"apiVersion": "v1", "kind": "Service", "metadata": meta("web"),
                    "spec": {"selector": {"app": "web"}, "ports": [{"port": 8080, "targetPort": "http"}]}},
           patch={"spec": {"type": "NodePort"}}, patched=(("spec", "type"), "NodePort"),
           invalid={"apiVersion": "v1", "kind": "Service", "metadata": meta("bad"),
                    "spec": {"ports": [{"port": 0}]}},
           invalid_field="spec.ports[0].port"),
    Sample("endpoints",
           create={"apiVersion": "v1", "kind": "Endpoints", "metadata": meta("ext"),
                   "subsets": [{"addresses": [{"ip": "192.0.2.10"}], "ports": [{"port": 5432}]}]},
           replace={"apiVersion": "v1", "kind": "Endpoints", "metadata": meta("ext"),
                    "subsets": [{"addresses": [{"ip": "192.0.2.11"}], "ports": [{"port": 5432}]}]},
           patch={"metadata": {"labels": {"db": "pg"}}}, patched=(("metadata", "labels", "db"), "pg"),
           invalid={"apiVersion": "v1", "kind": "Endpoints", "metadata": meta("bad"),
                    "subsets": [{"addresses": [{"ip": "nope"}], "ports": [{"port": 80}]}]},
           invalid_field="subsets[0].addresses[0].ip"),
    Sample("endpointslices",
           create={"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta("ext-1"),
                   "addressType": "IPv4", "endpoints": [{"addresses": ["192.0.2.10"]}], "ports": [{"port": 5432}]},
           replace={"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta("ext-1"),
                    "addressType": "IPv4", "endpoints": [{"addresses": ["192.0.2.12"]}], "ports": [{"port": 5432}]},
           patch={"ports": [{"port": 5433}]}, patched=(("ports",), [{"port": 5433}]),
           invalid={"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta("bad"),
                    "addressType": "Bogus", "endpoints": []},
           invalid_field="addressType"),
    Sample("ingressclasses",
           create={"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": meta("nginx", None),
                   "spec": {"controller": "k8s.io/ingress-nginx"}},
           replace={"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": meta("nginx", None),
                    "spec": {"controller": "example.com/other"}},
           patch={"metadata": {"annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}}},
           patched=(("metadata", "annotations", "ingressclass.kubernetes.io/is-default-class"), "true"),
           invalid={"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": meta("bad", None),
                    "spec": {"controller": "not a controller!"}},
           invalid_field="spec.controller"),
    Sample("ingresses",
           create={"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta("front"),
                   "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [
                       {"path": "/", "pathType": "Prefix", "backend": BACKEND}]}}]}},
           replace={"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta("front"),
                    "spec": {"rules": [{"host": "www.example.com", "http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": BACKEND}]}}]}},
           patch={"spec": {"ingressClassName": "nginx"}}, patched=(("spec", "ingressClassName"), "nginx"),
           invalid={"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta("bad"),
                    "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Bogus", "backend": BACKEND}]}}]}},
           invalid_field="spec.rules[0].http.paths[0].pathType"),
    Sample("networkpolicies",
           create={"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("deny"),
                   "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}},
           replace={"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("deny"),
                    "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]}},
           patch={"spec": {"policyTypes": ["Ingress", "Egress"]}},
           patched=(("spec", "policyTypes"), ["Ingress", "Egress"]),
           invalid={"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("bad"),
                    "spec": {"podSelector": {}, "policyTypes": ["Sideways"]}},
           invalid_field="spec.policyTypes[0]"),
    Sample("others/configmaps",
           create={"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("settings"), "data": {"a": "1"}},
           replace={"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("settings"), "data": {"a": "2"}},
           patch={"data": {"b": "3"}}, patched=(("data", "b"), "3"),
           invalid={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "default"}},
           invalid_field="metadata.name"),
    Sample("others/deployments.apps",
           create={"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("web"),
                   "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}},
           replace={"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("web", labels={"v": "2"}),
                    "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}}},
           patch={"metadata": {"labels": {"v": "3"}}}, patched=(("metadata", "labels", "v"), "3"),
           invalid={"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": ""}},
           invalid_field="metadata.name"),
]
