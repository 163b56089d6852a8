"""Which endpoints kube-proxy on one node uses for one Service port.

A transcription of kubernetes `pkg/proxy/topology.go` (CategorizeEndpoints) and
`pkg/proxy/serviceport.go` (UsesClusterEndpoints / UsesLocalEndpoints), without topology
hints (kubenet's Endpoint carries no EndpointSlice hints, so `topologyMode` is always "").
Also the health-check count of `pkg/proxy/endpointschangetracker.go`
(`LocalReadyEndpoints`), which the healthCheckNodePort server answers with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .types import LOAD_BALANCER, NODE_PORT, Endpoint, Service, ServicePort


@dataclass(frozen=True)
class PortInfo:
    """kube-proxy's BaseServicePortInfo for one Service port (one IP family)."""

    service: Service
    port: ServicePort
    external_policy_local: bool
    internal_policy_local: bool
    lb_vips: tuple[str, ...]

    @property
    def externally_accessible(self) -> bool:
        # serviceport.go ExternallyAccessible: a NodePort, a LoadBalancer VIP or an externalIP.
        return bool(self.port.node_port) or bool(self.lb_vips) or bool(self.service.external_ips)

    @property
    def uses_cluster_endpoints(self) -> bool:
        # serviceport.go: Cluster endpoints are needed for iTP Cluster, or for any external
        # traffic at all (even eTP Local short-circuits pod and node traffic to them).
        return not self.internal_policy_local or self.externally_accessible

    @property
    def uses_local_endpoints(self) -> bool:
        return self.internal_policy_local or (self.external_policy_local and self.externally_accessible)


def external_policy_local(svc: Service) -> bool:
    """pkg/api/v1/service/util.go ExternalPolicyLocal: only NodePort/LoadBalancer Services
    or Services with externalIPs have an external traffic policy."""
    if svc.type not in (NODE_PORT, LOAD_BALANCER) and not svc.external_ips:
        return False
    return svc.external_traffic_policy == "Local"


def needs_health_check(svc: Service) -> bool:
    """pkg/api/v1/service/util.go NeedsHealthCheck: LoadBalancer with eTP Local."""
    return svc.type == LOAD_BALANCER and external_policy_local(svc)


def lb_vips(svc: Service) -> tuple[str, ...]:
    """serviceport.go: load-balancer ingress IPs kube-proxy captures (ipMode VIP or unset;
    ipMode Proxy means the load balancer itself proxies and kube-proxy leaves the IP alone)."""
    if svc.type != LOAD_BALANCER:
        return ()
    return tuple(i.ip for i in svc.load_balancer_ingress if i.ip and i.ip_mode in (None, "", "VIP"))


def port_info(svc: Service, sp: ServicePort) -> PortInfo:
    return PortInfo(
        service=svc,
        port=sp,
        external_policy_local=external_policy_local(svc),
        internal_policy_local=svc.internal_traffic_policy == "Local",
        lb_vips=lb_vips(svc),
    )


@dataclass(frozen=True)
class Categorized:
    """CategorizeEndpoints' four results. `cluster`/`local` are None when the port never
    uses that kind of endpoints."""

    cluster: tuple[Endpoint, ...] | None
    local: tuple[Endpoint, ...] | None
    all_reachable: tuple[Endpoint, ...]
    has_any: bool
    local_fallback: bool = False  # Local endpoints are serving-terminating ones
    cluster_fallback: bool = False  # Cluster endpoints are serving-terminating ones


def _is_local(ep: Endpoint, node_name: str | None) -> bool:
    return node_name is not None and ep.node_name == node_name


def _serving_terminating(ep: Endpoint) -> bool:
    return ep.serving and ep.terminating


def categorize(endpoints: Iterable[Endpoint], info: PortInfo, node_name: str | None) -> Categorized:
    """topology.go CategorizeEndpoints, for the kube-proxy running on `node_name`.

    Usable endpoints are the Ready ones; when none is Ready, the serving-and-terminating ones
    (independently for Cluster and Local)."""
    eps = tuple(endpoints)
    if not eps:
        return Categorized(
            cluster=() if info.uses_cluster_endpoints else None,
            local=() if info.uses_local_endpoints else None,
            all_reachable=(), has_any=False,
        )
    cluster: tuple[Endpoint, ...] | None = None
    has_any = False
    cluster_fallback = False
    if info.uses_cluster_endpoints:
        cluster = tuple(e for e in eps if e.ready)
        if not cluster:
            cluster = tuple(e for e in eps if _serving_terminating(e))
            cluster_fallback = bool(cluster)
        has_any = bool(cluster)
    if not info.uses_local_endpoints:
        return Categorized(cluster, None, cluster or (), has_any, cluster_fallback=cluster_fallback)

    local_ready = local_st = False
    for e in eps:
        if e.ready:
            has_any = True
            local_ready = local_ready or _is_local(e, node_name)
        elif _serving_terminating(e):
            has_any = True
            local_st = local_st or _is_local(e, node_name)
    local: tuple[Endpoint, ...] = ()
    use_st = False
    if local_ready:
        local = tuple(e for e in eps if _is_local(e, node_name) and e.ready)
    elif local_st:
        use_st = True
        local = tuple(e for e in eps if _is_local(e, node_name) and _serving_terminating(e))
    if cluster is None:
        return Categorized(None, local, local, has_any, local_fallback=use_st)
    if not use_st:
        # local holds only Ready endpoints, all of which are in cluster.
        return Categorized(cluster, local, cluster, has_any, cluster_fallback=cluster_fallback)
    merged = {e.address: e for e in cluster}
    merged.update({e.address: e for e in local})
    return Categorized(cluster, local, tuple(merged.values()), has_any,
                       local_fallback=True, cluster_fallback=cluster_fallback)


def local_ready_count(endpoints: Iterable[Endpoint], node_name: str) -> int:
    """endpointschangetracker.go LocalReadyEndpoints: distinct IPs of Ready endpoints on the
    node (terminating ones fail the health check on purpose, so load balancers drain them)."""
    return len({e.ip for e in endpoints if e.ready and e.node_name == node_name})
