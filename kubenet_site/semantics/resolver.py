"""A pod's DNS resolver: the resolv.conf the kubelet writes, and glibc's stub resolver.

Sources: kubernetes/kubernetes pkg/kubelet/network/dns/dns.go (GetPodDNS, getPodDNSType,
generateSearchesForDNSClusterFirst, appendDNSConfig, mergeDNSOptions, omitDuplicates,
formDNSConfigFitsLimits); pkg/apis/core/validation (MaxDNSNameservers 3,
MaxDNSSearchPathsExpanded 32, MaxDNSSearchListCharsExpanded 2048: ExpandedDNSConfig is GA);
glibc resolv/res_query.c __res_context_search (ndots, as-is first or last, NXDOMAIN and
NODATA move on, NODATA reported when nothing answers) and res_init.c (ndots default 1, at
most 15); resolv.conf(5).
"""

from __future__ import annotations

from .dns_server import NOERROR, NXDOMAIN, TIMEOUT, A, DNSResponse, DNSResult, server_lookup
from .dnsnames import fqdn, zone_of
from .types import Pod, PodDNSConfig, ResolvConf, Snapshot

MAX_NAMESERVERS = 3  # validation.MaxDNSNameservers
MAX_SEARCH_PATHS = 32  # validation.MaxDNSSearchPathsExpanded
MAX_SEARCH_CHARS = 2048  # validation.MaxDNSSearchListCharsExpanded
MAX_SEARCH_LEN = 253  # utilvalidation.DNS1123SubdomainMaxLength
RES_MAXNDOTS = 15  # glibc resolv.h
DEFAULT_OPTIONS = ("ndots:5",)  # dns.go defaultDNSOptions


