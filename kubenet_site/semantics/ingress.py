"""Ingress routing: which served Ingress, rule and backend answer one HTTP(S) request.

Sources:
- kubernetes/website `concepts/services-networking/ingress.md` (classes, the deprecated
  `kubernetes.io/ingress.class` annotation, default backend, TLS, multiple matches);
- kubernetes/ingress-nginx `internal/ingress/controller/store/store.go` GetIngressClass
  (`ingressClassName` first, then the annotation compared with the controller's class name,
  else the Ingress is ignored) and `controller.go` serviceEndpoints (ready endpoints of the
  Service port; none -> 503);
- interfaces.md `ingress-route` for the outcome order.

Host and path matching live in ingress_paths.py, ingress-nginx's merge of Ingresses into one
server per host in ingress_merge.py (a request is matched against the paths of the one server
its Host selects and never falls through to a less specific host), the controller's own
Service and pods (the entry hops) in ingress_entry.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import ingress_paths as paths
from .endpoints import service_endpoints
from .ingress_entry import controller_hops, entry_paths
from .ingress_merge import (
    CANARY_ANNOTATION,
    Location,
    Server,
    build_servers,
    find_certificate,
    is_canary,
    match_location,
    oldest_first,
    select_server,
)
from .kube_kinds import object_label
from .types import (
    EXTERNAL_NAME,
    Diagnostic,
    Ingress,
    IngressBackend,
    IngressClass,
    QueryError,
    Service,
    ServicePort,
    Snapshot,
    Verdict,
)

__all__ = [
    "CANARY_ANNOTATION", "IMPLEMENTATION_SPECIFIC_BEHAVIOUR", "IngressRequest", "Location", "Server", "answer_ingress_route", "conflicts",
    "entry_paths", "ingress_columns", "is_served", "route", "served_ingresses", "serving_class",
]

IMPLEMENTATION_SPECIFIC_BEHAVIOUR = paths.IMPLEMENTATION_SPECIFIC_BEHAVIOUR
CLASS_ANNOTATION = "kubernetes.io/ingress.class"

SSL_REDIRECT_ANNOTATION = "nginx.ingress.kubernetes.io/ssl-redirect"

NOT_SERVED = "not-served"
NO_CERTIFICATE = "no-certificate"
ROUTED = "routed"
NO_ENDPOINTS = "no-endpoints"
DEFAULT_BACKEND = "default-backend"
NO_MATCH = "no-match"


@dataclass(frozen=True)
class IngressRequest:
    host: str
    path: str = "/"
    scheme: str = "http"
    sni: str | None = None


# --- which Ingresses a running controller serves ----------------------------------------------

def class_name_of(ingress: Ingress) -> tuple[str | None, str]:
    """(class name, where it came from): the field, else the deprecated annotation."""
    if ingress.ingress_class_name:
        return ingress.ingress_class_name, "spec.ingressClassName"
    ann = ingress.class_annotation
    if ann is None:
        ann = ingress.annotations.get(CLASS_ANNOTATION)
    if ann is not None:
        return ann, f"annotation {CLASS_ANNOTATION}"
    return None, ""


def is_served(snap: Snapshot, ingress: Ingress) -> tuple[bool, str]:
    """Does a running controller serve this Ingress, and why (not)?"""
    name, source = class_name_of(ingress)
    if name is None:
        # The default IngressClass was applied at admission (manifests.py); ingress-nginx
        # ignores class-less Ingresses unless --watch-ingress-without-class is set.
        return False, f"Ingress {ingress.key} has no class (no ingressClassName, no " \
                      f"{CLASS_ANNOTATION} annotation, no default IngressClass at creation)"
    cls = snap.ingress_class_by_name.get(name)
    if cls is None:
        # store.go GetIngressClass: the IngressClass must exist; ingress-nginx compares an
        # annotation with its own class name (--ingress-class, the name of its IngressClass).
        return False, f"Ingress {ingress.key}: {source} names IngressClass {name!r}, which " \
                      "does not exist"
    running = snap.cluster.ingress_controllers
    if running is not None and cls.controller not in running:
        return False, f"Ingress {ingress.key}: IngressClass {cls.name} belongs to controller " \
                      f"{cls.controller}, which is not running"
    return True, f"Ingress {ingress.key} is served by {cls.controller} (IngressClass " \
                 f"{cls.name}, from {source})"


def serving_class(snap: Snapshot, ingress: Ingress) -> IngressClass | None:
    """The IngressClass whose running controller serves the Ingress, or None."""
    ok, _ = is_served(snap, ingress)
    if not ok:
        return None
    name, _ = class_name_of(ingress)
    return snap.ingress_class_by_name.get(name or "")



def served_ingresses(snap: Snapshot) -> list[Ingress]:
    """Every served Ingress, oldest first."""
    return oldest_first(i for i in snap.ingresses if is_served(snap, i)[0])


# --- backends ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BackendAnswer:
    service: str  # ns/name
    port: int | None
    backends: tuple[str, ...]
    problem: str | None  # why there is nothing to send to
    trace: tuple[str, ...] = ()


def _service_port(svc: Service, backend: IngressBackend) -> ServicePort | None:
    for sp in svc.ports:
        if backend.port_name is not None and sp.name == backend.port_name:
            return sp
        if backend.port_name is None and sp.port == backend.port_number:
            return sp
    return None


def resolve_backend(snap: Snapshot, ing: Ingress, backend: IngressBackend) -> BackendAnswer:
    """A Service backend: the Service port (by number or name) and its ready endpoints."""
    key = f"{ing.namespace}/{backend.service_name}"
    wanted = backend.port_name if backend.port_name is not None else backend.port_number
    svc = snap.service(key)
    if svc is None:
        return BackendAnswer(key, backend.port_number, (), f"Service {key} does not exist")
    sp = _service_port(svc, backend)
    if sp is None and svc.type == EXTERNAL_NAME and not svc.ports and backend.port_number:
        # ingress-nginx serviceEndpoints: an ExternalName Service without ports is reached on
        # the port the Ingress backend names.
        sp = ServicePort(port=backend.port_number, target_port=backend.port_number)
    if sp is None:
        return BackendAnswer(key, backend.port_number, (),
                             f"Service {key} has no port {wanted!r}")
    if svc.type == EXTERNAL_NAME:
        # ingress-nginx proxies an ExternalName backend to the name it points at.
        target = f"{svc.external_name}:{sp.port}"
        return BackendAnswer(key, sp.port, (target,), None,
                             (f"Service {key} is ExternalName: ingress-nginx proxies to {target}",))
    ready = tuple(ep.address for ep in service_endpoints(snap, svc)
                  if ep.ready and ep.service_port is not None
                  and ep.service_port.port == sp.port and ep.service_port.protocol == sp.protocol)
    named = f" (port {backend.port_name!r} is {sp.port})" if backend.port_name is not None else ""
    if not ready:
        return BackendAnswer(key, sp.port, (), f"Service {key} port {sp.port}{named} has no "
                             "ready endpoint")
    return BackendAnswer(key, sp.port, ready, None,
                         (f"Service {key} port {sp.port}{named} -> ready endpoints "
                          f"{', '.join(ready)}",))


# --- route -------------------------------------------------------------------------------

def _could_match(ing: Ingress, host: str) -> bool:
    return ing.default_backend is not None or any(
        paths.host_matches(r.host, host) for r in ing.rules)


def by_controller(snap: Snapshot, served: list[Ingress]) -> dict[str, list[Ingress]]:
    """Served Ingresses (oldest first) per controller: each controller merges only its own."""
    out: dict[str, list[Ingress]] = {}
    for ing in served:
        cls = serving_class(snap, ing)
        if cls is not None:
            out.setdefault(cls.controller, []).append(ing)
    return out


def _answering_controller(groups: Mapping[str, list[Ingress]], host: str,
                          preferred: list[Ingress]) -> str:
    """The controller whose Ingresses claim the host most specifically (exact host, wildcard,
    rule without host, default backend); ties go to the controller of the oldest candidate."""
    def score(item: tuple[str, list[Ingress]]) -> tuple[int, int]:
        ctrl, ings = item
        hosts = {(r.host or "").lower() for i in ings if not is_canary(i) for r in i.rules}
        best = 0
        if any(i.default_backend is not None for i in ings):
            best = 1
        if "" in hosts:
            best = 2
        if any(h.startswith("*.") and paths.wildcard_matches(h, host) for h in hosts):
            best = 3
        if host in hosts:
            best = 4
        first = min((n for n, i in enumerate(preferred) if i in ings), default=len(preferred))
        return (best, -first)
    return max(groups.items(), key=score)[0]


def _verdict(outcome: str, trace: list[str], reason: str, **details: Any) -> Verdict:
    base: dict[str, Any] = {"ingress": None, "service": None, "port": None, "tls": None,
                            "backends": [], "reason": reason, "entries": {}}
    base.update(details)
    return Verdict(outcome, tuple(trace + [reason]), base)


def route(snap: Snapshot, request: IngressRequest) -> Verdict:
    """Route one request as the served Ingresses' controllers would (interfaces.md order)."""
    trace: list[str] = []
    host = paths.normalize_host(request.host)
    raw_path, query = paths.split_request_path(request.path or "/")
    req_path = paths.normalize_request_path(raw_path or "/")
    scheme = (request.scheme or "http").lower()
    trace.append(f"request {scheme}://{host or '(no host)'}{req_path}"
                 + (f" (query {query!r} not matched)" if query else "")
                 + (f" (normalised from {raw_path!r})" if req_path != (raw_path or "/") else ""))

    served = served_ingresses(snap)
    candidates = oldest_first(i for i in snap.ingresses if _could_match(i, host))
    served_candidates = [i for i in candidates if i in served]
    for ing in candidates:
        trace.append(is_served(snap, ing)[1])
    if not served:
        return _verdict(NOT_SERVED, trace, "no running controller serves any Ingress")
    if candidates and not served_candidates:
        return _verdict(NOT_SERVED, trace, "no running controller serves an Ingress that could "
                        f"match host {host or '(none)'}")
    if not candidates:
        # A running controller still answers (conformance host_rules: unknown host -> 404).
        trace.append(f"no Ingress has a rule for host {host or '(none)'} or a default backend")

    # Each controller has its own configuration: route as the one that claims the host.
    groups = by_controller(snap, served)
    controller = _answering_controller(groups, host, served_candidates or served)
    if len(groups) > 1:
        trace.append(f"controllers {', '.join(sorted(groups))} each serve Ingresses; {controller} "
                     "claims this host most specifically, so the request is routed as it sees it")
    served = groups[controller]
    cls = serving_class(snap, served[0])
    entries: dict[str, str] = {}
    if cls is not None:
        hops, entries = controller_hops(snap, cls, scheme)
        trace.extend(hops)

    def done(outcome: str, reason: str, **details: Any) -> Verdict:
        return _verdict(outcome, trace, reason, entries=entries, **details)

    servers = build_servers(served)
    tls_detail: dict[str, Any] | None = None
    if scheme == "https":
        server_name = paths.normalize_host(request.sni) if request.sni else host
        cert = find_certificate(served, server_name, servers)
        if cert is None:
            empty = [i.key for i in served if any(not t.hosts for t in i.tls)]
            if empty:
                trace.append(f"spec.tls entries without hosts in {', '.join(empty)}: ingress-nginx "
                             "would use their secret only if its certificate names the host")
            return done(NO_CERTIFICATE, f"TLS server name {server_name or '(none)'} "
                            "is in no spec.tls[].hosts of a served Ingress: ingress-nginx presents "
                            "its default (fake) certificate")
        ing, tls = cert
        secret = f"{ing.namespace}/{tls.secret_name}" if tls.secret_name else None
        tls_detail = {"secret": secret}
        if secret and snap.others and not any(o.kind == "Secret" and o.key == secret
                                              for o in snap.others):
            trace.append(f"Secret {secret} is not in the topology: ingress-nginx would present "
                         "its default certificate until it exists")
        trace.append(f"TLS {server_name} terminated with secret {secret or '(none: default certificate)'}"
                     f" from Ingress {ing.key}")

    server, why = select_server(servers, host)
    trace.append(why)
    loc = match_location(server, req_path) if server else None
    if server is not None:
        trace.extend(server.skipped)
        if server.regex_mode:
            trace.append(f"server {server.host or '_'} is in regex mode (use-regex/rewrite-target "
                         "annotation): paths are case-insensitive regexes, longest first")
    if loc is not None:
        trace.append(f"path {req_path} matches {loc.describe()}")
        for loser, winner in (server.shadowed if server else []):
            if winner is loc:
                trace.append(f"{loser.describe()} is shadowed by the older {winner.describe()}")
        ans = resolve_backend(snap, loc.ingress, loc.backend)
        trace.extend(ans.trace)
        common = {"ingress": loc.ingress.key, "service": ans.service, "port": ans.port,
                  "tls": tls_detail, "backends": list(ans.backends), "host": server.host if server else "",
                  "path": loc.path, "pathType": loc.path_type}
        if ans.problem:
            return done(NO_ENDPOINTS, f"{ans.problem}: the controller answers 503",
                            httpStatus=503, **common)
        ssl_redirect = loc.ingress.annotations.get(SSL_REDIRECT_ANNOTATION, "true").lower()
        if tls_detail is None and ssl_redirect != "false" and _has_tls(served, host):
            trace.append(f"ingress-nginx redirects plain http for {host} to https (308, "
                         "ssl-redirect) because a TLS section lists it")
        return done(ROUTED, f"routed by Ingress {loc.ingress.key} to Service "
                        f"{ans.service} port {ans.port}", **common)

    if server is not None and server.host:
        looser = [s for h, s in servers.items() if h != server.host and s.host != server.host
                  and paths.host_matches(h, host) and match_location(s, req_path)]
        if looser:
            trace.append("rules of less specific hosts would match the path, but ingress-nginx "
                         f"does not fall back from server {server.host}")
    for ing in served:
        if ing.default_backend is not None and ing.default_backend.service_name is None:
            trace.append(f"Ingress {ing.key} spec.defaultBackend is not a Service backend: "
                         "ingress-nginx ignores it")
    defaults = _default_backends(served)
    if defaults:
        ing = defaults[0]
        backend = ing.default_backend
        assert backend is not None
        ans = resolve_backend(snap, ing, backend)
        trace.extend(ans.trace)
        if len(defaults) > 1:
            trace.append("several served Ingresses have spec.defaultBackend; the oldest, "
                         f"{ing.key}, is used")
        extra = {"httpStatus": 503} if ans.problem else {}
        reason = (f"no rule matches: spec.defaultBackend of Ingress {ing.key} "
                  f"(Service {ans.service} port {ans.port})")
        if ans.problem:
            reason += f"; {ans.problem}: the controller answers 503"
        return done(DEFAULT_BACKEND, reason, ingress=ing.key, service=ans.service,
                        port=ans.port, tls=tls_detail, backends=list(ans.backends), **extra)
    return done(NO_MATCH, "no rule matches and no served Ingress has a "
                    "spec.defaultBackend: the controller answers 404", tls=tls_detail,
                    httpStatus=404)


