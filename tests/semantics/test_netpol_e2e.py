"""Upstream NetworkPolicy e2e scenarios as truth-table rows.

Source: kubernetes/kubernetes test/e2e/network/netpol/network_policy.go (the 9x9 version: every
test probes all of x/a..z/c), the model of model.go and the policy helpers of policies.go /
k8s_util.go. Each expected table is transcribed by hand from the case's `Expect*` calls on a
default-true Reachability (loopback ignored upstream, `.` here).

The model (model.go):

Namespaces x, y, z (labelled `ns: <name>`, plus kubernetes.io/metadata.name from the API
server); pods a, b, c in each (labelled `pod: <name>`), one container per port and protocol,
each port named `serve-<port>-<protocol>` (model.go Container.PortName).
"""

from __future__ import annotations

from typing import Any

import pytest

from kubenet_site.semantics.reachability import answer_reachability, pod_truth_table, pod_verdicts
from kubenet_site.semantics.types import (
    Container,
    ContainerPort,
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    Requirement,
)
from tests.semantics.builders import node, ns, pod, snapshot

NAMESPACES = ("x", "y", "z")
POD_NAMES = ("a", "b", "c")
ALL_PODS = [f"{n}/{p}" for n in NAMESPACES for p in POD_NAMES]
PORTS = (80, 81)
PROTOCOLS = ("TCP", "UDP", "SCTP")

# Pod IPs: x/a 10.244.1.1 ... z/c 10.244.3.3 (namespace index . pod index).
POD_IP = {f"{n}/{p}": f"10.244.{i + 1}.{j + 1}" for i, n in enumerate(NAMESPACES) for j, p in enumerate(POD_NAMES)}
NODES = (node("node-1", "192.168.0.1"), node("node-2", "192.168.0.2"), node("node-3", "192.168.0.3"))


def model_containers() -> tuple[Container, ...]:
    return tuple(
        Container(name=f"cont-{port}-{proto.lower()}",
                  ports=(ContainerPort(port, f"serve-{port}-{proto.lower()}", proto),))
        for port in PORTS for proto in PROTOCOLS
    )


def model_objects(pod_labels: dict[str, dict[str, str]] | None = None,
                  ns_labels: dict[str, dict[str, str]] | None = None) -> list[Any]:
    """Namespaces, nodes and pods of the model; extra labels per `ns/pod` or namespace."""
    objs: list[Any] = [ns(n, ns=n, **(ns_labels or {}).get(n, {})) for n in NAMESPACES]
    objs += list(NODES)
    for j, p in enumerate(POD_NAMES):
        for n in NAMESPACES:
            key = f"{n}/{p}"
            labels = {"pod": p, **(pod_labels or {}).get(key, {})}
            objs.append(pod(p, ns=n, labels=labels, ip=POD_IP[key], node=f"node-{j + 1}",
                            containers=model_containers()))
    return objs


def model_snapshot(*policies: NetworkPolicy, pod_labels: dict[str, dict[str, str]] | None = None,
                   ns_labels: dict[str, dict[str, str]] | None = None):
    return snapshot(*model_objects(pod_labels, ns_labels), *policies)


# ----------------------------------------------------------------- policy builders (upstream style)

def labels(**kv: str) -> LabelSelector:
    return LabelSelector(match_labels=kv)


def expr(key: str, op: str, *values: str) -> LabelSelector:
    return LabelSelector(match_expressions=(Requirement(key, op, tuple(values)),))


EVERYTHING = LabelSelector()


def peer(pods: LabelSelector | None = None, namespaces: LabelSelector | None = None,
         cidr: str | None = None, except_: tuple[str, ...] = ()) -> PolicyPeer:
    return PolicyPeer(pod_selector=pods, namespace_selector=namespaces,
                      ip_block=IPBlock(cidr, except_) if cidr else None)


def port(number: int | str | None = None, protocol: str = "TCP", end: int | None = None) -> PolicyPort:
    return PolicyPort(protocol=protocol, port=number, end_port=end)


