"""A deterministic synthetic cluster for benchmarks and property tests.

`generate(pods=..., services=..., policies=..., seed=...)` builds a Snapshot shaped like a
real multi-team cluster: Deployments (ReplicaSet owners with a pod-template-hash), Services
of every type (headless, NodePort, LoadBalancer with an ingress IP, ExternalName, internal and
external traffic policy Local), NetworkPolicies (default-deny, app-to-app with named ports,
namespace selectors, ipBlocks over pod addresses with `except`, egress with a DNS allowance),
CoreDNS behind `kube-dns` and an ingress-nginx controller with a few Ingresses. The same
arguments always give the same Snapshot (one `random.Random(seed)`, no clock, no hashing).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from .types import (
    CLUSTER_IP,
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    ClusterConfig,
    Container,
    ContainerPort,
    Ingress,
    IngressBackend,
    IngressClass,
    IngressPath,
    IngressRule,
    IPBlock,
    LabelSelector,
    LoadBalancerIngress,
    Namespace,
    NetworkPolicy,
    Node,
    NodeAddress,
    OwnerReference,
    Pod,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    Requirement,
    Service,
    ServicePort,
    Snapshot,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SAFE = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery rand.SafeEncodeString alphabet
TIERS = ("web", "api", "db", "cache", "worker")
BUILTIN = ("default", "kube-system", "kube-public", "kube-node-lease")


def _hash(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SAFE) for _ in range(n))


def _ip(net: int, host: int) -> str:
    return f"10.244.{net}.{host}"


class _Gen:
    def __init__(self, pods: int, services: int, policies: int, nodes: int | None, seed: int,
                 local_policies: bool, ip_blocks: bool, host_network: bool = True) -> None:
        self.host_network = host_network
        self.rng = random.Random(seed)
        self.n_pods, self.n_svcs, self.n_pols = pods, services, policies
        self.n_nodes = nodes if nodes is not None else max(2, min(500, pods // 100))
        self.local_policies, self.ip_blocks = local_policies, ip_blocks
        self.minute = 0

    def when(self) -> datetime:
        self.minute += 1
        return T0 + timedelta(minutes=self.minute)

    def build(self) -> Snapshot:
        rng = self.rng
        n_ns = max(2, min(60, self.n_pods // 200))
        self.namespaces = [Namespace(name=n, creation_timestamp=T0) for n in BUILTIN] + [
            Namespace(name=f"team-{i:02d}", creation_timestamp=T0,
                      labels={"team": f"t{i % 7}", "env": rng.choice(("prod", "dev"))})
            for i in range(n_ns)
        ]
        self.app_ns = [n.name for n in self.namespaces[len(BUILTIN):]]
        self.nodes = []
        self.node_next: list[int] = []
        for i in range(self.n_nodes):
            self.nodes.append(Node(
                name=f"node-{i:03d}",
                labels={"topology.kubernetes.io/zone": f"zone-{'abc'[i % 3]}"},
                addresses=(NodeAddress("InternalIP", f"10.0.{i // 250}.{i % 250 + 1}"),
                           NodeAddress("Hostname", f"node-{i:03d}")),
                pod_cidrs=(f"10.244.{i}.0/24",),
                creation_timestamp=T0,
            ))
            self.node_next.append(2)
        self.pods: list[Pod] = []
        self.workloads: list[tuple[str, str, dict[str, str], bool]] = []  # ns, name, labels, named
        self._system()
        self._workloads()
        self.services: list[Service] = [
            Service(namespace="default", name="kubernetes", cluster_ip="10.96.0.1", cluster_ips=("10.96.0.1",),
                    ports=(ServicePort(443, "https", "TCP", 6443),), creation_timestamp=T0),
            Service(namespace="kube-system", name="kube-dns", cluster_ip="10.96.0.10",
                    cluster_ips=("10.96.0.10",), selector={"k8s-app": "kube-dns"}, creation_timestamp=T0,
                    ports=(ServicePort(53, "dns", "UDP", 53), ServicePort(53, "dns-tcp", "TCP", 53),
                           ServicePort(9153, "metrics", "TCP", 9153))),
            Service(namespace="ingress-nginx", name="ingress-nginx-controller", type=LOAD_BALANCER,
                    cluster_ip="10.96.0.20", cluster_ips=("10.96.0.20",), external_traffic_policy="Cluster",
                    selector={"app.kubernetes.io/name": "ingress-nginx"}, creation_timestamp=T0,
                    load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.10"),),
                    ports=(ServicePort(80, "http", "TCP", "http", 30080),
                           ServicePort(443, "https", "TCP", "https", 30443))),
        ]
        if self.host_network:  # a Service whose backends are host-network pods
            self.services.append(Service(
                namespace="kube-system", name="node-agent", cluster_ip="10.96.0.30", cluster_ips=("10.96.0.30",),
                selector={"app": "node-agent"}, ports=(ServicePort(9100, "metrics", "TCP", "metrics"),),
                creation_timestamp=T0))
        self._services()
        self.policies: list[NetworkPolicy] = []
        self._policies()
        ingresses = self._ingresses()
        return Snapshot(
            cluster=ClusterConfig(),
            namespaces=tuple(self.namespaces),
            nodes=tuple(self.nodes),
            pods=tuple(self.pods),
            services=tuple(self.services),
            ingress_classes=(IngressClass(name="nginx", controller="k8s.io/ingress-nginx", is_default=True,
                                          creation_timestamp=T0),),
            ingresses=tuple(ingresses),
            network_policies=tuple(self.policies),
        )

    # --- pods -------------------------------------------------------------------------
    def _place(self) -> tuple[str, str]:
        i = self.rng.randrange(self.n_nodes)
        for k in range(self.n_nodes):  # next node with a free address
            j = (i + k) % self.n_nodes
            if self.node_next[j] < 255:
                host = self.node_next[j]
                self.node_next[j] += 1
                return self.nodes[j].name, _ip(j, host)
        raise ValueError("too many pods for the nodes' /24 pod CIDRs")

    def _pod_on(self, i: int, ns: str, name: str, labels: dict[str, str], owner: OwnerReference | None,
                ports: tuple[ContainerPort, ...], **kw: bool) -> Pod:
        return self._pod(ns, name, labels, owner, ports, node=i, **kw)

    def _pod(self, ns: str, name: str, labels: dict[str, str], owner: OwnerReference | None,
             ports: tuple[ContainerPort, ...], *, ready: bool = True, terminating: bool = False,
             host_network: bool = False, node: int | None = None) -> Pod:
        if node is None:
            node_name, ip = self._place()
        else:
            node_name, ip = self.nodes[node].name, ""
        nd = self.nodes[int(node_name[5:])]
        if host_network:
            ip = nd.internal_ip or ip
        return Pod(
            namespace=ns, name=name, labels=labels, node_name=node_name, pod_ips=(ip,),
            host_ip=nd.internal_ip, phase="Running", ready=ready,
            owner_references=(owner,) if owner else (),
            deletion_timestamp=self.when() if terminating else None, host_network=host_network,
            creation_timestamp=self.when(),
            containers=(Container(name="main", ports=ports),),
        )

    def _system(self) -> None:
        for i in range(2):
            self.pods.append(self._pod(
                "kube-system", f"coredns-5d78c9869d-{_hash(self.rng, 5)}{i}", {"k8s-app": "kube-dns",
                                                                             "pod-template-hash": "5d78c9869d"},
                OwnerReference("ReplicaSet", "coredns-5d78c9869d", True, "apps/v1"),
                (ContainerPort(53, "dns", "UDP"), ContainerPort(53, "dns-tcp", "TCP"),
                 ContainerPort(9153, "metrics", "TCP"))))
        self.pods.append(self._pod(
            "ingress-nginx", f"ingress-nginx-controller-7c6974c4d8-{_hash(self.rng, 5)}",
            {"app.kubernetes.io/name": "ingress-nginx", "pod-template-hash": "7c6974c4d8"},
            OwnerReference("ReplicaSet", "ingress-nginx-controller-7c6974c4d8", True, "apps/v1"),
            (ContainerPort(80, "http"), ContainerPort(443, "https"))))
        for i in range(min(len(self.nodes), max(1, self.n_pods // 500)) if self.host_network else 0):
            # a hostNetwork DaemonSet (node agents), one pod on each of the first nodes
            self.pods.append(self._pod_on(i, "kube-system", f"node-agent-{_hash(self.rng, 5)}",
                                          {"app": "node-agent"},
                                          OwnerReference("DaemonSet", "node-agent", True, "apps/v1"),
                                          (ContainerPort(9100, "metrics"),), host_network=True))
        self.namespaces.append(Namespace(name="ingress-nginx", creation_timestamp=T0,
                                         labels={"app.kubernetes.io/name": "ingress-nginx"}))

    def _workloads(self) -> None:
        rng = self.rng
        left = self.n_pods - len(self.pods)
        w = 0
        while left > 0:
            ns = rng.choice(self.app_ns)
            tier = TIERS[w % len(TIERS)]
            name = f"{tier}-{w:04d}"
            labels = {"app": name, "tier": tier}
            if rng.random() < 0.3:
                labels["version"] = rng.choice(("v1", "v2"))
            named = rng.random() < 0.7
            ports = (ContainerPort(8080, "http"), ContainerPort(9090, "metrics"))
            if named and rng.random() < 0.2:
                ports = (ContainerPort(8081, "http"), ContainerPort(9090, "metrics"))
            replicas = min(left, rng.randint(1, 9))
            kind = rng.random()
            if kind < 0.85:
                h = _hash(rng, 10)
                owner: OwnerReference | None = OwnerReference("ReplicaSet", f"{name}-{h}", True, "apps/v1")
                lbl = {**labels, "pod-template-hash": h}
                names = [f"{name}-{h}-{_hash(rng, 5)}" for _ in range(replicas)]
            elif kind < 0.95:
                owner = OwnerReference("StatefulSet", name, True, "apps/v1")
                lbl = labels
                names = [f"{name}-{i}" for i in range(replicas)]
            else:
                owner, lbl, replicas = None, labels, 1
                names = [name]
            self.workloads.append((ns, name, labels, named))
            for pn in names:
                r = rng.random()
                p = self._pod(ns, pn, dict(lbl), owner, ports, ready=r > 0.05, terminating=0.05 < r < 0.07)
                if 0.07 < r < 0.09:  # resolvers that do not use the cluster DNS
                    p = replace(p, dns_policy="Default")
                elif 0.09 < r < 0.095:  # not started yet: no IP
                    p = replace(p, phase="Pending", pod_ips=(), ready=False)
                elif 0.095 < r < 0.1:  # finished: its IP is released
                    p = replace(p, phase="Succeeded", ready=False)
                self.pods.append(p)
            left -= replicas
            w += 1

    # --- services ---------------------------------------------------------------------
    def _services(self) -> None:
        rng = self.rng
        next_ip = 100
        # One counter for node ports and health-check node ports: unique across the cluster, as the
        # API server's allocator keeps them, and clear of the ingress controller's 30080/30443.
        free_node_ports = (p for p in range(30100, 32768) if p not in (30080, 30443))
        count = 0
        while count < self.n_svcs:
            ns, app, labels, named = self.workloads[count % len(self.workloads)]
            r = rng.random()
            stype = CLUSTER_IP if r < 0.65 else NODE_PORT if r < 0.8 else LOAD_BALANCER if r < 0.93 \
                else EXTERNAL_NAME
            name = f"{app}-{count:04d}" if count >= len(self.workloads) else app
            target: int | str = "http" if named else 8080
            ports = [ServicePort(80, "http", "TCP", target)]
            if rng.random() < 0.25:
                ports.append(ServicePort(9090, "metrics", "TCP", "metrics" if named else 9090))
            kw: dict = {}
            if stype == EXTERNAL_NAME:
                self.services.append(Service(namespace=ns, name=name, type=EXTERNAL_NAME,
                                             external_name=f"{app}.example.com", creation_timestamp=self.when()))
                count += 1
                continue
            ip = f"10.{96 + next_ip // 65536}.{next_ip // 256 % 256}.{next_ip % 256}"
            next_ip += 1
            cip = ip
            if stype == CLUSTER_IP and rng.random() < 0.07:
                cip = "None"
            if stype in (NODE_PORT, LOAD_BALANCER):
                ports = [ServicePort(p.port, p.name, p.protocol, p.target_port, next(free_node_ports))
                         for p in ports]
                local = self.local_policies and rng.random() < 0.4
                kw["external_traffic_policy"] = "Local" if local else "Cluster"
                if local:
                    kw["health_check_node_port"] = next(free_node_ports)
            if stype == LOAD_BALANCER:
                kw["load_balancer_ingress"] = (LoadBalancerIngress(ip=f"198.18.{count // 250}.{count % 250 + 1}"),)
            if self.local_policies and count % 100 == 3:  # rare in real clusters (node-local agents)
                kw["internal_traffic_policy"] = "Local"
            if stype == CLUSTER_IP and cip != "None" and count % 50 == 7:  # externalIPs, rarely
                kw["external_ips"] = (f"192.0.2.{count // 50 % 250 + 1}",)
            sel = {"app": app} if rng.random() < 0.9 else {"tier": labels["tier"]}
            self.services.append(Service(
                namespace=ns, name=name, type=stype, cluster_ip=cip,
                cluster_ips=() if cip == "None" else (cip,), ports=tuple(ports), selector=sel,
                creation_timestamp=self.when(), **kw))
            count += 1

    # --- policies ---------------------------------------------------------------------
    def _policies(self) -> None:
        rng = self.rng
        made = 0
        app_pods = [p for p in self.pods if p.namespace.startswith("team-")]
        self.marked = [app_pods[rng.randrange(len(app_pods))] for _ in range(5)] if app_pods else self.pods[:1]
        dns_peer = PolicyPeer(pod_selector=LabelSelector({"k8s-app": "kube-dns"}),
                              namespace_selector=LabelSelector({"kubernetes.io/metadata.name": "kube-system"}))
        while made < self.n_pols:
            ns, app, labels, named = self.workloads[rng.randrange(len(self.workloads))]
            kind = made % 10
            name = f"np-{made:04d}"
            target = LabelSelector({"app": app})
            http = PolicyPort("TCP", "http" if named else 8080)
            if kind == 0:  # default deny ingress for the namespace
                pol = NetworkPolicy(ns, name, LabelSelector())
            elif kind == 1:  # default deny egress with a DNS allowance
                pol = NetworkPolicy(ns, name, LabelSelector({"tier": labels["tier"]}),
                                    ("Ingress", "Egress") if rng.random() < 0.3 else ("Egress",),
                                    egress=(PolicyRule((dns_peer,), (PolicyPort("UDP", 53), PolicyPort("TCP", 53))),
                                            PolicyRule((PolicyPeer(pod_selector=LabelSelector(
                                                {"tier": rng.choice(TIERS)})),))))
            elif kind in (2, 3, 4):  # app to app on the named port
                other = self.workloads[rng.randrange(len(self.workloads))]
                pol = NetworkPolicy(ns, name, target, ingress=(PolicyRule(
                    (PolicyPeer(pod_selector=LabelSelector({"app": other[1]})),), (http,)),))
            elif kind == 5:  # from a team's namespaces, tier expression
                pol = NetworkPolicy(ns, name, target, ingress=(PolicyRule((PolicyPeer(
                    pod_selector=LabelSelector(match_expressions=(
                        Requirement("tier", "In", (rng.choice(TIERS), rng.choice(TIERS))),)),
                    namespace_selector=LabelSelector({"team": f"t{rng.randrange(7)}"})),),),))
            elif kind == 6 and self.ip_blocks:  # ipBlock over pod addresses: a node's range, or one pod
                if rng.random() < 0.5:
                    net = rng.randrange(min(2, self.n_nodes))
                    blk = IPBlock(f"10.244.{net}.0/24", (f"10.244.{net}.{rng.randrange(0, 64, 16)}/28",))
                else:
                    blk = IPBlock(f"{rng.choice(self.marked).ip}/32")
                pol = NetworkPolicy(ns, name, target, ingress=(PolicyRule(
                    (PolicyPeer(ip_block=blk),), (PolicyPort("TCP", 8000, 8100),)),))
            elif kind == 7 and self.ip_blocks:  # egress to an ipBlock over pod addresses, with except
                net = rng.randrange(min(2, self.n_nodes))
                pol = NetworkPolicy(ns, name, target, ("Ingress", "Egress"), egress=(
                    PolicyRule((PolicyPeer(ip_block=IPBlock("10.244.0.0/16", (f"10.244.{net}.0/24",))),)),
                    PolicyRule((dns_peer,), (PolicyPort("UDP", 53),))))
            elif kind == 8:  # NotIn / DoesNotExist and env-labelled namespaces
                pol = NetworkPolicy(ns, name, LabelSelector(match_expressions=(
                    Requirement("version", "NotIn", ("v2",)),)), ingress=(PolicyRule((PolicyPeer(
                        namespace_selector=LabelSelector({"env": rng.choice(("prod", "dev"))})),
                        PolicyPeer(pod_selector=LabelSelector(match_expressions=(
                            Requirement("version", "DoesNotExist"),)))), (http, PolicyPort("TCP", 9090))),))
            else:  # allow everything to one app (an empty rule)
                pol = NetworkPolicy(ns, name, target, ingress=(PolicyRule(),))
            self.policies.append(pol)
            made += 1

    # --- ingress ----------------------------------------------------------------------
    def _ingresses(self) -> list[Ingress]:
        out = []
        web = [s for s in self.services if s.type == CLUSTER_IP and s.cluster_ip != "None"
               and s.namespace.startswith("team-")][: max(1, self.n_svcs // 100)]
        for i, s in enumerate(web):
            host = None if i == 0 else f"app{i}.example.com"
            out.append(Ingress(
                namespace=s.namespace, name=f"ing-{i:03d}", ingress_class_name="nginx",
                rules=(IngressRule(host=host, paths=(
                    IngressPath("/", "Prefix", IngressBackend(s.name, port_number=80)),
                    IngressPath("/api", "Exact", IngressBackend(s.name, port_name="http")))),),
                creation_timestamp=self.when()))
        return out


def generate(pods: int = 2000, services: int | None = None, policies: int | None = None,
             nodes: int | None = None, seed: int = 0, *, local_policies: bool = True,
             ip_blocks: bool = True, host_network: bool = True) -> Snapshot:
    """A synthetic Snapshot: by default S = pods/5 Services and P = pods/10 policies
    (10,000 pods: 2,000 Services, 1,000 policies), one node per 100 pods."""
    s = services if services is not None else max(1, pods // 5)
    p = policies if policies is not None else max(1, pods // 10)
    return _Gen(pods, s, p, nodes, seed, local_policies, ip_blocks, host_network).build()
