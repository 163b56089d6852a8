"""Tiny builders for table-driven semantics tests (architecture.md "Tests").

`pod("a", ns="x", labels={"app": "web"}, ip="10.244.1.7")` and friends build the engine's
frozen dataclasses directly, with a real cluster's usual values as defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from kubenet_site.semantics.labels import parse_selector
from kubenet_site.semantics.types import (
    CLUSTER_IP,
    ClusterConfig,
    Container,
    ContainerPort,
    Namespace,
    Node,
    NodeAddress,
    Pod,
    Service,
    ServicePort,
    Snapshot,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A creation time `minutes` after T0."""
    return T0 + timedelta(minutes=minutes)


def ports(*specs: str) -> tuple[ContainerPort, ...]:
    """`ports("http:8080", "9090/UDP", "dns:53/UDP")` -> container ports."""
    out = []
    for spec in specs:
        name, _, rest = spec.rpartition(":") if ":" in spec else ("", "", spec)
        num, _, proto = rest.partition("/")
        out.append(ContainerPort(container_port=int(num), name=name or None, protocol=proto or "TCP"))
    return tuple(out)


def pod(
    name: str,
    ns: str = "default",
    labels: dict[str, str] | None = None,
    ip: str | Iterable[str] | None = "10.244.0.1",
    node: str | None = "node-1",
    ready: bool = True,
    phase: str = "Running",
    terminating: bool = False,
    container_ports: tuple[ContainerPort, ...] = (),
    created: float = 0,
    **kw: Any,
) -> Pod:
    ips: tuple[str, ...] = () if ip is None else ((ip,) if isinstance(ip, str) else tuple(ip))
    containers = kw.pop("containers", (Container(name="main", ports=container_ports),))
    return Pod(
        namespace=ns,
        name=name,
        labels=labels or {},
        pod_ips=ips,
        node_name=node,
        ready=ready,
        phase=phase,
        deletion_timestamp=at(created + 60) if terminating else None,
        containers=containers,
        creation_timestamp=at(created),
        **kw,
    )


def sport(port: int, target: int | str | None = None, name: str = "", protocol: str = "TCP",
          node_port: int | None = None) -> ServicePort:
    return ServicePort(port=port, name=name, protocol=protocol,
                       target_port=port if target is None else target, node_port=node_port)


def svc(
    name: str,
    ns: str = "default",
    selector: dict[str, str] | None = None,
    ports: tuple[ServicePort, ...] = (),
    cluster_ip: str | None = "10.96.0.100",
    type: str = CLUSTER_IP,
    created: float = 0,
    **kw: Any,
) -> Service:
    if "external_traffic_policy" not in kw and type in ("NodePort", "LoadBalancer"):
        kw["external_traffic_policy"] = "Cluster"
    ips = (cluster_ip,) if cluster_ip and cluster_ip != "None" else ()
    return Service(
        namespace=ns, name=name, type=type, selector=selector, ports=ports,
        cluster_ip=cluster_ip, cluster_ips=kw.pop("cluster_ips", ips),
        creation_timestamp=at(created), **kw,
    )


def node(name: str, ip: str, zone: str | None = None, labels: dict[str, str] | None = None,
         external_ip: str | None = None) -> Node:
    lbl = dict(labels or {})
    if zone:
        lbl["topology.kubernetes.io/zone"] = zone
    addrs = [NodeAddress("InternalIP", ip), NodeAddress("Hostname", name)]
    if external_ip:
        addrs.append(NodeAddress("ExternalIP", external_ip))
    return Node(name=name, labels=lbl, addresses=tuple(addrs))


def ns(name: str, **labels: str) -> Namespace:
    return Namespace(name=name, labels=labels)


def selector(data: dict[str, Any] | None):
    """A LabelSelector from its YAML form (`{"matchLabels": {...}}`); None stays None."""
    return parse_selector(data)


BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def snapshot(*objects: Any, cluster: ClusterConfig | None = None, **kw: Any) -> Snapshot:
    """A Snapshot of the given objects, sorted into their fields by type, plus the
    built-in namespaces and every namespace a pod or Service names."""
    buckets: dict[type, list[Any]] = {}
    for o in objects:
        buckets.setdefault(type(o), []).append(o)
    names = {n.name for n in buckets.get(Namespace, [])}
    extra = [Namespace(name=n) for n in BUILTIN_NAMESPACES if n not in names]
    for o in buckets.get(Pod, []) + buckets.get(Service, []):
        if o.namespace not in names and all(e.name != o.namespace for e in extra):
            extra.append(Namespace(name=o.namespace))
    fields = {
        "namespaces": tuple(extra + buckets.pop(Namespace, [])),
        "nodes": tuple(buckets.pop(Node, [])),
        "pods": tuple(buckets.pop(Pod, [])),
        "services": tuple(buckets.pop(Service, [])),
    }
    from kubenet_site.semantics import types as t

    for cls, fname in ((t.EndpointSlice, "endpoint_slices"), (t.IngressClass, "ingress_classes"),
                       (t.Ingress, "ingresses"), (t.NetworkPolicy, "network_policies"),
                       (t.OtherObject, "others")):
        fields[fname] = tuple(buckets.pop(cls, []))
    if buckets:
        raise TypeError(f"snapshot() cannot place {list(buckets)}")
    fields.update(kw)
    return Snapshot(cluster=cluster or ClusterConfig(), **fields)
