"""Ingress path and host matching, from the Kubernetes documentation and conformance suite.

CONCEPT_TABLE is the "Examples" table of kubernetes/website
content/en/docs/concepts/services-networking/ingress.md, transcribed row by row (columns
Kind, Path(s), Request path(s), Matches?). HOST_TABLE is its "Hostname wildcards" table.
PATH_RULES / HOST_RULES are the scenarios of kubernetes-sigs/ingress-controller-conformance
features/path_rules.feature and features/host_rules.feature.
"""

from __future__ import annotations

import pytest

from kubenet_site.semantics import ingress_paths as P
from kubenet_site.semantics.ingress import IngressRequest, route
from tests.semantics.ingress_fixtures import backend, ing, path, rule, services, snap_of, tls

CONCEPT_TABLE = [
    # Kind,   Path(s),                        Request path(s),  Matches?
    ("Prefix", "/", "(all paths)", "Yes"),
    ("Exact", "/foo", "/foo", "Yes"),
    ("Exact", "/foo", "/bar", "No"),
    ("Exact", "/foo", "/foo/", "No"),
    ("Exact", "/foo/", "/foo", "No"),
    ("Prefix", "/foo", "/foo, /foo/", "Yes"),
    ("Prefix", "/foo/", "/foo, /foo/", "Yes"),
    ("Prefix", "/aaa/bb", "/aaa/bbb", "No"),
    ("Prefix", "/aaa/bbb", "/aaa/bbb", "Yes"),
    ("Prefix", "/aaa/bbb/", "/aaa/bbb", "Yes, ignores trailing slash"),
    ("Prefix", "/aaa/bbb", "/aaa/bbb/", "Yes,  matches trailing slash"),
    ("Prefix", "/aaa/bbb", "/aaa/bbb/ccc", "Yes, matches subpath"),
    ("Prefix", "/aaa/bbb", "/aaa/bbbxyz", "No, does not match string prefix"),
    ("Prefix", "/, /aaa", "/aaa/ccc", "Yes, matches /aaa prefix"),
    ("Prefix", "/, /aaa, /aaa/bbb", "/aaa/bbb", "Yes, matches /aaa/bbb prefix"),
    ("Prefix", "/, /aaa, /aaa/bbb", "/ccc", "Yes, matches / prefix"),
    ("Prefix", "/aaa", "/ccc", "No, uses default backend"),
    ("Mixed", "/foo (Prefix), /foo (Exact)", "/foo", "Yes, prefers Exact"),
]

ALL_PATHS = ("/", "/foo", "/foo/", "/aaa/bbb/ccc", "/FOO/Bar", "/x?y=/z")


def _svc_name(p: str, ptype: str) -> str:
    return f"{ptype.lower()}{p.replace('/', '-') or '-'}".rstrip("-") + "-svc"


def _concept_cases():
    for kind, paths_col, requests_col, matches in CONCEPT_TABLE:
        specs = []
        for part in paths_col.split(", "):
            p, _, t = part.partition(" (")
            specs.append((p, t.rstrip(")") if t else kind))
        requests = ALL_PATHS if requests_col == "(all paths)" else tuple(requests_col.split(", "))
        if matches.startswith("Yes"):
            if "matches /" in matches and "prefix" in matches:
                winner = matches.split("matches ", 1)[1].split(" prefix")[0]
                expected = _svc_name(winner, "Prefix")
            elif "prefers Exact" in matches:
                expected = _svc_name("/foo", "Exact")
            else:
                expected = _svc_name(specs[0][0], specs[0][1])
        else:
            expected = "default-backend" if "default backend" in matches else "no-match"
        for req in requests:
            yield pytest.param(specs, req, expected,
                               id=f"{kind} {paths_col} | {req} | {matches}")


