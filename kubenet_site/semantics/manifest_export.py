"""A built cluster back to manifests: each object's `raw`, in document order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from .apiserver import BuildResult
from .kube_kinds import object_label
from .types import (
    Snapshot,
)

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

def export_objects(source: Snapshot | BuildResult | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The manifests as they were given (each object's `raw`): a BuildResult's in document
    order, a bare Snapshot's kind by kind (namespaces, nodes, ...), each in creation order."""
    if isinstance(source, BuildResult):
        return [dict(o) for o in source.objects]
    if isinstance(source, Snapshot):  # no document order here: kind by kind, each in creation order
        seen: set[int] = set()
        out = []
        for fname in ("namespaces", "nodes", "ingress_classes", "pods", "services", "endpoint_slices",
                      "ingresses", "network_policies", "others"):
            for o in getattr(source, fname):
                if source.generated_by and _label(fname, o) in source.generated_by:
                    continue  # derived from a workload, not given
                if o.raw and id(o.raw) not in seen:
                    seen.add(id(o.raw))
                    out.append(dict(o.raw))
        return out
    return [dict(o) for o in source]


def _label(field_name: str, obj: Any) -> str:
    """The `Kind/ns/name` of a snapshot object (only nodes, pods and kept objects are ever
    generated)."""
    kind = {"nodes": "Node", "pods": "Pod"}.get(field_name) or getattr(obj, "kind", "")
    return object_label(kind, getattr(obj, "namespace", None), obj.name)


def export_yaml(source: Snapshot | BuildResult | Iterable[Mapping[str, Any]]) -> str:
    """Multi-document YAML of export_objects(source)."""
    return yaml.dump_all(export_objects(source), Dumper=Dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, explicit_start=True)