def _default_backends(served: list[Ingress]) -> list[Ingress]:
    """Served, non-canary Ingresses with a Service spec.defaultBackend, oldest first."""
    return [i for i in served if i.default_backend is not None
            and i.default_backend.service_name is not None and not is_canary(i)]


def _has_tls(served: list[Ingress], host: str) -> bool:
    return bool(host) and find_certificate(served, host) is not None


# --- diagnostics and columns ---------------------------------------------------------------

def conflicts(snap: Snapshot) -> list[Diagnostic]:
    """Paths that lose to an older Ingress's identical host+path+pathType, and extra default
    backends that are never used."""
    served = served_ingresses(snap)
    out: list[Diagnostic] = []
    servers = [s for group in by_controller(snap, served).values()
               for s in build_servers(group).values()]
    for server in servers:
        for loser, winner in server.shadowed:
            where = f"host {server.host}" if server.host else "rules without host"
            out.append(Diagnostic(
                "warning", object_label("Ingress", loser.ingress.namespace, loser.ingress.name),
                f"{loser.field}.path", "ingress-path-conflict",
                f"{where}: path {loser.path} ({loser.path_type}) is already defined by "
                f"{'this Ingress' if winner.ingress is loser.ingress else 'the older Ingress ' + winner.ingress.key} "
                f"at {winner.field}; ingress-nginx keeps the first and ignores this one"))
    for server in servers:
        out += _trailing_slash_twins(server)
    for group in by_controller(snap, served).values():
        defaults = _default_backends(group)
        for ing in defaults[1:]:
            out.append(Diagnostic(
                "warning", object_label("Ingress", ing.namespace, ing.name), "spec.defaultBackend",
                "ingress-default-backend-conflict",
                f"the older Ingress {defaults[0].key} also has spec.defaultBackend; requests no "
                "rule matches go to that one"))
    return out


