"""Ingress host and path matching: one request line against one rule.

Sources:
- kubernetes/website `concepts/services-networking/ingress.md` ("Path types", "Examples",
  "Multiple matches", "Hostname wildcards") and the networking/v1 API reference
  (HTTPIngressPath.pathType, IngressRule.host);
- kubernetes-sigs/ingress-controller-conformance `features/path_rules.feature`,
  `features/host_rules.feature`;
- kubernetes/ingress-nginx: `internal/k8s/main.go` SetDefaultNGINXPathType (a missing or
  ImplementationSpecific pathType becomes Prefix), `internal/ingress/controller/template`
  `buildServerName` (a wildcard host is the regex `~^(?<subdomain>[\\w-]+)\\.example\\.com$`:
  one label) and `buildLocation`/`enforceRegexModifier` (the use-regex/rewrite-target mode),
  `internal/ingress/controller/location.go` updateServerLocations, docs
  `user-guide/ingress-path-matching.md` (regex locations ordered by descending length, first
  match, case-insensitive).

ImplementationSpecific: ingress-nginx rewrites it to Prefix before building its configuration,
so kubenet matches it exactly like Prefix (element-wise, trailing slash ignored). See
IMPLEMENTATION_SPECIFIC_BEHAVIOUR.

Exact and Prefix follow the Kubernetes specification and the conformance suite exactly. Where
ingress-nginx's own rendering differs (location.go turns Prefix `/foo/` into `location /foo/`
plus `= /foo/`, so it would not match `/foo`, which the specification's table says matches),
the specification wins.

Precedence ("Multiple matches"): the longest matching path as written, trailing slash included,
then Exact over Prefix. The API type's own documentation of PathTypePrefix (k8s.io/api
networking/v1 types.go) settles the trailing-slash case: Prefix `/foo` and `/foo/` both match
`/foo`, `/foo/` and `/foo/x`, and `/foo/`, the longest, is given priority for all of them.

Requests are normalised as nginx normalises `$uri` before choosing a location: the query
string and fragment are dropped, %XX escapes decoded, `//` merged (merge_slashes on) and `.`/`..`
segments resolved.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

EXACT = "Exact"
PREFIX = "Prefix"
IMPLEMENTATION_SPECIFIC = "ImplementationSpecific"

IMPLEMENTATION_SPECIFIC_BEHAVIOUR = (
    "ImplementationSpecific paths are matched like Prefix paths (element-wise on '/', trailing "
    "slash ignored, '/foo' matches '/foo/bar' but not '/foobar'), as ingress-nginx does: it "
    "rewrites a missing or ImplementationSpecific pathType to Prefix when it loads an Ingress "
    "(internal/k8s SetDefaultNGINXPathType). Only when the nginx.ingress.kubernetes.io/use-regex "
    "or rewrite-target annotation is set on an Ingress of the same host does ingress-nginx turn "
    "every path of that host into a case-insensitive regular expression anchored at the start "
    "(first match, longest path first); kubenet follows that mode too."
)

USE_REGEX_ANNOTATION = "nginx.ingress.kubernetes.io/use-regex"
REWRITE_TARGET_ANNOTATION = "nginx.ingress.kubernetes.io/rewrite-target"

# template.go buildServerName: `*.` becomes exactly one label of word characters or '-'.
_WILDCARD_LABEL = re.compile(r"^[\w-]+$")


def effective_path_type(path_type: str | None) -> str:
    """The pathType ingress-nginx acts on (SetDefaultNGINXPathType)."""
    if path_type == EXACT:
        return EXACT
    return PREFIX


def ingress_path(path: str | None) -> str:
    """An omitted or empty path is the root location `/` (ingress-nginx rootLocation)."""
    return path or "/"


def prefix_base(path: str) -> str:
    """A Prefix path without its trailing slashes; the root prefix is the empty string."""
    return path.rstrip("/")


def path_matches(path_type: str | None, path: str | None, request_path: str) -> bool:
    """Does one Ingress path match a (normalised) request path? (ingress.md "Examples")."""
    p = ingress_path(path)
    if effective_path_type(path_type) == EXACT:
        # "Exact: Matches the URL path exactly and with case sensitivity."
        return request_path == p
    # "Prefix: ... element by element ... /foo/bar matches /foo/bar/baz, but not /foo/barbaz";
    # the trailing slash of the path and of the request is ignored.
    base = prefix_base(p)
    if not base:
        return True
    return request_path == base or request_path.startswith(base + "/")


def match_length(path_type: str | None, path: str | None) -> int:
    """The length compared under "longest matching path wins": the path as written, trailing
    slash included. k8s.io/api networking/v1 types.go PathTypePrefix: "/foo and /foo/ both
    match requests to /foo and /foo/. If both paths are present in an Ingress spec, the longest
    matching path (/foo/) is given priority." So a Prefix `/foo/` is longer than an Exact `/foo`
    too, and wins `/foo` (ingress.md "Multiple matches": longest first, Exact only breaks ties)."""
    return len(ingress_path(path))


def precedence(path_type: str | None, path: str | None) -> tuple[int, int]:
    """Sort key, larger first: longest path, then Exact over Prefix ("Multiple matches")."""
    return (match_length(path_type, path), 1 if effective_path_type(path_type) == EXACT else 0)


def conflict_key(path_type: str | None, path: str | None) -> tuple[str, str]:
    """Two paths with the same key on one host are the same location: the same pathType (as
    ingress-nginx acts on it) and the same path as written. Prefix `/foo` and `/foo/` match the
    same requests but are two paths, the longer one taking precedence (match_length)."""
    return (effective_path_type(path_type), ingress_path(path))


def same_prefix(path: str | None, other: str | None) -> bool:
    """Prefix paths that differ only by trailing slashes match exactly the same requests."""
    return prefix_base(ingress_path(path)) == prefix_base(ingress_path(other))


def split_request_path(raw: str) -> tuple[str, str]:
    """(path, query): the query string and any fragment are not part of the matched path."""
    path, _, query = raw.partition("?")
    path = path.partition("#")[0]
    query = query.partition("#")[0]
    return path, query


def normalize_request_path(path: str) -> str:
    """nginx's `$uri`: %XX decoded, slashes merged, `.` and `..` segments resolved."""
    decoded = unquote(path) if "%" in path else path
    if not decoded.startswith("/"):
        decoded = "/" + decoded
    decoded = re.sub(r"/{2,}", "/", decoded)
    out: list[str] = []
    parts = decoded.split("/")[1:]
    for i, seg in enumerate(parts):
        last = i == len(parts) - 1
        if seg == ".":
            if last:
                out.append("")
            continue
        if seg == "..":
            if out:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    return "/" + "/".join(out)