@pytest.mark.parametrize("specs,request_path,expected", list(_concept_cases()))
def test_concept_page_examples(specs, request_path, expected):
    names = [_svc_name(p, t) for p, t in specs]
    default = backend("fallback") if expected == "default-backend" else None
    snap = snap_of(ing("ex", rule("example.com", *[path(p, n, t) for (p, t), n in zip(specs, names, strict=True)]),
                       default=default), services(*names, "fallback"))
    v = route(snap, IngressRequest("example.com", request_path))
    got = v.details["service"].split("/")[1] if v.outcome == "routed" else v.outcome
    if expected == "default-backend":
        assert v.details["service"] == "default/fallback", "\n".join(v.trace)
    assert got == expected, "\n".join(v.trace)


# k8s.io/api networking/v1 types.go, PathTypePrefix: "/foo and /foo/ both match requests to /foo
# and /foo/. If both paths are present in an Ingress spec, the longest matching path (/foo/) is
# given priority." With the concept page's element-wise rule ("matches subpath") /foo/x too.
TRAILING_SLASH_TWINS = [
    # paths in the Ingress (order as written), request, the path whose backend answers
    pytest.param(("/foo", "/foo/"), "/foo", "/foo/", id="/foo and /foo/ | /foo | /foo/ wins (longest)"),
    pytest.param(("/foo", "/foo/"), "/foo/", "/foo/", id="/foo and /foo/ | /foo/ | /foo/ wins"),
    pytest.param(("/foo", "/foo/"), "/foo/x", "/foo/", id="/foo and /foo/ | /foo/x | /foo/ wins"),
    pytest.param(("/foo/", "/foo"), "/foo", "/foo/", id="order in the spec does not matter | /foo"),
    pytest.param(("/foo/", "/foo"), "/foo/x", "/foo/", id="order in the spec does not matter | /foo/x"),
    pytest.param(("/foo", "/foo/"), "/foobar", None, id="/foo and /foo/ | /foobar | no match"),
    pytest.param(("/foo", "/foo/", "/foo/x"), "/foo/x/y", "/foo/x", id="a longer subpath still beats both"),
]


@pytest.mark.parametrize("written,request_path,winner", TRAILING_SLASH_TWINS)
def test_prefix_paths_differing_by_a_trailing_slash(written, request_path, winner):
    names = {p: "svc" + p.replace("/", "-").rstrip("-") + ("-slash" if p.endswith("/") else "") for p in written}
    snap = snap_of(ing("twins", rule("example.com", *[path(p, names[p], "Prefix") for p in written])),
                   services(*names.values()))
    v = route(snap, IngressRequest("example.com", request_path))
    if winner is None:
        assert v.outcome == "no-match", "\n".join(v.trace)
    else:
        assert (v.outcome, v.details["service"]) == ("routed", f"default/{names[winner]}"), "\n".join(v.trace)


def test_trailing_slash_twin_that_never_wins_is_reported():
    from kubenet_site.semantics.ingress import conflicts

    snap = snap_of(ing("twins", rule("example.com", path("/foo", "a", "Prefix"), path("/foo/", "b", "Prefix"))),
                   services("a", "b"))
    found = [(d.code, d.object, d.field) for d in conflicts(snap)]
    assert found == [("ingress-path-conflict", "Ingress/default/twins", "spec.rules[0].http.paths[0].path")]
    alone = snap_of(ing("one", rule("example.com", path("/foo", "a", "Prefix"), path("/foo/", "b", "Exact"))),
                    services("a", "b"))
    assert conflicts(alone) == []


HOST_TABLE = [
    # Host,       Host header,       Match?
    ("*.foo.com", "bar.foo.com", "Matches based on shared suffix"),
    ("*.foo.com", "baz.bar.foo.com", "No match, wildcard only covers a single DNS label"),
    ("*.foo.com", "foo.com", "No match, wildcard only covers a single DNS label"),
]


@pytest.mark.parametrize("host,header,matches",
                         [pytest.param(*row, id=f"{row[0]} vs {row[1]}: {row[2]}") for row in HOST_TABLE])
def test_concept_page_host_wildcards(host, header, matches):
    assert P.host_matches(host, header) == matches.startswith("Matches")
    snap = snap_of(ing("w", rule(host, path("/", "wild"))), services("wild"))
    v = route(snap, IngressRequest(header, "/"))
    assert (v.outcome == "routed") == matches.startswith("Matches"), "\n".join(v.trace)