def _trailing_slash_twins(server: Server) -> list[Diagnostic]:
    """Prefix paths of one server that differ only by a trailing slash match the same requests,
    and the longest one always wins (types.go PathTypePrefix): the others never get a request."""
    if server.regex_mode:
        return []
    prefixes = [loc for loc in server.locations if paths.effective_path_type(loc.path_type) == paths.PREFIX]
    out = []
    for loc in prefixes:
        twins = [o for o in prefixes if o is not loc and paths.same_prefix(o.path, loc.path)]
        winner = max([loc, *twins], key=lambda o: paths.match_length(o.path_type, o.path))
        if twins and winner is not loc:
            where = f"host {server.host}" if server.host else "rules without host"
            out.append(Diagnostic(
                "warning", f"Ingress/{loc.ingress.namespace}/{loc.ingress.name}", f"{loc.field}.path",
                "ingress-path-conflict",
                f"{where}: Prefix {loc.path} matches the same requests as Prefix {winner.path} "
                f"({'this Ingress' if winner.ingress is loc.ingress else 'Ingress ' + winner.ingress.key} at "
                f"{winner.field}), which is longer and always takes precedence: this path gets no request"))
    return out


def ingress_columns(snap: Snapshot) -> list[tuple[str, str, str]]:
    """Every served (host, path, pathType), host "" for rules without host, path "/" when
    omitted; sorted, without duplicates."""
    cols = {(r.host or "", paths.ingress_path(p.path), p.path_type)
            for ing in served_ingresses(snap) if not is_canary(ing)
            for r in ing.rules for p in r.paths}
    return sorted(cols)