def normalize_host(host: str | None) -> str:
    """The Host header as nginx compares it: lower case, port and trailing dot removed."""
    h = (host or "").strip().lower()
    if h.startswith("["):  # IPv6 literal, "[::1]:80"
        return h[1:].partition("]")[0]
    if h.count(":") == 1:
        h = h.partition(":")[0]
    return h.rstrip(".")


def wildcard_matches(pattern: str, name: str) -> bool:
    """`*.foo.com` matches `bar.foo.com` only: exactly one extra label (ingress.md "Hostname
    wildcards"; the same rule as a TLS certificate's wildcard name, RFC 6125 6.4.3)."""
    pattern = pattern.lower()
    name = name.lower()
    if not pattern.startswith("*."):
        return False
    suffix = pattern[1:]  # ".foo.com"
    if not name.endswith(suffix):
        return False
    label = name[: -len(suffix)]
    return bool(label) and _WILDCARD_LABEL.match(label) is not None


def host_matches(rule_host: str | None, request_host: str) -> bool:
    """A rule's host against a normalised request host; no host matches every request."""
    if not rule_host:
        return True
    if rule_host.startswith("*."):
        return wildcard_matches(rule_host, request_host)
    return rule_host.lower() == request_host


def certificate_name_matches(tls_host: str, server_name: str) -> bool:
    """A spec.tls[].hosts entry against the TLS server name (exact, or one-label wildcard)."""
    tls_host = tls_host.lower().rstrip(".")
    if tls_host.startswith("*."):
        return wildcard_matches(tls_host, server_name)
    return tls_host == server_name


def regex_location_matches(location_path: str, request_path: str) -> bool:
    """ingress-nginx regex mode: `location ~* "^<path>"` (case-insensitive, anchored at the
    start only). Go's RE2 syntax is close enough to Python's for the paths Kubernetes accepts;
    a pattern Python cannot compile never matches."""
    try:
        return re.match(location_path, request_path, re.IGNORECASE) is not None
    except re.error:
        return False