# features/path_rules.feature: the Background Ingress and every scenario (host, path, status,
# service).
PATH_RULES_INGRESS = ing(
    "path-rules",
    rule("exact-path-rules", path("/foo", "foo-exact", "Exact", 8080)),
    rule("prefix-path-rules", path("/foo", "foo-prefix", "Prefix", 8080),
         path("/aaa/bbb", "aaa-slash-bbb-prefix", "Prefix", 8080),
         path("/aaa", "aaa-prefix", "Prefix", 8080)),
    rule("mixed-path-rules", path("/foo", "foo-prefix", "Prefix", 8080),
         path("/foo", "foo-exact", "Exact", 8080)),
    rule("trailing-slash-path-rules", path("/aaa/bbb/", "aaa-slash-bbb-slash-prefix", "Prefix", 8080),
         path("/foo/", "foo-slash-exact", "Exact", 8080)),
)
PATH_RULES = [
    ("exact-path-rules", "/foo", 200, "foo-exact"),
    ("exact-path-rules", "/foo/", 404, None),
    ("exact-path-rules", "/FOO", 404, None),
    ("exact-path-rules", "/bar", 404, None),
    ("prefix-path-rules", "/foo", 200, "foo-prefix"),
    ("prefix-path-rules", "/foo/", 200, "foo-prefix"),
    ("prefix-path-rules", "/FOO", 404, None),
    ("prefix-path-rules", "/aaa/bbb", 200, "aaa-slash-bbb-prefix"),
    ("prefix-path-rules", "/aaa/bbb/ccc", 200, "aaa-slash-bbb-prefix"),
    ("prefix-path-rules", "/aaa/ccc", 200, "aaa-prefix"),
    ("prefix-path-rules", "/aaaccc", 404, None),
    ("mixed-path-rules", "/foo", 200, "foo-exact"),
    ("trailing-slash-path-rules", "/aaa/bbb", 200, "aaa-slash-bbb-slash-prefix"),
    ("trailing-slash-path-rules", "/aaa/bbb/", 200, "aaa-slash-bbb-slash-prefix"),
    ("trailing-slash-path-rules", "/foo", 404, None),
]
PATH_RULES_SNAP = snap_of(PATH_RULES_INGRESS, *[
    services(n, port=8080) for n in ("foo-exact", "foo-prefix", "aaa-slash-bbb-prefix",
                                      "aaa-prefix", "aaa-slash-bbb-slash-prefix", "foo-slash-exact")])


@pytest.mark.parametrize("host,req,status,service",
                         [pytest.param(*r, id=f"conformance path_rules http://{r[0]}{r[1]} -> {r[2]}")
                          for r in PATH_RULES])
def test_conformance_path_rules(host, req, status, service):
    v = route(PATH_RULES_SNAP, IngressRequest(host, req))
    if status == 200:
        assert (v.outcome, v.details["service"], v.details["port"]) == \
            ("routed", f"default/{service}", 8080), "\n".join(v.trace)
    else:
        assert (v.outcome, v.details.get("httpStatus")) == ("no-match", 404), "\n".join(v.trace)


# features/host_rules.feature
HOST_RULES_INGRESS = ing(
    "host-rules",
    rule("*.foo.com", path("/", "wildcard-foo-com", "Prefix", 8080)),
    rule("foo.bar.com", path("/", "foo-bar-com", "Prefix", "http")),
    tls_=(tls("foo.bar.com", secret="conformance-tls"),),
)
HOST_RULES = [
    ("https", "foo.bar.com", 200, "foo-bar-com"),
    ("http", "foo.bar.com", 200, "foo-bar-com"),
    ("http", "subdomain.bar.com", 404, None),
    ("http", "bar.foo.com", 200, "wildcard-foo-com"),
    ("http", "baz.bar.foo.com", 404, None),
    ("http", "foo.com", 404, None),
]
HOST_RULES_SNAP = snap_of(HOST_RULES_INGRESS, services("wildcard-foo-com", "foo-bar-com", port=8080))


