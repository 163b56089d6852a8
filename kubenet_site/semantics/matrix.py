"""Reachability matrices, kept compressed (architecture.md "Matrices stay compressed").

`service_matrix(snap, service_type)` answers, for every client and every Service of one type
(or every served Ingress host+path), whether a connection gets through and why not:

- rows: pods grouped by namespace and workload (pod_classes.workload_of), one row per
  workload and behaviour class: a workload whose pods behave differently is split into rows
  labelled `ns/name (k of n pods)`; then every node (`node:<name>`), then `external`;
- columns: one per Service port (`svc:<ns>/<name>:<port>/<PROTO>`), one per ExternalName
  Service, or one per served Ingress (host, path);
- cells: indices into `verdicts`, the distinct Verdicts. Outcomes: `reachable`, `blocked`,
  `partial` (backends, nodes or a row's members disagree; details say which),
  `not-applicable` (an outside client and a cluster IP), `not-proxied` (ExternalName, and a
  headless Service for clients without cluster DNS).

A cell for pods is: the Service name resolves (policy_dns.dns_access: UDP 53 to the cluster DNS
allowed by NetworkPolicy, and a resolver that uses the cluster DNS), kube-proxy delivers
(proxy.trace from a representative pod to the cluster IP), and NetworkPolicy allows the
connection at every backend after DNAT (policy.py's egress AND ingress, judged per class in
matrix_eval.py). Nodes: proxy.trace from the node, then NetworkPolicy with the node as source
(a pod's own node is always allowed). External: NodePort through each node's IP, the load
balancer through its address; with externalTrafficPolicy Cluster the receiving node SNATs
the client, so policies at the backend see that node's IP (an ipBlock for the client's
address does not match; a backend on the receiving node counts as its own node), with Local
the client's IP is preserved and nodes without a local endpoint drop it (proxy.py).

Rows whose members differ in a cell (a node-dependent column: internalTrafficPolicy Local,
or a hostNetwork backend and the own-node rule) get a `partial` cell whose details count the
members per outcome; `expand_row` gives each member's exact verdicts.

This module is the front: matrix_result.py holds the matrix as a value (Group,
CompressedMatrix, canonical, merge_blocks, its JSON form), matrix_cells.py the cell evaluator,
matrix_service.py and matrix_pods.py the two matrix types (matrix_service_cells.py and
matrix_ingress.py their columns).
"""

from __future__ import annotations

from .matrix_cells import SERVICE_TYPES, service_columns
from .matrix_pods import pod_matrix
from .matrix_result import (
    BLOCKED,
    NOT_APPLICABLE,
    NOT_PROXIED,
    PARTIAL,
    REACHABLE,
    CompressedMatrix,
    Group,
    canonical,
    matrix_from_json,
    matrix_json,
    merge_blocks,
)
from .matrix_service import service_matrix

__all__ = [
    "BLOCKED", "NOT_APPLICABLE", "NOT_PROXIED", "PARTIAL", "REACHABLE", "SERVICE_TYPES",
    "CompressedMatrix", "Group", "canonical", "matrix_from_json", "matrix_json", "merge_blocks", "pod_matrix",
    "service_columns", "service_matrix",
]