def rule(*peers: PolicyPeer, ports: tuple[PolicyPort, ...] = ()) -> PolicyRule:
    return PolicyRule(peers=tuple(peers), ports=ports)


def netpol(name: str, namespace: str, selector: LabelSelector, ingress: list[PolicyRule] | None = None,
           egress: list[PolicyRule] | None = None, types: tuple[str, ...] | None = None) -> NetworkPolicy:
    """Like upstream GenNetworkPolicy + SetSpecIngressRules/SetSpecEgressRules: each rules list
    that is given (even empty) adds its policy type, unless `types` is explicit."""
    if types is None:
        types = (("Ingress",) if ingress is not None else ()) + (("Egress",) if egress is not None else ())
    return NetworkPolicy(namespace=namespace, name=name, pod_selector=selector, policy_types=types,
                         ingress=tuple(ingress or ()), egress=tuple(egress or ()))


def table(text: str) -> list[str]:
    """A literal truth table: one `ns/pod: ...` line per source."""
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


# ----------------------------------------------------------------- expected truth tables (literal)
# Column order everywhere: x/a x/b x/c y/a y/b y/c z/a z/b z/c.

ALL_OPEN = table("""
x/a: .........
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
""")

# ExpectPeer(&Peer{}, &Peer{Namespace: x}, false): nothing enters namespace x.
INTO_X_BLOCKED = table("""
x/a: .XX......
x/b: X.X......
x/c: XX.......
y/a: XXX......
y/b: XXX......
y/c: XXX......
z/a: XXX......
z/b: XXX......
z/c: XXX......
""")

# ExpectPeer(&Peer{Namespace: x}, &Peer{}, false): nothing leaves namespace x.
OUT_OF_X_BLOCKED = table("""
x/a: .XXXXXXXX
x/b: X.XXXXXXX
x/c: XX.XXXXXX
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
""")

# ExpectAllIngress(x/a, false): nothing reaches x/a.
INTO_XA_BLOCKED = table("""
x/a: .........
x/b: X........
x/c: X........
y/a: X........
y/b: X........
y/c: X........
z/a: X........
z/b: X........
z/c: X........
""")

# ExpectAllIngress(x/a, false) + Expect(x/b, x/a, true).
XA_ONLY_FROM_XB = table("""
x/a: .........
x/b: .........
x/c: X........
y/a: X........
y/b: X........
y/c: X........
z/a: X........
z/b: X........
z/c: X........
""")

# ExpectPeer({x}, {x, a}, false) + ExpectPeer({z}, {x, a}, false): x/a only from namespace y.
XA_ONLY_FROM_Y = table("""
x/a: .........
x/b: X........
x/c: X........
y/a: .........
y/b: .........
y/c: .........
z/a: X........
z/b: X........
z/c: X........
""")

# ExpectAllIngress(x/a, false) + Expect(y/a, x/a, true).
XA_ONLY_FROM_YA = table("""
x/a: .........
x/b: X........
x/c: X........
y/a: .........
y/b: X........
y/c: X........
z/a: X........
z/b: X........
z/c: X........
""")

# ExpectAllEgress(x/a, false): x/a reaches nothing.
OUT_OF_XA_BLOCKED = table("""
x/a: .XXXXXXXX
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
""")

DENY_ALL_X = table("""
x/a: .XXXXXXXX
x/b: X.XXXXXXX
x/c: XX.XXXXXX
y/a: XXX......
y/b: XXX......
y/c: XXX......
z/a: XXX......
z/b: XXX......
z/c: XXX......
""")

X_ = "x"
NS_LABEL = "kubernetes.io/metadata.name"


def deny_ingress(name: str = "deny-ingress") -> NetworkPolicy:
    return netpol(name, "x", EVERYTHING, ingress=[])


