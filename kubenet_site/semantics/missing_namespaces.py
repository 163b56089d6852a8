"""Namespaces that objects name but no manifest declares (interfaces.md "Missing namespaces").

The query door keeps the API server's rule (NamespaceLifecycle admission: `namespaces "x" not
found`, the object is left out). The PATH doors and import create such a namespace first, as
`helm install --create-namespace` (helm pkg/action/install.go createNamespace) and
`kubectl create namespace` before `kubectl apply` would, with an info finding
`namespace-created`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .apiserver import BUILTIN_NAMESPACES
from .fielderrors import is_dns1123_label
from .kube_kinds import CLUSTER_SCOPED
from .types import Diagnostic


def _named(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
    return f"{obj.get('kind')}/{meta.get('namespace')}/{meta.get('name') or meta.get('generateName') or '?'}"


def missing_namespaces(objects: Iterable[Any]) -> dict[str, list[str]]:
    """Each namespace objects name that neither the cluster nor a Namespace manifest has, in
    first-use order, with the objects that name it (`Kind/ns/name`)."""
    declared = set(BUILTIN_NAMESPACES)
    used: dict[str, list[str]] = {}
    for obj in objects:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("kind"), str):
            continue
        meta = obj.get("metadata")
        if not isinstance(meta, Mapping):
            continue
        if obj["kind"] == "Namespace" and obj.get("apiVersion") == "v1" and isinstance(meta.get("name"), str):
            declared.add(meta["name"])
            continue
        ns = meta.get("namespace")
        if obj["kind"] in CLUSTER_SCOPED or not isinstance(ns, str) or not ns:
            continue
        if is_dns1123_label(ns):  # not a valid name: the API server's own error says so
            continue
        used.setdefault(ns, []).append(_named(obj))
    return {ns: users for ns, users in used.items() if ns not in declared}


def namespace_manifest(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def created_finding(name: str, users: list[str]) -> Diagnostic:
    more = f" and {len(users) - 1} more" if len(users) > 1 else ""
    return Diagnostic("info", f"Namespace/{name}", "metadata.name", "namespace-created",
                      f'namespace "{name}" is used by {users[0]}{more} but no manifest declares it: created '
                      "first, as `helm install --create-namespace` would")


def with_missing_namespaces(objects: list[Any]) -> tuple[list[Any], list[Diagnostic]]:
    """The objects with the missing Namespaces created before them, and a finding for each."""
    missing = missing_namespaces(objects)
    made = [namespace_manifest(ns) for ns in missing]
    return made + list(objects), [created_finding(ns, users) for ns, users in missing.items()]
