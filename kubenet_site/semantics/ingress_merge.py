"""ingress-nginx's merged configuration: one nginx server per host, its locations, its TLS.

Sources: kubernetes/ingress-nginx `internal/ingress/controller/store/store.go`
(sortIngressSlice: oldest first, equal timestamps by "ns/name" descending),
`internal/ingress/controller/controller.go` createServers and getBackendServers (one server
per rule host, "_" for rules without host; Ingresses merged into it in that order, so for the
same path and pathType the oldest keeps the location; paths without a Service backend are
skipped; canary Ingresses only add alternative backends), extractTLSSecretName (TLS host names
compared before certificates), `location.go` updateServerLocations and `template/template.go`
buildServerName/buildLocation/enforceRegexModifier (server and location selection in nginx).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import ingress_paths as paths
from .types import Ingress, IngressBackend, IngressTLS

CANARY_ANNOTATION = "nginx.ingress.kubernetes.io/canary"

_EPOCH = datetime.min.replace(tzinfo=UTC)


def oldest_first(ingresses: Iterable[Ingress]) -> list[Ingress]:
    """store.go sortIngressSlice: by creationTimestamp; equal ones by "ns/name" descending."""
    out = sorted(ingresses, key=lambda i: i.key, reverse=True)
    out.sort(key=lambda i: i.creation_timestamp or _EPOCH)
    return out


def is_canary(ingress: Ingress) -> bool:
    return ingress.annotations.get(CANARY_ANNOTATION, "").lower() == "true"


# --- the merged configuration: one server per host ------------------------------------------

@dataclass(frozen=True)
class Location:
    ingress: Ingress
    rule_index: int
    path_index: int
    path: str  # as written ("/" when omitted)
    path_type: str  # as written
    backend: IngressBackend

    @property
    def field(self) -> str:
        return f"spec.rules[{self.rule_index}].http.paths[{self.path_index}]"

    @property
    def regex(self) -> bool:
        ann = self.ingress.annotations
        target = ann.get(paths.REWRITE_TARGET_ANNOTATION, "")
        return ann.get(paths.USE_REGEX_ANNOTATION, "").lower() == "true" or (
            bool(target) and target != self.path)

    def describe(self) -> str:
        return f"{self.path} ({self.path_type}) of Ingress {self.ingress.key} {self.field}"


@dataclass
class Server:
    host: str  # "" is the catch-all server of host-less rules
    ingresses: list[Ingress] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    shadowed: list[tuple[Location, Location]] = field(default_factory=list)  # (loser, winner)
    skipped: list[str] = field(default_factory=list)

    @property
    def regex_mode(self) -> bool:
        # template.go enforceRegexModifier: any location of the server using regex/rewrite.
        return any(loc.regex for loc in self.locations)


def build_servers(ingresses: Iterable[Ingress]) -> dict[str, Server]:
    """controller.go createServers/getBackendServers over served Ingresses, oldest first."""
    servers: dict[str, Server] = {}
    for ing in oldest_first(ingresses):
        if is_canary(ing):
            continue  # canary Ingresses only add alternative backends to existing locations
        for ri, rule in enumerate(ing.rules):
            key = (rule.host or "").lower()
            server = servers.setdefault(key, Server(key))
            if ing not in server.ingresses:
                server.ingresses.append(ing)
            seen = {paths.conflict_key(loc.path_type, loc.path): loc for loc in server.locations}
            for pi, p in enumerate(rule.paths):
                loc = Location(ing, ri, pi, paths.ingress_path(p.path), p.path_type, p.backend)
                if p.backend.service_name is None:
                    server.skipped.append(f"{loc.describe()} has no Service backend: ingress-nginx "
                                          "skips it")
                    continue
                k = paths.conflict_key(p.path_type, p.path)
                if k in seen:
                    server.shadowed.append((loc, seen[k]))
                    continue
                seen[k] = loc
                server.locations.append(loc)
    return servers


def select_server(servers: Mapping[str, Server], host: str) -> tuple[Server | None, str]:
    """nginx server selection: exact name, then the one-label wildcard, then `_`."""
    if host and host in servers:
        return servers[host], f"host {host} selects the server of rule host {host} (exact)"
    if host and "." in host:
        wildcard = "*." + host.split(".", 1)[1]
        if wildcard in servers and paths.wildcard_matches(wildcard, host):
            return servers[wildcard], f"host {host} selects the server of rule host {wildcard} " \
                                      "(wildcard, one label)"
    if "" in servers:
        return servers[""], f"host {host or '(none)'} has no rule of its own: the rules " \
                            "without host apply"
    return None, f"no served Ingress has a rule for host {host or '(none)'}"


def match_location(server: Server, request_path: str) -> Location | None:
    """The location a request path reaches in one server, None for the server's root."""
    if server.regex_mode:
        return _match_regex(server, request_path)
    matching = [loc for loc in server.locations
                if paths.path_matches(loc.path_type, loc.path, request_path)]
    if not matching:
        return None
    # "longest matching path; equal ones: Exact over Prefix" (ingress.md "Multiple matches").
    return max(matching, key=lambda loc: paths.precedence(loc.path_type, loc.path))


def _match_regex(server: Server, request_path: str) -> Location | None:
    # location.go updateServerLocations, then template.go buildLocation `~* "^<path>"`,
    # ordered by path length, longest first (controller.go), first match wins.
    exact = {loc.path for loc in server.locations
             if paths.effective_path_type(loc.path_type) == paths.EXACT}
    entries: list[tuple[str, Location]] = []
    for loc in server.locations:
        ptype = paths.effective_path_type(loc.path_type)
        if loc.path == "/" or ptype != paths.PREFIX or loc.regex:
            entries.append((loc.path, loc))
            continue
        entries.append((loc.path if loc.path.endswith("/") else loc.path + "/", loc))
        if loc.path not in exact:
            entries.append((loc.path, loc))
    entries.sort(key=lambda e: e[0], reverse=True)
    entries.sort(key=lambda e: len(e[0]), reverse=True)
    for pattern, loc in entries:
        if paths.regex_location_matches(pattern, request_path):
            return loc
    return None


# --- TLS ---------------------------------------------------------------------------------

def find_certificate(served: list[Ingress], server_name: str,
                     servers: Mapping[str, Server] | None = None) -> tuple[Ingress, IngressTLS] | None:
    """The served Ingress whose spec.tls[].hosts names the TLS server name: the Ingresses with a
    rule for the server the name selects first (createServers takes a server's certificate
    from the Ingresses defining it, oldest first), then any other, oldest first; exact names
    before wildcard ones (extractTLSSecretName compares names before certificates)."""
    order = list(served)
    if servers is not None:
        server, _ = select_server(servers, server_name)
        if server is not None:
            own = [i for i in server.ingresses if i in served]
            order = own + [i for i in served if i not in own]
    for wildcard in (False, True):
        for ing in order:
            for tls in ing.tls:
                for h in tls.hosts:
                    if h.startswith("*.") == wildcard and paths.certificate_name_matches(h, server_name):
                        return ing, tls
    return None