SCENARIOS = [
    pytest.param([deny_ingress()], 80, "TCP", INTO_X_BLOCKED,
                 id="should support a 'default-deny-ingress' policy"),
    pytest.param([netpol("deny-all", "x", EVERYTHING, ingress=[], egress=[])], 80, "TCP", DENY_ALL_X,
                 id="should support a 'default-deny-all' policy"),
    pytest.param([netpol("x-a-allows-x-b", "x", labels(pod="a"), ingress=[rule(peer(pods=labels(pod="b")))])],
                 80, "TCP", XA_ONLY_FROM_XB,
                 id="should enforce policy to allow traffic from pods within server namespace based on PodSelector"),
    pytest.param([netpol("deny-all", "x", EVERYTHING, ingress=[]),
                  netpol("allow-all-to-a", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=EVERYTHING, namespaces=EVERYTHING))])],
                 80, "TCP", table("""
x/a: .XX......
x/b: ..X......
x/c: .X.......
y/a: .XX......
y/b: .XX......
y/c: .XX......
z/a: .XX......
z/b: .XX......
z/c: .XX......
"""), id="should enforce policy to allow ingress traffic for a target"),
    pytest.param([netpol("allow-from-another-ns", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels()))])],
                 80, "TCP", ALL_OPEN, id="should enforce policy to allow ingress traffic from pods in all namespaces"),
    pytest.param([netpol("allow-client-a-via-ns-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})))])],
                 80, "TCP", XA_ONLY_FROM_Y,
                 id="should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector"),
    pytest.param([netpol("x-a-allows-x-b", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=expr("pod", "In", "b")))])],
                 80, "TCP", XA_ONLY_FROM_XB, id="should enforce policy based on PodSelector with MatchExpressions"),
    pytest.param([netpol("allow-ns-y-match-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=expr(NS_LABEL, "In", "y")))])],
                 80, "TCP", XA_ONLY_FROM_Y, id="should enforce policy based on NamespaceSelector with MatchExpressions"),
    pytest.param([netpol("allow-ns-y-match-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=expr(NS_LABEL, "NotIn", "x")),
                                       peer(pods=labels(pod="b")))])],
                 80, "TCP", table("""
x/a: .........
x/b: .........
x/c: X........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
"""), id="should enforce policy based on PodSelector or NamespaceSelector"),
    pytest.param([netpol("allow-ns-y-podselector-and-nsselector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="b"), namespaces=expr(NS_LABEL, "NotIn", "x")))])],
                 80, "TCP", table("""
x/a: .........
x/b: X........
x/c: X........
y/a: X........
y/b: .........
y/c: X........
z/a: X........
z/b: .........
z/c: X........
"""), id="should enforce policy based on PodSelector and NamespaceSelector"),
    pytest.param([netpol("allow-ns-y-z-pod-b-c", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=expr("pod", "In", "b", "c"),
                                            namespaces=expr(NS_LABEL, "NotIn", "x")))])],
                 80, "TCP", table("""
x/a: .........
x/b: X........
x/c: X........
y/a: X........
y/b: .........
y/c: .........
z/a: X........
z/b: .........
z/c: .........
"""), id="should enforce policy based on Multiple PodSelectors and NamespaceSelectors"),
    pytest.param([netpol("allow-ns-x-pod-b-c", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="b")), peer(pods=labels(pod="c")))])],
                 80, "TCP", table("""
x/a: .........
x/b: .........
x/c: .........
y/a: X........
y/b: X........
y/c: X........
z/a: X........
z/b: X........
z/c: X........
"""), id="should enforce policy based on any PodSelectors"),
    pytest.param([netpol("allow-ns-y-pod-a-via-namespace-pod-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="a"), namespaces=labels(**{NS_LABEL: "y"})))])],
                 80, "TCP", XA_ONLY_FROM_YA,
                 id="should enforce policy to allow traffic only from a pod in a different namespace based on "
                    "PodSelector and NamespaceSelector"),
    pytest.param([netpol("allow-client-a-via-ns-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})), ports=(port(81),))])],
                 81, "TCP", XA_ONLY_FROM_Y, id="should enforce policy based on Ports"),
    # "should enforce multiple, stacked policies with overlapping podSelectors": three probes.
    pytest.param([netpol("allow-client-a-via-ns-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})), ports=(port(81),))])],
                 81, "TCP", XA_ONLY_FROM_Y,
                 id="should enforce multiple, stacked policies with overlapping podSelectors (port 81)"),
    pytest.param([netpol("allow-client-a-via-ns-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})), ports=(port(81),))])],
                 80, "TCP", INTO_XA_BLOCKED,
                 id="should enforce multiple, stacked policies with overlapping podSelectors (port 80)"),
    pytest.param([netpol("allow-client-a-via-ns-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})), ports=(port(81),))]),
                  netpol("allow-client-a-via-ns-selector-80", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})), ports=(port(80),))])],
                 80, "TCP", XA_ONLY_FROM_Y,
                 id="should enforce multiple, stacked policies with overlapping podSelectors (port 80 unblocked)"),
    pytest.param([netpol("allow-all", "x", labels(), ingress=[rule()])], 80, "TCP", ALL_OPEN,
                 id="should support allow-all policy (port 80)"),
    pytest.param([netpol("allow-all", "x", labels(), ingress=[rule()])], 81, "TCP", ALL_OPEN,
                 id="should support allow-all policy (port 81)"),
    pytest.param([netpol("allow-all", "x", labels(), ingress=[rule(ports=(port("serve-81-tcp"),))])],
                 81, "TCP", ALL_OPEN, id="should allow ingress access on one named port (port 81)"),
    pytest.param([netpol("allow-all", "x", labels(), ingress=[rule(ports=(port("serve-81-tcp"),))])],
                 80, "TCP", INTO_X_BLOCKED, id="should allow ingress access on one named port (port 80)"),
    pytest.param([netpol("allow-client-a-via-ns-selector-80", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})),
                                       ports=(port("serve-80-tcp", "TCP"),))])],
                 80, "TCP", XA_ONLY_FROM_Y, id="should allow ingress access from namespace on one named port (port 80)"),
    pytest.param([netpol("allow-client-a-via-ns-selector-80", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})),
                                       ports=(port("serve-80-tcp", "TCP"),))])],
                 81, "TCP", INTO_XA_BLOCKED,
                 id="should allow ingress access from namespace on one named port (port 81)"),
    pytest.param([netpol("allow-egress", "x", labels(), egress=[rule(ports=(port("serve-80-tcp"),))])],
                 80, "TCP", ALL_OPEN, id="should allow egress access on one named port (port 80)"),
    pytest.param([netpol("allow-egress", "x", labels(), egress=[rule(ports=(port("serve-80-tcp"),))])],
                 81, "TCP", OUT_OF_X_BLOCKED, id="should allow egress access on one named port (port 81)"),
    pytest.param([netpol("allow-all-mutate-to-deny-all", "x", labels(), ingress=[rule()])], 81, "TCP", ALL_OPEN,
                 id="should enforce updated policy (allow all)"),
    pytest.param([netpol("allow-all-mutate-to-deny-all", "x", labels(), ingress=[])], 81, "TCP", INTO_X_BLOCKED,
                 id="should enforce updated policy (updated to deny all: ingress [])"),
    pytest.param([netpol("allow-client-a-via-ns-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(ns2="updated")))])],
                 80, "TCP", INTO_XA_BLOCKED, id="should allow ingress access from updated namespace (before)"),
    pytest.param([netpol("allow-client-a-via-ns-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(ns2="updated")))]),
                  {"ns_labels": {"y": {"ns2": "updated"}}}],
                 80, "TCP", XA_ONLY_FROM_Y, id="should allow ingress access from updated namespace (after)"),
    pytest.param([netpol("allow-client-a-via-pod-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="b", pod2="updated")))])],
                 80, "TCP", INTO_XA_BLOCKED, id="should allow ingress access from updated pod (before)"),
    pytest.param([netpol("allow-client-a-via-pod-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="b", pod2="updated")))]),
                  {"pod_labels": {"x/b": {"pod2": "updated"}}}],
                 80, "TCP", XA_ONLY_FROM_XB, id="should allow ingress access from updated pod (after)"),
    pytest.param([netpol("deny-empty-policy", "x", EVERYTHING, ingress=[rule(peer(pods=labels()))])],
                 80, "TCP", table("""
x/a: .........
x/b: .........
x/c: .........
y/a: XXX......
y/b: XXX......
y/c: XXX......
z/a: XXX......
z/b: XXX......
z/c: XXX......
"""), id="should deny ingress from pods on other namespaces"),
    pytest.param([netpol("deny-ingress-via-label-selector", "x", labels(target="isolated"), ingress=[])],
                 80, "TCP", ALL_OPEN, id="should deny ingress access to updated pod (before)"),
    pytest.param([netpol("deny-ingress-via-label-selector", "x", labels(target="isolated"), ingress=[]),
                  {"pod_labels": {"x/a": {"target": "isolated"}}}],
                 80, "TCP", INTO_XA_BLOCKED, id="should deny ingress access to updated pod (after)"),
    pytest.param([netpol("deny-egress-pod-a", "x", labels(pod="a"), egress=[])], 80, "TCP", OUT_OF_XA_BLOCKED,
                 id="should deny egress from pods based on PodSelector"),
    pytest.param([netpol("deny-egress-ns-x", "x", EVERYTHING, egress=[])], 80, "TCP", OUT_OF_X_BLOCKED,
                 id="should deny egress from all pods in a namespace"),
    pytest.param([netpol("allow-client-a-via-pod-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="b")))], egress=[rule(ports=(port(80),))],
                         types=("Egress", "Ingress"))],
                 80, "TCP", XA_ONLY_FROM_XB, id="should work with Ingress, Egress specified together (port 80)"),
    pytest.param([netpol("allow-client-a-via-pod-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="b")))], egress=[rule(ports=(port(80),))],
                         types=("Egress", "Ingress"))],
                 81, "TCP", table("""
x/a: .XXXXXXXX
x/b: .........
x/c: X........
y/a: X........
y/b: X........
y/c: X........
z/a: X........
z/b: X........
z/c: X........
"""), id="should work with Ingress, Egress specified together (port 81)"),
    pytest.param([netpol("allow-to-ns-y-pod-a", "x", labels(pod="a"),
                         egress=[rule(peer(pods=labels(pod="a"), namespaces=labels(**{NS_LABEL: "y"})))]),
                  netpol("allow-from-xa-on-ya-match-selector", "y", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="a"), namespaces=labels(**{NS_LABEL: "x"})))]),
                  netpol("allow-from-xa-on-yb-match-selector", "y", labels(pod="b"),
                         ingress=[rule(peer(pods=labels(pod="a"), namespaces=labels(**{NS_LABEL: "x"})))])],
                 80, "TCP", table("""
x/a: .XX.XXXXX
x/b: ...XX....
x/c: ...XX....
y/a: ....X....
y/b: ...X.....
y/c: ...XX....
z/a: ...XX....
z/b: ...XX....
z/c: ...XX....
"""), id="should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)"),
    pytest.param([netpol("allow-to-ns-y-pod-a", "x", labels(pod="a"),
                         egress=[rule(peer(pods=labels(pod="a"), namespaces=labels(**{NS_LABEL: "y"})))])],
                 80, "TCP", table("""
x/a: .XX.XXXXX
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
"""), id="should enforce egress policy allowing traffic to a server in a different namespace based on "
         "PodSelector and NamespaceSelector"),
    pytest.param([netpol("allow-ingress-by-proto", "x", labels(pod="a"), ingress=[rule(ports=(port(None, "TCP"),))])],
                 80, "TCP", ALL_OPEN,
                 id="should enforce ingress policy allowing any port traffic to a server on a specific protocol (TCP)"),
    pytest.param([netpol("allow-ingress-by-proto", "x", labels(pod="a"), ingress=[rule(ports=(port(None, "TCP"),))])],
                 80, "UDP", INTO_XA_BLOCKED,
                 id="should enforce ingress policy allowing any port traffic to a server on a specific protocol (UDP)"),
    pytest.param([netpol("allow-ingress-port-80", "x", labels(), ingress=[rule(ports=(port(80),))])],
                 81, "TCP", INTO_X_BLOCKED,
                 id="should enforce multiple ingress policies with ingress allow-all policy taking precedence (before)"),
    pytest.param([netpol("allow-ingress-port-80", "x", labels(), ingress=[rule(ports=(port(80),))]),
                  netpol("allow-ingress", "x", labels(), ingress=[rule()])],
                 81, "TCP", ALL_OPEN,
                 id="should enforce multiple ingress policies with ingress allow-all policy taking precedence (after)"),
    pytest.param([netpol("allow-egress-port-80", "x", labels(), egress=[rule(ports=(port(80),))])],
                 81, "TCP", OUT_OF_X_BLOCKED,
                 id="should enforce multiple egress policies with egress allow-all policy taking precedence (before)"),
    pytest.param([netpol("allow-egress-port-80", "x", labels(), egress=[rule(ports=(port(80),))]),
                  netpol("allow-egress", "x", labels(), egress=[rule()])],
                 81, "TCP", ALL_OPEN,
                 id="should enforce multiple egress policies with egress allow-all policy taking precedence (after)"),
    pytest.param([netpol("deny-all", "x", EVERYTHING, ingress=[], egress=[])], 80, "TCP", DENY_ALL_X,
                 id="should stop enforcing policies after they are deleted (before)"),
    pytest.param([], 80, "TCP", ALL_OPEN, id="should stop enforcing policies after they are deleted (after)"),
    pytest.param([netpol("allow-client-a-via-cidr-egress-rule", "x", labels(pod="a"),
                         egress=[rule(peer(cidr=POD_IP["y/b"] + "/32"))])],
                 80, "TCP", table("""
x/a: .XXX.XXXX
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
"""), id="should allow egress access to server in CIDR block"),
    # makeLargeCIDRForIP(x/b's IP) is the /4 holding it: 0.0.0.0/4 for 10.244.1.2.
    pytest.param([netpol("allow-client-a-via-cidr-egress-rule", "x", labels(pod="a"),
                         egress=[rule(peer(cidr="0.0.0.0/4", except_=(POD_IP["x/b"] + "/32",)))])],
                 80, "TCP", table("""
x/a: .X.......
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
"""), id="should enforce except clause while egress access to server in CIDR block"),
    pytest.param([netpol("allow-client-a-via-cidr-egress-rule", "x", labels(pod="a"),
                         egress=[rule(peer(cidr="0.0.0.0/4", except_=(POD_IP["x/b"] + "/32",)))])],
                 80, "TCP", table("""
x/a: .X.......
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
"""), id="should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed (before)"),
    # UpdatePolicy replaces the policy of the same name with one allowing only x/b's /32.
    pytest.param([netpol("allow-client-a-via-cidr-egress-rule", "x", labels(pod="a"),
                         egress=[rule(peer(cidr=POD_IP["x/b"] + "/32"))])],
                 80, "TCP", table("""
x/a: ..XXXXXXX
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
"""), id="should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed (after update)"),
    pytest.param([netpol("allow-egress-for-target", "x", labels(pod="a"), egress=[rule()])], 80, "TCP", ALL_OPEN,
                 id="should enforce policies to check ingress and egress policies can be controlled independently "
                    "based on PodSelector (egress allowed)"),
    pytest.param([netpol("allow-egress-for-target", "x", labels(pod="a"), egress=[rule()]),
                  netpol("deny-ingress-via-label-selector", "x", labels(pod="a"), ingress=[])],
                 80, "TCP", INTO_XA_BLOCKED,
                 id="should enforce policies to check ingress and egress policies can be controlled independently "
                    "based on PodSelector (ingress denied)"),
    pytest.param([deny_ingress(),
                  netpol("allow-only-sctp-ingress-on-port-81", "x", labels(pod="a"),
                         ingress=[rule(ports=(port(81, "SCTP"),))])],
                 81, "TCP", INTO_X_BLOCKED,
                 id="should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't "
                    "support SCTP"),
    pytest.param([netpol("allow-only-sctp-ingress-on-port-80", "x", labels(pod="a"),
                         ingress=[rule(ports=(port(80, "SCTP"),))])],
                 81, "TCP", INTO_XA_BLOCKED,
                 id="should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin "
                    "doesn't support SCTP"),
    pytest.param([netpol("allow-only-udp-ingress-on-port-81", "x", labels(pod="a"),
                         ingress=[rule(ports=(port(81, "UDP"),))])],
                 81, "TCP", INTO_XA_BLOCKED, id="should not allow access by TCP when a policy specifies only UDP"),
    pytest.param([netpol("allow-client-a-via-ns-selector-for-immutable-ns-label", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})))])],
                 80, "TCP", XA_ONLY_FROM_Y,
                 id="should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using "
                    "default ns label"),
    pytest.param([netpol("allow-ns-y-match-selector-for-immutable-ns-label", "x", labels(pod="a"),
                         egress=[rule(peer(namespaces=expr(NS_LABEL, "NotIn", "y")))])],
                 80, "TCP", table("""
x/a: ...XXX...
x/b: .........
x/c: .........
y/a: .........
y/b: .........
y/c: .........
z/a: .........
z/b: .........
z/c: .........
"""), id="should enforce policy based on NamespaceSelector with MatchExpressions using default ns label"),
    # "NetworkPolicy between server and client using UDP"
    pytest.param([netpol("deny-all", "x", EVERYTHING, ingress=[])], 80, "UDP", INTO_X_BLOCKED,
                 id="UDP: should support a 'default-deny-ingress' policy"),
    pytest.param([netpol("allow-ingress-on-port-81-ns-x", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})), ports=(port(81, "UDP"),))])],
                 81, "UDP", XA_ONLY_FROM_Y, id="UDP: should enforce policy based on Ports"),
    pytest.param([netpol("allow-ns-y-pod-a-via-namespace-pod-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="a"), namespaces=labels(**{NS_LABEL: "y"})))])],
                 80, "UDP", XA_ONLY_FROM_YA,
                 id="UDP: should enforce policy to allow traffic only from a pod in a different namespace based on "
                    "PodSelector and NamespaceSelector"),
    # "NetworkPolicy between server and client using SCTP"
    pytest.param([netpol("deny-all", "x", EVERYTHING, ingress=[])], 80, "SCTP", INTO_X_BLOCKED,
                 id="SCTP: should support a 'default-deny-ingress' policy"),
    pytest.param([netpol("allow-ingress-on-port-81-ns-x", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(**{NS_LABEL: "y"})), ports=(port(81, "SCTP"),))])],
                 81, "SCTP", XA_ONLY_FROM_Y, id="SCTP: should enforce policy based on Ports"),
    pytest.param([netpol("allow-ns-y-pod-a-via-namespace-pod-selector", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="a"), namespaces=labels(**{NS_LABEL: "y"})))])],
                 80, "SCTP", XA_ONLY_FROM_YA,
                 id="SCTP: should enforce policy to allow traffic only from a pod in a different namespace based "
                    "on PodSelector and NamespaceSelector"),
]

