"""The query document's `cluster:` block (interfaces.md) -> ClusterConfig; bad values raise
ManifestError naming the field (`cluster.serviceCIDR`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fielderrors import is_dns1123_subdomain, parse_cidr
from .ipaddr import parse_ip_strict
from .manifest_loading import ManifestError
from .types import (
    ClusterConfig,
    IngressControllerMapping,
    ResolvConf,
)


def _cidrs(value: Any, where: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ManifestError("must be a CIDR or a comma-separated pair of CIDRs", where)
    out = []
    families = set()
    for item in items:
        net = parse_cidr(str(item).strip())
        if net is None:
            raise ManifestError(f"{str(item).strip()!r} is not a valid CIDR", where)
        if net.version in families:
            raise ManifestError("at most one CIDR per IP family", where)
        families.add(net.version)
        out.append(net.with_prefixlen)
    return tuple(out)


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ManifestError("must be a list of strings", where)
    return tuple(value)


def _ips(value: Any, where: str) -> tuple[str, ...]:
    out = _str_list(value, where)
    for ip in out:
        if parse_ip_strict(ip) is None:
            raise ManifestError(f"{ip!r} is not a valid IP address", where)
    return out


def _port_range(value: Any, where: str) -> tuple[int, int]:
    """utilnet.ParsePortRange: "30000-32767", "30000+2767" or a single port."""
    text = str(value).strip()
    try:
        if "-" in text:
            lo_s, hi_s = text.split("-", 1)
            lo, hi = int(lo_s), int(hi_s)
        elif "+" in text:
            lo_s, off_s = text.split("+", 1)
            lo = int(lo_s)
            hi = lo + int(off_s)
        else:
            lo = hi = int(text)
    except ValueError:
        raise ManifestError(f"{text!r} is not a port range like 30000-32767", where) from None
    if not (1 <= lo <= hi <= 65535):
        raise ManifestError(f"{text!r} is not a port range within 1-65535", where)
    return lo, hi


def parse_cluster(data: Mapping[str, Any] | None) -> ClusterConfig:
    """interfaces.md's `cluster:` block; every key optional. Bad values raise ManifestError
    naming the field (`cluster.serviceCIDR`)."""
    base = ClusterConfig()
    if data is None:
        return base
    if not isinstance(data, Mapping):
        raise ManifestError("must be a mapping", "cluster")
    kw: dict[str, Any] = {}
    if data.get("domain") is not None:
        domain = str(data["domain"]).strip().rstrip(".").lower()
        if not domain or is_dns1123_subdomain(domain):
            raise ManifestError(f"{data['domain']!r} is not a valid DNS domain", "cluster.domain")
        kw["domain"] = domain
    if data.get("serviceCIDR") is not None:
        kw["service_cidrs"] = _cidrs(data["serviceCIDR"], "cluster.serviceCIDR")
    if data.get("podCIDR") is not None:
        kw["pod_cidrs"] = _cidrs(data["podCIDR"], "cluster.podCIDR")
    if data.get("nodePortRange") is not None:
        kw["node_port_range"] = _port_range(data["nodePortRange"], "cluster.nodePortRange")
    if data.get("clusterDNS") is not None:
        kw["cluster_dns"] = _ips(data["clusterDNS"], "cluster.clusterDNS")
    if data.get("nodeResolvConf") is not None:
        rc = data["nodeResolvConf"]
        if not isinstance(rc, Mapping):
            raise ManifestError("must be a mapping of nameservers, searches, options", "cluster.nodeResolvConf")
        kw["node_resolv_conf"] = ResolvConf(
            nameservers=_ips(rc.get("nameservers"), "cluster.nodeResolvConf.nameservers"),
            searches=tuple(s.rstrip(".") for s in _str_list(rc.get("searches"), "cluster.nodeResolvConf.searches")),
            options=_str_list(rc.get("options"), "cluster.nodeResolvConf.options"),
        )
    if "ingressControllers" in data:
        ctl = data["ingressControllers"]
        kw["ingress_controllers"] = None if ctl is None else _str_list(ctl, "cluster.ingressControllers")
    if data.get("ingressControllerPods") is not None:
        items = data["ingressControllerPods"]
        where = "cluster.ingressControllerPods"
        if not isinstance(items, list):
            raise ManifestError("must be a list of {controller, namespace, podLabels}", where)
        maps = []
        for i, m in enumerate(items):
            w = f"{where}[{i}]"
            if not isinstance(m, Mapping) or not isinstance(m.get("controller"), str):
                raise ManifestError("needs `controller` (a string)", w)
            labels = m.get("podLabels") or {}
            if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
                raise ManifestError("podLabels must map strings to strings", f"{w}.podLabels")
            ns = m.get("namespace")
            if ns is not None and not isinstance(ns, str):
                raise ManifestError("must be a string or null", f"{w}.namespace")
            maps.append(IngressControllerMapping(m["controller"], ns, dict(labels)))
        kw["controller_mappings"] = tuple(maps)
    if data.get("nodes") is not None:  # workloads: the cluster's own nodes (expansion.py)
        n = data["nodes"]
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 200:
            raise ManifestError("must be a whole number from 1 to 200", "cluster.nodes")
        kw["nodes"] = n
    if data.get("generatedPodsReady") is not None:
        if not isinstance(data["generatedPodsReady"], bool):
            raise ManifestError("must be true or false", "cluster.generatedPodsReady")
        kw["generated_pods_ready"] = data["generatedPodsReady"]
    return ClusterConfig(**kw)
