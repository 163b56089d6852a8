"""Lint findings about NetworkPolicy: uneven default-deny, and egress that cuts pods off DNS."""

from __future__ import annotations

from collections.abc import Iterable

from . import examples as ex
from .catalogue import INFO, WARNING, lint
from .kube_kinds import object_label
from .pod_classes import build_classes
from .policy import BLOCKED, selecting_policies
from .policy_dns import dns_access
from .types import Diagnostic, NetworkPolicy, Pod, Snapshot

POLICY_DOC = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
SHOWN = 10  # pods named in one message


def _names(pods: list[Pod]) -> str:
    names = sorted(p.name for p in pods)
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def is_default_deny(p: NetworkPolicy) -> bool:
    """A policy selecting every pod of its namespace for Ingress isolates them all: whatever it
    allows, anything else is denied (network-policies "Default deny all ingress traffic")."""
    sel = p.pod_selector
    return "Ingress" in p.policy_types and not sel.match_labels and not sel.match_expressions


_DENY = "  podSelector: {}\n  policyTypes: [Ingress]"


@lint("namespace-without-default-deny", INFO,
      "Some namespaces isolate all their pods with a default-deny ingress policy but this one, which has pods, "
      "does not: its pods accept connections from anywhere. System namespaces (kube-*) are not judged.",
      POLICY_DOC + "#default-deny-all-ingress-traffic",
      ex.docs(ex.namespace("shop"), ex.namespace("blog"), ex.policy("default-deny", _DENY, ns="shop"),
              ex.pod("web-1", "10.244.1.10", ns="shop"), ex.pod("blog-1", "10.244.1.11", ns="blog")),
      ex.docs(ex.namespace("shop"), ex.namespace("blog"), ex.policy("default-deny", _DENY, ns="shop"),
              ex.policy("default-deny", _DENY, ns="blog"),
              ex.pod("web-1", "10.244.1.10", ns="shop"), ex.pod("blog-1", "10.244.1.11", ns="blog")))
def namespace_without_default_deny(snap: Snapshot) -> Iterable[Diagnostic]:
    denying = sorted({p.namespace for p in snap.network_policies if is_default_deny(p)})
    if not denying:
        return
    with_pods = {p.namespace for p in snap.pods if not p.host_network and not p.finished}
    for ns in sorted(with_pods - set(denying) - set(SYSTEM_NAMESPACES)):
        shown = ", ".join(denying[:SHOWN]) + (f" and {len(denying) - SHOWN} more" if len(denying) > SHOWN else "")
        yield Diagnostic(INFO, object_label("Namespace", None, ns), "", "namespace-without-default-deny",
                         f"no default-deny ingress NetworkPolicy (podSelector {{}}, policyTypes Ingress) while "
                         f"namespace(s) {shown} have one: every pod here accepts connections from anywhere")


_EGRESS = "  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{ports}]"


@lint("egress-blocks-dns", WARNING,
      "An egress NetworkPolicy selects pods but lets none of their DNS queries (UDP 53) reach a nameserver "
      "of their resolv.conf: every name lookup times out. Allow UDP and TCP 53 to the cluster DNS pods.",
      POLICY_DOC + "#behavior-of-to-and-from-selectors; "
      "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy",
      ex.docs(ex.namespace("shop"), ex.policy("egress-https-only", _EGRESS.format(ports="{port: 443}"), ns="shop"),
              ex.pod("web-1", "10.244.1.10", ns="shop")),
      ex.docs(ex.namespace("shop"),
              ex.policy("egress-https-and-dns", _EGRESS.format(
                  ports="{port: 443}, {port: 53, protocol: UDP}, {port: 53, protocol: TCP}"), ns="shop"),
              ex.pod("web-1", "10.244.1.10", ns="shop")))
def egress_blocks_dns(snap: Snapshot) -> Iterable[Diagnostic]:
    if not any("Egress" in p.policy_types for p in snap.network_policies):
        return
    # Pods of one class are alike for every policy and for their DNS settings (pod_classes.py).
    blocked_by: dict[str, tuple[NetworkPolicy, list[Pod]]] = {}
    for cls in build_classes(snap).classes:
        rep = cls.rep
        if rep.host_network or rep.finished:
            continue
        egress = selecting_policies(snap, rep, "Egress")
        if not egress or dns_access(snap, rep).outcome != BLOCKED:
            continue
        for p in egress:
            blocked_by.setdefault(p.key, (p, []))[1].extend(m for m in cls.members if not m.finished)
    for _, (p, pods) in sorted(blocked_by.items()):
        yield Diagnostic(WARNING, object_label("NetworkPolicy", p.namespace, p.name), "spec.egress", "egress-blocks-dns",
                         f"selects pod(s) {_names(pods)} whose DNS queries (UDP 53) reach no nameserver under "
                         "the policies that apply: every lookup times out")