@pytest.mark.parametrize("scheme,host,status,service",
                         [pytest.param(*r, id=f"conformance host_rules {r[0]}://{r[1]} -> {r[2]}")
                          for r in HOST_RULES])
def test_conformance_host_rules(scheme, host, status, service):
    v = route(HOST_RULES_SNAP, IngressRequest(host, "/", scheme))
    if status == 200:
        assert (v.outcome, v.details["service"], v.details["port"]) == \
            ("routed", f"default/{service}", 8080), "\n".join(v.trace)
        if scheme == "https":
            assert v.details["tls"] == {"secret": "default/conformance-tls"}
    else:
        assert (v.outcome, v.details.get("httpStatus")) == ("no-match", 404), "\n".join(v.trace)


# --- pure matching corner cases ------------------------------------------------------------

@pytest.mark.parametrize("ptype,p,req,expected", [
    pytest.param("Prefix", "/foo", "/foobar", False, id="Prefix /foo does not match /foobar"),
    pytest.param("Prefix", "/foo", "/foo/bar/baz", True, id="Prefix /foo matches /foo/bar/baz"),
    pytest.param("Prefix", "/", "/", True, id="Prefix / matches /"),
    pytest.param("Prefix", None, "/anything", True, id="omitted path is / (ingress-nginx rootLocation)"),
    pytest.param("Prefix", "/foo/bar", "/foo/barbaz", False,
                 id="API reference note: /foo/bar does not match /foo/barbaz"),
    pytest.param("ImplementationSpecific", "/foo", "/foobar", False,
                 id="ImplementationSpecific is Prefix in ingress-nginx: no string prefix"),
    pytest.param("ImplementationSpecific", "/foo", "/foo/x", True,
                 id="ImplementationSpecific /foo matches /foo/x"),
    pytest.param("Exact", "/foo", "/FOO", False, id="Exact is case-sensitive"),
    pytest.param("Prefix", "/foo", "/FOO", False, id="Prefix is case-sensitive"),
])
def test_path_matches(ptype, p, req, expected):
    assert P.path_matches(ptype, p, req) is expected


@pytest.mark.parametrize("raw,expected", [
    pytest.param("/foo?x=/bar", "/foo", id="query string stripped"),
    pytest.param("/foo#frag", "/foo", id="fragment stripped"),
    pytest.param("//foo///bar", "/foo/bar", id="slashes merged (nginx merge_slashes)"),
    pytest.param("/a/b/../c", "/a/c", id="dot-dot resolved"),
    pytest.param("/a/./b/.", "/a/b/", id="dot segments resolved"),
    pytest.param("/f%6Fo", "/foo", id="percent escapes decoded"),
    pytest.param("", "/", id="empty path is /"),
])
def test_request_normalisation(raw, expected):
    path_, _ = P.split_request_path(raw)
    assert P.normalize_request_path(path_ or "/") == expected


@pytest.mark.parametrize("host,expected", [
    pytest.param("FOO.Example.COM", "foo.example.com", id="host lower-cased"),
    pytest.param("foo.example.com:8443", "foo.example.com", id="port removed"),
    pytest.param("foo.example.com.", "foo.example.com", id="trailing dot removed"),
    pytest.param("[2001:db8::1]:80", "2001:db8::1", id="IPv6 literal"),
])
def test_host_normalisation(host, expected):
    assert P.normalize_host(host) == expected


@pytest.mark.parametrize("pattern,name,expected", [
    pytest.param("*.example.com", "foo.example.com", True, id="wildcard: one label"),
    pytest.param("*.example.com", "example.com", False, id="wildcard: no label"),
    pytest.param("*.example.com", "a.b.example.com", False, id="wildcard: two labels"),
    pytest.param("*.example.com", "FOO.EXAMPLE.COM", True, id="wildcard: case-insensitive"),
    pytest.param("*.example.com", "fooexample.com", False, id="wildcard: suffix must follow a dot"),
])
def test_wildcards(pattern, name, expected):
    assert P.wildcard_matches(pattern, name) is expected
    assert P.certificate_name_matches(pattern, name.lower()) is expected