# Port ranges (KEP-2079, networking/v1 NetworkPolicyPort.endPort): not in the upstream e2e
# suite's 9x9 file; written in its style, expectations derived from the API field docs.
END_PORT = [
    pytest.param([netpol("allow-y-80-81", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(ns="y")), ports=(port(80, end=81),))])],
                 80, "TCP", XA_ONLY_FROM_Y, id="endPort: ingress range 80-81 from namespace y, probe 80"),
    pytest.param([netpol("allow-y-80-81", "x", labels(pod="a"),
                         ingress=[rule(peer(namespaces=labels(ns="y")), ports=(port(80, end=81),))])],
                 81, "TCP", XA_ONLY_FROM_Y, id="endPort: ingress range 80-81 from namespace y, probe 81"),
    pytest.param([netpol("allow-81-82", "x", labels(pod="a"), ingress=[rule(ports=(port(81, end=82),))])],
                 80, "TCP", INTO_XA_BLOCKED, id="endPort: ingress range 81-82 leaves 80 blocked"),
    pytest.param([netpol("allow-egress-79-80", "x", labels(pod="a"), egress=[rule(ports=(port(79, end=80),))])],
                 81, "TCP", OUT_OF_XA_BLOCKED, id="endPort: egress range 79-80 blocks 81"),
    pytest.param([netpol("allow-egress-79-80", "x", labels(pod="a"), egress=[rule(ports=(port(79, end=80),))])],
                 80, "TCP", ALL_OPEN, id="endPort: egress range 79-80 allows 80"),
    pytest.param([netpol("allow-udp-80-81", "x", labels(pod="a"),
                         ingress=[rule(ports=(port(80, "UDP", end=81),))])],
                 80, "TCP", INTO_XA_BLOCKED, id="endPort: a UDP range does not open TCP"),
    # a query by port name, resolved on each destination pod (serve-81-udp is 81/UDP everywhere)
    pytest.param([netpol("allow-all", "x", labels(), ingress=[rule(ports=(port("serve-81-udp", "UDP"),))])],
                 "serve-81-udp", "UDP", ALL_OPEN, id="named query port: serve-81-udp against a named-port policy"),
    pytest.param([netpol("allow-all", "x", labels(), ingress=[rule(ports=(port("serve-81-udp", "UDP"),))])],
                 "serve-80-udp", "UDP", INTO_X_BLOCKED, id="named query port: serve-80-udp is not the allowed name"),
    pytest.param([], "serve-80-udp", "TCP", table("""
x/a: .XXXXXXXX
x/b: X.XXXXXXX
x/c: XX.XXXXXX
y/a: XXX.XXXXX
y/b: XXXX.XXXX
y/c: XXXXX.XXX
z/a: XXXXXX.XX
z/b: XXXXXXX.X
z/c: XXXXXXXX.
"""), id="named query port: a UDP port name asked for TCP resolves nowhere (nothing listens)"),
]