# --- the ingress-route query -----------------------------------------------------------

def parse_request(q: Mapping[str, Any]) -> IngressRequest:
    req = q.get("request")
    if not isinstance(req, Mapping):
        raise QueryError("ingress-route needs request: {host, path, scheme, sni}")
    host = req.get("host") or ""
    path = req.get("path")
    path = "/" if path is None or path == "" else path
    scheme = req.get("scheme") or "http"
    sni = req.get("sni")
    if not isinstance(host, str):
        raise QueryError("request.host must be a string")
    if not isinstance(path, str) or not (path.startswith("/") or path.startswith("?")):
        raise QueryError(f"request.path must start with '/', got {path!r}")
    if not isinstance(scheme, str) or scheme.lower() not in ("http", "https"):
        raise QueryError(f"request.scheme must be http or https, got {scheme!r}")
    if sni is not None and not isinstance(sni, str):
        raise QueryError("request.sni must be a string")
    return IngressRequest(host=host, path=path, scheme=scheme.lower(), sni=sni or None)


def answer_ingress_route(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    v = route(snap, parse_request(q))
    d = v.details
    out: dict[str, Any] = {
        "outcome": v.outcome, "ingress": d.get("ingress"), "service": d.get("service"),
        "port": d.get("port"), "tls": d.get("tls"), "reason": d.get("reason"),
        "backends": sorted(d.get("backends") or []),
    }
    if "httpStatus" in d:
        out["httpStatus"] = d["httpStatus"]
    out["trace"] = list(v.trace)
    return out
