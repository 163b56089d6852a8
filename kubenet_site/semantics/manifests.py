"""Kubernetes YAML <-> Snapshot, the front of its three jobs:

- manifest_loading.py: reading YAML/JSON with the hostile-input limits (load_documents);
- cluster_block.py: the query document's `cluster:` block (parse_cluster);
- apiserver.py: the API server's create pipeline (build_snapshot -> BuildResult), with the
  kinds it models and how it names objects in kube_kinds.py;
- manifest_export.py: back to manifests (export_objects, export_yaml).
"""

from __future__ import annotations

from .apiserver import (
    BUILTIN_NAMESPACES,
    DEFAULT_EPOCH,
    BuildResult,
    build_snapshot,
    finding_names,
    generated_name,
)
from .cluster_block import parse_cluster
from .kube_kinds import CLUSTER_SCOPED, MODELLED, object_label
from .manifest_export import export_objects, export_yaml
from .manifest_loading import (
    MAX_ALIAS_EXPANSION,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_OBJECTS,
    ManifestError,
    load_documents,
    parse_yaml_documents,
)

__all__ = [
    "BUILTIN_NAMESPACES", "CLUSTER_SCOPED", "DEFAULT_EPOCH", "MAX_ALIAS_EXPANSION", "MAX_BYTES", "MAX_DEPTH",
    "MAX_NODES", "MAX_OBJECTS", "MODELLED", "BuildResult", "ManifestError", "build_snapshot", "export_objects",
    "export_yaml", "finding_names", "generated_name", "load_documents", "object_label", "parse_cluster", "parse_yaml_documents",
]