def _build(items: list[Any]):
    policies = [i for i in items if isinstance(i, NetworkPolicy)]
    extra: dict[str, Any] = {}
    for i in items:
        if isinstance(i, dict):
            extra.update(i)
    return model_snapshot(*policies, **extra)


@pytest.mark.parametrize(("items", "probe_port", "protocol", "expected"), SCENARIOS + END_PORT)
def test_upstream_truth_table(items: list[Any], probe_port: int | str, protocol: str, expected: list[str]) -> None:
    snap = _build(items)
    answer = answer_reachability(snap, {"pods": ALL_PODS, "port": probe_port, "protocol": protocol})
    got = answer["matrix"]
    assert pod_truth_table(snap, ALL_PODS, probe_port, protocol) == got
    if got != expected:
        verdicts = pod_verdicts(snap, ALL_PODS, probe_port, protocol)
        lines = []
        for i, (want_row, got_row) in enumerate(zip(expected, got, strict=True)):
            for j, (w, g) in enumerate(zip(want_row.split(": ")[1], got_row.split(": ")[1], strict=True)):
                if w != g:
                    lines.append(f"{ALL_PODS[i]} -> {ALL_PODS[j]}: want {w} got {g}")
                    lines.extend("    " + t for t in verdicts[i][j].trace)
        print("\n".join(["expected:", *expected, "got:", *got, *lines]))
    assert got == expected


def test_every_scenario_is_a_9x9_table() -> None:
    for p in SCENARIOS + END_PORT:
        expected = p.values[3]
        assert [row.split(": ")[0] for row in expected] == ALL_PODS, p.id
        assert all(len(row.split(": ")[1]) == 9 for row in expected), p.id
        assert all(row.split(": ")[1][i] == "." for i, row in enumerate(expected)), p.id