def _omit_duplicates(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def _merge_options(existing: tuple[str, ...] | list[str],
                   extra: tuple[tuple[str, str | None], ...]) -> list[str]:
    """dns.go mergeDNSOptions: by name, the pod's dnsConfig value wins; an empty value is
    written without a colon. (The kubelet iterates a Go map; we keep first-seen order.)"""
    merged: dict[str, str] = {}
    for op in existing:
        name, _, value = op.partition(":")
        merged[name] = value
    for name, value in extra:
        merged[name] = value or ""
    return [f"{k}:{v}" if v else k for k, v in merged.items()]


def _fit_searches(searches: list[str]) -> list[str]:
    """dns.go formDNSSearchFitsLimits."""
    searches = searches[:MAX_SEARCH_PATHS]
    searches = [s for s in searches if len(s) <= MAX_SEARCH_LEN]
    line = len(" ".join(searches))
    if line > MAX_SEARCH_CHARS:
        cut = 0
        while searches and line - cut > MAX_SEARCH_CHARS:
            cut += len(searches.pop()) + 1
    return searches


def pod_dns_type(pod: Pod) -> str:
    """dns.go getPodDNSType: "cluster", "host" or "none". ClusterFirst on the host network
    falls back to Default; an unknown policy is treated as ClusterFirst."""
    policy = pod.dns_policy or "ClusterFirst"
    if policy == "None":
        return "none"
    if policy == "ClusterFirstWithHostNet":
        return "cluster"
    if policy == "ClusterFirst":
        return "host" if pod.host_network else "cluster"
    if policy == "Default":
        return "host"
    return "cluster"


def resolver_config(snap: Snapshot, pod: Pod) -> ResolvConf:
    """The pod's resolv.conf (dns.go GetPodDNS)."""
    node = snap.cluster.node_resolv_conf
    # parseResolvConf: search domains lose their trailing dot.
    servers = list(node.nameservers)
    searches = [s.rstrip(".") for s in node.searches]
    options = list(node.options)
    kind = pod_dns_type(pod)
    if kind == "none":
        servers, searches, options = [], [], []
    elif kind == "cluster" and snap.cluster.cluster_dns:
        zone = zone_of(snap)
        servers = list(snap.cluster.cluster_dns)
        searches = _omit_duplicates([f"{pod.namespace}.svc.{zone}", f"svc.{zone}", zone, *searches])
        options = list(DEFAULT_OPTIONS)
    # (a cluster policy without clusterDNS falls back to the node's resolv.conf, as above)
    cfg: PodDNSConfig | None = pod.dns_config
    if cfg is not None:
        servers = _omit_duplicates([*servers, *cfg.nameservers])
        searches = _omit_duplicates([*searches, *cfg.searches])
        options = _merge_options(options, cfg.options)
    return ResolvConf(nameservers=tuple(servers[:MAX_NAMESERVERS]),
                      searches=tuple(_fit_searches(searches)), options=tuple(options))


def ndots_of(conf: ResolvConf) -> int:
    """res_init.c: `ndots:n` (the last one wins), capped at 15; default 1."""
    ndots = 1
    for op in conf.options:
        if op.startswith("ndots:"):
            digits = op[6:]
            n = int(digits) if digits.isdigit() else 0
            ndots = min(n, RES_MAXNDOTS)
    return ndots


def is_cluster_dns(snap: Snapshot, server: str) -> bool:
    """Whether a nameserver is the cluster's DNS (the kubelet's clusterDNS, or kube-dns)."""
    if server in snap.cluster.cluster_dns:
        return True
    kube_dns = snap.service("kube-system/kube-dns")
    return kube_dns is not None and server in (kube_dns.cluster_ips or (kube_dns.cluster_ip,))


def candidates(name: str, conf: ResolvConf) -> tuple[list[str], bool]:
    """res_search's order of names if none answers: (names, as_is_first). The as-is name
    comes first when it has at least ndots dots (or is absolute), else last."""
    trailing = name.endswith(".")
    dots = name.count(".")
    as_is = fqdn(name)
    if trailing:
        return [as_is], True
    out: list[str] = []
    first = dots >= ndots_of(conf)
    if first:
        out.append(as_is)
    root_on_list = False
    for domain in conf.searches:
        d = domain[1:] if domain.startswith(".") else domain
        if not d:
            root_on_list = True
            if not first:
                out.append(as_is)
        else:
            out.append(fqdn(f"{name}.{d.rstrip('.')}"))
    if not (first or root_on_list):
        out.append(as_is)
    return out, first


def resolve(snap: Snapshot, pod: Pod, name: str, qtype: str = A, blocked: str | None = None,
            conf: ResolvConf | None = None, traced: bool = True) -> DNSResult:
    """`name` looked up from the pod as glibc's __res_context_search does it. `blocked`: why
    the pod's queries reach no nameserver (NetworkPolicy): every query then times out.
    `conf`: the pod's resolver_config when the caller has it; `traced=False` leaves the
    trace empty (a check resolving thousands of names keeps only the answers)."""
    conf = conf or resolver_config(snap, pod)
    qtype = qtype.upper()
    trace = [f"pod {pod.key}: nameserver {' '.join(conf.nameservers) or '(none)'}; "
             f"search {' '.join(conf.searches) or '(none)'}; options {' '.join(conf.options) or '(none)'}"] \
        if traced else []
    server = conf.nameservers[0] if conf.nameservers else None
    cluster = server is not None and is_cluster_dns(snap, server)
    if traced and blocked:
        trace.append(f"no nameserver reachable: {blocked}")
    elif traced and server is None:
        trace.append("no nameserver: glibc asks 127.0.0.1 inside the pod, where nothing answers")
    elif traced and not cluster:
        trace.append(f"{server} is not the cluster DNS: the node's upstream resolver knows no "
                     "cluster names (and, here, no other names)")
    tried: list[str] = []

    def query(candidate: str) -> DNSResponse:
        if blocked or server is None:
            resp = DNSResponse(TIMEOUT, (), (f"{candidate} {qtype}: no answer (timed out)",))
        elif cluster:
            resp = server_lookup(snap, candidate, qtype)
        else:
            resp = DNSResponse(NXDOMAIN, (), (f"upstream {server}: {candidate} {qtype} NXDOMAIN",))
        tried.append(candidate)
        if traced:
            empty = resp.rcode == NOERROR and not resp.answers
            count = f", {len(resp.answers)} record(s)" if resp.answers else ""
            trace.append(f"{candidate} {qtype}: {resp.rcode}{' (NODATA)' if empty else count}")
        return resp

    def finish(candidate: str, resp: DNSResponse) -> DNSResult:
        if traced:
            trace.extend("  " + line for line in resp.trace)
        if resp.rcode != NOERROR:
            candidate = tried[-1]  # interfaces.md: on NXDOMAIN, the last name tried
        answers = resp.answers if resp.rcode == NOERROR else ()
        return DNSResult(resp.rcode, answers, candidate, tuple(tried), tuple(trace))

    def answered(resp: DNSResponse) -> bool:
        return resp.rcode == NOERROR and bool(resp.answers)

    trailing, dots, as_is = name.endswith("."), name.count("."), fqdn(name)
    saved: tuple[str, DNSResponse] | None = None  # the as-is answer, when tried first
    nodata: tuple[str, DNSResponse] | None = None
    last: tuple[str, DNSResponse] | None = None
    root_on_list = False
    # "If there are enough dots in the name, let's just give it a try 'as is'", and only
    # that for an absolute name.
    if dots >= ndots_of(conf) or trailing:
        resp = query(as_is)
        if answered(resp) or trailing:
            return finish(as_is, resp)
        saved = last = (as_is, resp)
    if not trailing:  # RES_DEFNAMES / RES_DNSRCH, both on by default
        for domain in conf.searches:
            d = domain[1:] if domain.startswith(".") else domain
            if not d:
                root_on_list = True
                if saved:
                    continue
            candidate = fqdn(f"{name}.{d.rstrip('.')}") if d else as_is
            resp = query(candidate)
            last = (candidate, resp)
            if answered(resp):
                return finish(candidate, resp)
            if resp.rcode == NOERROR:
                nodata = nodata or last  # NO_DATA: keep trying
            elif resp.rcode != NXDOMAIN:
                break  # "anything else implies that we're done" with the search list
    if not (saved or root_on_list):
        resp = query(as_is)
        last = (as_is, resp)
        if answered(resp):
            return finish(as_is, resp)
    # "if we did an initial full query, return that query's H_ERRNO ... else if we ever got
    # a nodata, send that back ... else the one from the last query".
    final = saved or nodata or last
    assert final is not None
    if final is nodata and saved is None and traced:
        trace.append(f"no name had records; {nodata[0]} exists (NODATA), so NODATA is returned")
    return finish(*final)
