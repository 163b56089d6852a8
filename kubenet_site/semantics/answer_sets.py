"""The sets of questions a whole check asks of one cluster beside the name forms each pod may
use for each Service (dnsnames.service_name_forms): the pods that resolve alike, and the ports
pods declare. A check run
(checks/kinds.py) and a diff (diff.py) both walk these, so both ask the same questions."""

from __future__ import annotations

from typing import Any

from . import dns, policy_dns
from .types import Pod, Snapshot


def resolving_alike(snap: Snapshot) -> list[tuple[tuple[Any, ...], list[Pod]]]:
    """Pods that resolve alike, with what makes them alike: (namespace (the search path and
    the short names), resolv.conf, DNS access under NetworkPolicy). First-seen order."""
    groups: dict[tuple[Any, ...], list[Pod]] = {}
    for pod in snap.pods:
        key = (pod.namespace, dns.resolver_config(snap, pod), policy_dns.dns_access(snap, pod).outcome)
        groups.setdefault(key, []).append(pod)
    return list(groups.items())


def dns_classes(snap: Snapshot) -> list[list[Pod]]:
    """The pods of each resolving_alike class."""
    return [pods for _, pods in resolving_alike(snap)]


def declared_ports(snap: Snapshot) -> list[tuple[int, str]]:
    """(port, protocol) of every container port a pod declares: the pod matrices to compute."""
    ports = {(p.container_port, p.protocol) for pod in snap.pods for c in pod.containers for p in c.ports}
    return sorted(ports, key=lambda pp: (pp[1], pp[0]))
