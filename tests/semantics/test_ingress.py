"""ingress.py: class selection, ingress-nginx merging, precedence, TLS, default backends,
backend ports, the entry hops through the controller's Service, and the ingress-route query.

Sources: kubernetes/website ingress.md; ingress-nginx store.go (GetIngressClass,
sortIngressSlice), controller.go (createServers, getBackendServers, extractTLSSecretName);
kubernetes-sigs/ingress-controller-conformance features/default_backend.feature and
features/ingress_class.feature; interfaces.md `ingress-route`.
"""

from __future__ import annotations

import pytest

from kubenet_site.semantics.ingress import (
    IMPLEMENTATION_SPECIFIC_BEHAVIOUR,
    IngressRequest,
    answer_ingress_route,
    conflicts,
    entry_paths,
    ingress_columns,
    is_served,
    route,
    serving_class,
)
from kubenet_site.semantics.types import IngressClass, QueryError
from tests.semantics.builders import node, pod, sport, svc
from tests.semantics.ingress_fixtures import (
    NGINX,
    backend,
    backend_service,
    ing,
    lb,
    path,
    rule,
    services,
    snap_of,
    tls,
)

OTHER = IngressClass(name="other", controller="example.com/other")


def show(v):
    return "\n".join(v.trace) + f"\n{dict(v.details)}"


# --- class selection -----------------------------------------------------------------------

WEB_RULE = rule("web.example.com", path("/", "web"))


@pytest.mark.parametrize("ingress,classes,controllers,served", [
    pytest.param(ing("a", WEB_RULE, cls="nginx"), (NGINX,), None, True,
                 id="ingressClassName of an existing class, every controller running"),
    pytest.param(ing("a", WEB_RULE, cls="some-invalid-class-name"), (NGINX,), None, False,
                 id="conformance ingress_class: invalid class name is not served"),
    pytest.param(ing("a", WEB_RULE, cls=None), (NGINX,), None, False,
                 id="no class, no annotation: not served (default applied only at admission)"),
    pytest.param(ing("a", WEB_RULE, cls=None, class_annotation="nginx"), (NGINX,), None, True,
                 id="annotation kubernetes.io/ingress.class naming the class"),
    pytest.param(ing("a", WEB_RULE, cls=None, annotations={"kubernetes.io/ingress.class": "nginx"}),
                 (NGINX,), None, True, id="annotation read from metadata.annotations"),
    pytest.param(ing("a", WEB_RULE, cls=None, class_annotation="traefik"), (NGINX,), None, False,
                 id="annotation naming another controller's class"),
    pytest.param(ing("a", WEB_RULE, cls=None, class_annotation=""), (NGINX,), None, False,
                 id="empty annotation is not ingress-nginx's class"),
    pytest.param(ing("a", WEB_RULE, cls="nginx", class_annotation="other"), (NGINX, OTHER), None, True,
                 id="ingressClassName wins over the annotation (GetIngressClass order)"),
    pytest.param(ing("a", WEB_RULE, cls="other"), (NGINX, OTHER), ("k8s.io/ingress-nginx",), False,
                 id="class whose controller is not running serves nothing"),
    pytest.param(ing("a", WEB_RULE, cls="nginx"), (NGINX, OTHER), ("k8s.io/ingress-nginx",), True,
                 id="class whose controller is listed as running"),
    pytest.param(ing("a", WEB_RULE, cls="nginx"), (NGINX,), (), False,
                 id="ingressControllers [] : no controller runs at all"),
])
def test_class_selection(ingress, classes, controllers, served):
    snap = snap_of(ingress, services("web"), classes=classes, controllers=controllers)
    ok, reason = is_served(snap, ingress)
    assert ok is served, reason
    assert (serving_class(snap, ingress) is not None) is served
    v = route(snap, IngressRequest("web.example.com", "/"))
    assert v.outcome == ("routed" if served else "not-served"), show(v)


def test_not_served_reason_names_the_ingress_and_class():
    snap = snap_of(ing("a", WEB_RULE, cls="other"), services("web"), classes=(NGINX, OTHER),
                   controllers=("k8s.io/ingress-nginx",))
    v = route(snap, IngressRequest("web.example.com", "/"))
    assert v.outcome == "not-served"
    assert any("example.com/other" in line and "not running" in line for line in v.trace), show(v)


# --- precedence across hosts and Ingresses ---------------------------------------------------

PRECEDENCE = [
    pytest.param([ing("a", rule("*.example.com", path("/", "wild"))),
                  ing("b", rule("foo.example.com", path("/", "exact")))],
                 "foo.example.com", "/", "exact",
                 id="exact host beats wildcard host whatever the age"),
    pytest.param([ing("a", rule(None, path("/", "any"))),
                  ing("b", rule("*.example.com", path("/", "wild")))],
                 "foo.example.com", "/x", "wild", id="wildcard host beats a rule without host"),
    pytest.param([ing("a", rule(None, path("/", "any")))],
                 "whatever.test", "/x", "any", id="rule without host matches every host"),
    pytest.param([ing("a", rule(None, path("/", "any")))],
                 "", "/x", "any", id="rule without host matches a request without Host"),
    pytest.param([ing("a", rule("foo.example.com", path("/api", "api"))),
                  ing("b", rule(None, path("/", "any")))],
                 "foo.example.com", "/other", "no-match",
                 id="no fall-through from a host's server to rules without host (ingress-nginx)"),
    pytest.param([ing("a", rule("foo.example.com", path("/", "web")))],
                 "FOO.Example.com:8080", "/", "web", id="Host is case-insensitive, port ignored"),
    pytest.param([ing("a", rule("foo.example.com", path("/aaa", "short"))),
                  ing("b", rule("foo.example.com", path("/aaa/bbb", "long")), created=5)],
                 "foo.example.com", "/aaa/bbb/c", "long",
                 id="longest path wins across merged Ingresses"),
    pytest.param([ing("a", rule("foo.example.com", path("/foo", "pre", "Prefix"),
                                path("/foo/", "ex", "Exact")))],
                 "foo.example.com", "/foo/", "ex", id="Exact /foo/ beats Prefix /foo for /foo/"),
    pytest.param([ing("a", rule("foo.example.com", path("/foo/", "pre", "Prefix"),
                                path("/foo", "ex", "Exact")))],
                 "foo.example.com", "/foo", "pre",
                 id="Prefix /foo/ beats Exact /foo for /foo: longest path as written first (types.go "
                    "PathTypePrefix counts the trailing slash; Exact only breaks ties)"),
    pytest.param([ing("a", rule("foo.example.com", path("/foo/", "pre", "Prefix"),
                                path("/foo/", "ex", "Exact")))],
                 "foo.example.com", "/foo/", "ex", id="equal length: Exact /foo/ beats Prefix /foo/"),
    pytest.param([ing("a", rule("foo.example.com", path("/foo", "is", "ImplementationSpecific")))],
                 "foo.example.com", "/foobar", "no-match",
                 id="ImplementationSpecific /foo does not match /foobar (treated as Prefix)"),
    pytest.param([ing("a", rule("foo.example.com", path("/foo", "pre", "Prefix")))],
                 "foo.example.com", "/foo?next=/bar", "pre", id="query string ignored"),
    pytest.param([ing("a", rule("foo.example.com", path("/foo", "pre", "Exact")))],
                 "foo.example.com", "/foo?x=1", "pre", id="Exact with a query string still matches"),
    pytest.param([ing("a", rule("foo.example.com", path("/foo", "ex", "Exact")))],
                 "foo.example.com", "/bar/../foo", "ex", id="dot segments resolved before matching"),
]


@pytest.mark.parametrize("ingresses,host,req,expected", PRECEDENCE)
def test_precedence(ingresses, host, req, expected):
    names = {p.backend.service_name for i in ingresses for r in i.rules for p in r.paths}
    snap = snap_of(*ingresses, services(*sorted(names)))
    v = route(snap, IngressRequest(host, req))
    got = v.details["service"].split("/")[1] if v.outcome == "routed" else v.outcome
    assert got == expected, show(v)


# --- merging several Ingresses on one host ------------------------------------------------------

MERGE = [
    pytest.param([ing("old", rule("m.example.com", path("/x", "old-svc")), created=0),
                  ing("new", rule("m.example.com", path("/x", "new-svc")), created=5)],
                 "/x", "default/old", id="same host+path+pathType: oldest Ingress wins"),
    pytest.param([ing("new", rule("m.example.com", path("/x", "new-svc")), created=5),
                  ing("old", rule("m.example.com", path("/x", "old-svc")), created=0)],
                 "/x", "default/old", id="oldest wins whatever the document order"),
    pytest.param([ing("a", rule("m.example.com", path("/x", "a-svc")), created=0),
                  ing("b", rule("m.example.com", path("/x", "b-svc")), created=0)],
                 "/x", "default/b",
                 id="equal creationTimestamp: ns/name descending first (sortIngressSlice)"),
    pytest.param([ing("a", rule("m.example.com", path("/x", "a-svc", "Exact")), created=0),
                  ing("b", rule("m.example.com", path("/x", "b-svc", "Prefix")), created=5)],
                 "/x/y", "default/b", id="same path, different pathType: both kept"),
    pytest.param([ing("a", rule("m.example.com", path("/x", "a-svc", "Prefix")), created=0),
                  ing("b", rule("m.example.com", path("/x", "b-svc", "ImplementationSpecific")),
                      created=5)],
                 "/x/y", "default/a", id="ImplementationSpecific collides with Prefix (same type)"),
    pytest.param([ing("a", rule("m.example.com", path("/x", "a-svc")), ns="team-a", created=0),
                  ing("b", rule("m.example.com", path("/y", "b-svc")), ns="team-b", created=5)],
                 "/y", "team-b/b", id="Ingresses of different namespaces merge on one host"),
    pytest.param([ing("a", rule("m.example.com", path("/x", "a-svc")), created=0),
                  ing("b", rule("m.example.com", path("/x", "b-svc")), cls="other", created=-5)],
                 "/x", "default/a", id="an unserved older Ingress takes no part in the merge"),
]


@pytest.mark.parametrize("ingresses,req,expected_ingress", MERGE)
def test_merge(ingresses, req, expected_ingress):
    objs = []
    for i in ingresses:
        for r in i.rules:
            for p in r.paths:
                objs += backend_service(p.backend.service_name, ns=i.namespace)
    snap = snap_of(*ingresses, objs)
    v = route(snap, IngressRequest("m.example.com", req))
    assert (v.outcome, v.details["ingress"]) == ("routed", expected_ingress), show(v)


def test_conflicts_report_the_younger_ingress():
    snap = snap_of(ing("old", rule("m.example.com", path("/x", "s")), created=0),
                   ing("new", rule("m.example.com", path("/y", "s"), path("/x", "s")), created=5),
                   ing("dup", rule("m.example.com", path("/z", "s"), path("/z", "s", "Exact"))),
                   services("s"))
    found = {(d.object, d.field, d.code) for d in conflicts(snap)}
    assert found == {("Ingress/default/new", "spec.rules[0].http.paths[1].path",
                      "ingress-path-conflict")}


def test_trailing_slash_twins_across_ingresses_report_the_one_that_never_wins():
    # Prefix /x/ is longer than /x and takes all its requests whatever the age (types.go
    # PathTypePrefix); the older /x is the one left without traffic.
    snap = snap_of(ing("old", rule("m.example.com", path("/x", "s")), created=0),
                   ing("new", rule("m.example.com", path("/x/", "t")), created=5), services("s", "t"))
    found = {(d.object, d.field, d.code) for d in conflicts(snap)}
    assert found == {("Ingress/default/old", "spec.rules[0].http.paths[0].path", "ingress-path-conflict")}
    v = route(snap, IngressRequest("m.example.com", "/x"))
    assert (v.outcome, v.details["ingress"], v.details["service"]) == ("routed", "default/new", "default/t")


def test_conflict_inside_one_ingress_and_default_backends():
    snap = snap_of(ing("one", rule("m.example.com", path("/z", "s"), path("/z", "t")),
                       default=backend("s"), created=0),
                   ing("two", default=backend("t"), created=3), services("s", "t"))
    found = sorted((d.object, d.field, d.code) for d in conflicts(snap))
    assert found == [("Ingress/default/one", "spec.rules[0].http.paths[1].path", "ingress-path-conflict"),
                     ("Ingress/default/two", "spec.defaultBackend", "ingress-default-backend-conflict")]


# --- TLS ----------------------------------------------------------------------------------

TLS_ING = ing("secure", rule("shop.example.com", path("/", "web")),
              rule("*.apps.example.com", path("/", "web")),
              tls_=(tls("shop.example.com", secret="shop-tls"), tls("*.apps.example.com", secret="apps-tls")))

TLS_CASES = [
    pytest.param("https", "shop.example.com", None, "routed", {"secret": "default/shop-tls"},
                 id="https host listed in spec.tls: routed with its secret"),
    pytest.param("https", "SHOP.example.com", None, "routed", {"secret": "default/shop-tls"},
                 id="TLS host comparison is case-insensitive"),
    pytest.param("https", "a.apps.example.com", None, "routed", {"secret": "default/apps-tls"},
                 id="wildcard TLS host covers one label"),
    pytest.param("https", "a.b.apps.example.com", None, "no-certificate", None,
                 id="wildcard TLS host does not cover two labels"),
    pytest.param("https", "apps.example.com", None, "no-certificate", None,
                 id="wildcard TLS host does not cover the bare domain"),
    pytest.param("https", "other.example.com", "shop.example.com", "no-match", {"secret": "default/shop-tls"},
                 id="SNI listed, Host not routed: certificate from SNI, then no rule"),
    pytest.param("https", "shop.example.com", "nope.example.com", "no-certificate", None,
                 id="SNI decides the certificate, not Host"),
    pytest.param("http", "other.example.com", None, "no-match", None,
                 id="plain http never needs a certificate"),
    pytest.param("http", "shop.example.com", None, "routed", None, id="http to a TLS host: tls null"),
]


@pytest.mark.parametrize("scheme,host,sni,outcome,tls_detail", TLS_CASES)
def test_tls(scheme, host, sni, outcome, tls_detail):
    snap = snap_of(TLS_ING, ing("plain", rule("other.example.com", path("/only", "web"))),
                   services("web"))
    v = route(snap, IngressRequest(host, "/", scheme, sni))
    assert (v.outcome, v.details["tls"]) == (outcome, tls_detail), show(v)


def test_tls_of_an_unserved_ingress_does_not_count():
    snap = snap_of(ing("web", rule("shop.example.com", path("/", "web"))),
                   ing("certs", tls_=(tls("shop.example.com"),), default=backend("web"), cls="other"),
                   services("web"))
    v = route(snap, IngressRequest("shop.example.com", "/", "https"))
    assert v.outcome == "no-certificate", show(v)


def test_no_certificate_comes_before_missing_backend():
    snap = snap_of(ing("web", rule("shop.example.com", path("/", "missing"))))
    assert route(snap, IngressRequest("shop.example.com", "/", "https")).outcome == "no-certificate"
    assert route(snap, IngressRequest("shop.example.com", "/", "http")).outcome == "no-endpoints"


def test_not_served_comes_before_no_certificate():
    snap = snap_of(ing("web", rule("shop.example.com", path("/", "web")), cls=None), services("web"))
    assert route(snap, IngressRequest("shop.example.com", "/", "https")).outcome == "not-served"


# --- default backend ------------------------------------------------------------------------

# features/default_backend.feature: an Ingress with only spec.defaultBackend, Examples table.
DEFAULT_BACKEND_EXAMPLES = [
    ("GET", "my-host", ""), ("GET", "my-host", "sub-path"), ("POST", "some-host", ""),
    ("PUT", "", "resource"), ("DELETE", "some-host", "resource"), ("PATCH", "my-host", "resource"),
]


@pytest.mark.parametrize("method,host,p", [pytest.param(*r, id=f"conformance default_backend {r}")
                                           for r in DEFAULT_BACKEND_EXAMPLES])
def test_conformance_default_backend(method, host, p):
    snap = snap_of(ing("default-backend", default=backend("echo-service", 8080)),
                   services("echo-service", port=8080))
    v = route(snap, IngressRequest(host, "/" + p))
    assert (v.outcome, v.details["service"], v.details["port"]) == \
        ("default-backend", "default/echo-service", 8080), show(v)


DEFAULTS = [
    pytest.param([ing("young", default=backend("young-svc"), created=9),
                  ing("old", default=backend("old-svc"), created=1)],
                 "x.example.com", "/", ("default-backend", "default/old-svc"),
                 id="several default backends: the oldest Ingress's"),
    pytest.param([ing("rules", rule("x.example.com", path("/api", "api"))),
                  ing("fallback", default=backend("fb"), created=3)],
                 "x.example.com", "/other", ("default-backend", "default/fb"),
                 id="host known but no path matches: default backend"),
    pytest.param([ing("rules", rule("x.example.com", path("/api", "api")))],
                 "x.example.com", "/other", ("no-match", None),
                 id="no rule, no default backend: controller 404"),
    pytest.param([ing("rules", rule("x.example.com", path("/api", "api")), default=backend("fb"))],
                 "x.example.com", "/api/v1", ("routed", "default/api"),
                 id="a matching rule wins over the default backend"),
    pytest.param([ing("rules", rule("x.example.com", path("/api", "gone")), default=backend("fb"))],
                 "x.example.com", "/api", ("no-endpoints", "default/gone"),
                 id="chosen backend missing: no-endpoints, not re-routed to the default backend"),
    pytest.param([ing("only", default=backend("gone"))],
                 "x.example.com", "/", ("default-backend", "default/gone"),
                 id="default backend Service missing: still default-backend (503)"),
]


@pytest.mark.parametrize("ingresses,host,req,expected", DEFAULTS)
def test_default_backend(ingresses, host, req, expected):
    snap = snap_of(*ingresses, services("young-svc", "old-svc", "fb", "api"))
    v = route(snap, IngressRequest(host, req))
    assert (v.outcome, v.details["service"]) == expected, show(v)


# --- backend ports and endpoints ---------------------------------------------------------------

def _port_snap(backend_port, *, ready=True, extra=()):
    objs = [svc("api", selector={"app": "api"},
                ports=(sport(80, 8080, name="http"), sport(9000, "metrics", name="metrics"))),
            pod("api-1", labels={"app": "api"}, ip="10.244.1.5", ready=ready),
            pod("api-2", labels={"app": "api"}, ip="10.244.1.6", ready=False), *extra]
    return snap_of(ing("api", rule("api.example.com", path("/", "api", "Prefix", backend_port))), objs)


PORTS = [
    pytest.param("http", {}, ("routed", 80, ["10.244.1.5:8080"]),
                 id="port name resolved against the Service's ports"),
    pytest.param(80, {}, ("routed", 80, ["10.244.1.5:8080"]), id="port number"),
    pytest.param("grpc", {}, ("no-endpoints", None, []), id="unknown port name: no-endpoints"),
    pytest.param(8080, {}, ("no-endpoints", 8080, []),
                 id="number of the target port, not a Service port: no-endpoints"),
    pytest.param("http", {"ready": False}, ("no-endpoints", 80, []),
                 id="no ready endpoint: no-endpoints (503)"),
]


@pytest.mark.parametrize("backend_port,kw,expected", PORTS)
def test_backend_ports(backend_port, kw, expected):
    v = route(_port_snap(backend_port, **kw), IngressRequest("api.example.com", "/"))
    assert (v.outcome, v.details["port"], v.details["backends"]) == expected, show(v)


def test_named_port_with_named_target_port():
    snap = _port_snap("metrics", extra=())
    v = route(snap, IngressRequest("api.example.com", "/"))
    # the api pods declare no container port named "metrics": no endpoint for that port
    assert (v.outcome, v.details["port"]) == ("no-endpoints", 9000), show(v)


# --- the entry through the controller's own Service --------------------------------------------

CTRL_LABELS = {"app.kubernetes.io/name": "ingress-nginx"}


def _controller(policy):
    return [
        node("node-1", "10.0.0.11"), node("node-2", "10.0.0.12"),
        pod("ingress-nginx-controller-1", ns="ingress-nginx", labels=CTRL_LABELS, ip="10.244.1.9",
            node="node-1"),
        svc("ingress-nginx-controller", ns="ingress-nginx", selector=CTRL_LABELS, type="LoadBalancer",
            cluster_ip="10.96.5.5", external_traffic_policy=policy,
            health_check_node_port=32000 if policy == "Local" else None,
            ports=(sport(80, 80, name="http", node_port=30080),
                   sport(443, 443, name="https", node_port=30443)),
            load_balancer_ingress=lb("203.0.113.10")),
    ]


@pytest.mark.parametrize("policy,expected", [
    pytest.param("Local", {"lb:ingress-nginx/ingress-nginx-controller:80/TCP": "delivered",
                           "node:node-1:30080/TCP": "delivered", "node:node-2:30080/TCP": "dropped"},
                 id="externalTrafficPolicy Local: entering through a node without a controller pod drops"),
    pytest.param("Cluster", {"lb:ingress-nginx/ingress-nginx-controller:80/TCP": "delivered",
                             "node:node-1:30080/TCP": "delivered", "node:node-2:30080/TCP": "delivered"},
                 id="externalTrafficPolicy Cluster: every node forwards"),
])
def test_entry_paths_local_policy(policy, expected):
    snap = snap_of(_controller(policy), ing("web", WEB_RULE), services("web"))
    got = {v.details["entry"]: v.outcome for v in entry_paths(snap, "nginx", "http")}
    assert got == expected, "\n\n".join("\n".join(v.trace) for v in entry_paths(snap, "nginx", "http"))
    both = {v.details["entry"] for v in entry_paths(snap, NGINX)}
    assert "node:node-2:30443/TCP" in both


def test_route_trace_shows_entry_hops():
    snap = snap_of(_controller("Local"), ing("web", WEB_RULE), services("web"))
    v = route(snap, IngressRequest("web.example.com", "/"))
    assert v.outcome == "routed"
    text = "\n".join(v.trace)
    assert "ingress-nginx/ingress-nginx-controller-1" in text
    assert "node:node-2:30080/TCP (ingress-nginx/ingress-nginx-controller): dropped" in text, text
    assert v.details["entries"]["node:node-2:30080/TCP"] == "dropped"


def test_route_without_controller_pods_starts_at_the_controller():
    snap = snap_of(ing("web", WEB_RULE), services("web"))
    v = route(snap, IngressRequest("web.example.com", "/"))
    assert any("trace starts at the controller" in line for line in v.trace), show(v)


# --- columns, query, constants ----------------------------------------------------------------

def test_ingress_columns_only_served():
    snap = snap_of(ing("a", rule("a.example.com", path("/x", "s"), path(None, "s", "ImplementationSpecific")),
                       rule(None, path("/", "s"))),
                   ing("b", rule("b.example.com", path("/y", "s")), cls=None), services("s"))
    assert ingress_columns(snap) == [("", "/", "Prefix"), ("a.example.com", "/", "ImplementationSpecific"),
                                     ("a.example.com", "/x", "Prefix")]


def test_answer_ingress_route_shape():
    snap = snap_of(TLS_ING, services("web"))
    out = answer_ingress_route(snap, {"request": {"host": "shop.example.com", "path": "/a?b=c",
                                                  "scheme": "HTTPS"}})
    assert {k: out[k] for k in ("outcome", "ingress", "service", "port", "tls")} == {
        "outcome": "routed", "ingress": "default/secure", "service": "default/web", "port": 80,
        "tls": {"secret": "default/shop-tls"}}
    assert isinstance(out["reason"], str) and isinstance(out["trace"], list)


@pytest.mark.parametrize("q", [
    pytest.param({}, id="no request"),
    pytest.param({"request": "shop.example.com/"}, id="request not a mapping"),
    pytest.param({"request": {"host": "a", "path": "no-slash"}}, id="relative path"),
    pytest.param({"request": {"host": "a", "scheme": "ftp"}}, id="unknown scheme"),
    pytest.param({"request": {"host": 5}}, id="host not a string"),
])
def test_answer_malformed(q):
    with pytest.raises(QueryError):
        answer_ingress_route(snap_of(), q)


def test_implementation_specific_text_is_documented():
    assert "Prefix" in IMPLEMENTATION_SPECIFIC_BEHAVIOUR and "ingress-nginx" in IMPLEMENTATION_SPECIFIC_BEHAVIOUR


# --- ingress-nginx regex mode (use-regex / rewrite-target) ------------------------------------

REGEX = [
    pytest.param([ing("r", rule("r.example.com", path("/foo/.*", "re", "ImplementationSpecific")),
                      annotations={"nginx.ingress.kubernetes.io/use-regex": "true"})],
                 "/FOO/bar", "re", id="use-regex: case-insensitive regex"),
    pytest.param([ing("p", rule("r.example.com", path("/foo", "plain", "Exact"))),
                  ing("r", rule("r.example.com", path("/bar/(.+)", "re", "ImplementationSpecific")),
                      annotations={"nginx.ingress.kubernetes.io/rewrite-target": "/$1"}, created=2)],
                 "/foobar", "plain",
                 id="rewrite-target on one Ingress turns every path of the host into a prefix regex"),
]


@pytest.mark.parametrize("ingresses,req,expected", REGEX)
def test_regex_mode(ingresses, req, expected):
    snap = snap_of(*ingresses, services("re", "plain"))
    v = route(snap, IngressRequest("r.example.com", req))
    got = v.details["service"].split("/")[1] if v.outcome == "routed" else v.outcome
    assert got == expected, show(v)


@pytest.mark.parametrize("ingresses,host,expected", [
    pytest.param([], "a.example.com", "not-served", id="no Ingress at all: not-served"),
    pytest.param([ing("a", rule("a.example.com", path("/", "web"))),
                  ing("b", rule("b.example.com", path("/", "web")), cls="other")],
                 "b.example.com", "not-served",
                 id="the only Ingress for the host is unserved: not-served even if others are served"),
    pytest.param([ing("a", rule("a.example.com", path("/", "web")))],
                 "c.example.com", "no-match",
                 id="served controller, host nobody claims: the controller answers 404"),
    pytest.param([ing("a", rule("a.example.com", path("/", "web")), cls=None)],
                 "a.example.com", "not-served", id="class-less Ingress: not-served"),
])
def test_not_served(ingresses, host, expected):
    snap = snap_of(*ingresses, services("web"), classes=(NGINX, OTHER),
                   controllers=("k8s.io/ingress-nginx",))
    v = route(snap, IngressRequest(host, "/"))
    assert v.outcome == expected, show(v)


def _ext(name, ports=()):
    return svc(name, type="ExternalName", cluster_ip=None, external_name="api.partner.test", ports=ports)


@pytest.mark.parametrize("objs,expected", [
    pytest.param([ing("e", rule("e.example.com", path("/", "ext", "Prefix", 443))), _ext("ext")],
                 ("routed", 443, ["api.partner.test:443"]),
                 id="ExternalName backend without ports: ingress-nginx proxies to the name"),
    pytest.param([ing("e", rule("e.example.com", path("/", "ext", "Prefix", "https"))), _ext("ext")],
                 ("no-endpoints", None, []),
                 id="ExternalName backend by port name it does not have: no-endpoints"),
    pytest.param([ing("e", rule("e.example.com")), ing("d", default=backend("web"), created=2),
                  services("web")],
                 ("default-backend", 80, ["10.244.0.1:8080"]),
                 id="host rule without paths claims the host; default backend answers"),
    pytest.param([ing("e", rule("e.example.com", path("/", "web"))),
                  ing("c", rule("e.example.com", path("/", "canary")), created=-1,
                      annotations={"nginx.ingress.kubernetes.io/canary": "true"}),
                  services("web", "canary")],
                 ("routed", 80, None), id="an older canary Ingress does not take the location"),
])
def test_backend_kinds(objs, expected):
    v = route(snap_of(*objs), IngressRequest("e.example.com", "/"))
    got = (v.outcome, v.details["port"], v.details["backends"] if expected[2] is not None else None)
    if expected[0] == "default-backend":
        assert v.outcome == "default-backend" and v.details["port"] == 80, show(v)
    else:
        assert got == expected, show(v)
    if "canary" in str(objs):
        assert v.details["service"] == "default/web", show(v)


@pytest.mark.parametrize("req,expected", [
    pytest.param("/api", "exact", id="regex mode: Exact /api is rendered ~* ^/api"),
    pytest.param("/apiv2", "exact", id="regex mode: Exact /api also matches /apiv2 (ingress-nginx quirk)"),
    pytest.param("/API/x", "exact", id="regex mode: case-insensitive"),
    pytest.param("/img/a.png", "images", id="regex mode: the longer pattern is tried first"),
    pytest.param("/other", "no-match", id="regex mode: nothing matches: root location"),
])
def test_regex_mode_renders_every_path_as_regex(req, expected):
    snap = snap_of(ing("a", rule("r.example.com", path("/api", "exact", "Exact"))),
                   ing("b", rule("r.example.com", path("/img/.*\\.png", "images", "ImplementationSpecific")),
                       annotations={"nginx.ingress.kubernetes.io/use-regex": "true"}, created=1),
                   services("exact", "images"))
    v = route(snap, IngressRequest("r.example.com", req))
    got = v.details["service"].split("/")[1] if v.outcome == "routed" else v.outcome
    assert got == expected, show(v)


def test_regex_mode_is_per_host():
    snap = snap_of(ing("a", rule("plain.example.com", path("/api", "exact", "Exact"))),
                   ing("b", rule("r.example.com", path("/x", "images")),
                       annotations={"nginx.ingress.kubernetes.io/use-regex": "true"}),
                   services("exact", "images"))
    assert route(snap, IngressRequest("plain.example.com", "/apiv2")).outcome == "no-match"


def test_certificate_from_the_ingress_defining_the_host_first():
    snap = snap_of(ing("certs-only", default=backend("web"), tls_=(tls("shop.example.com", secret="old"),),
                       created=0),
                   ing("shop", rule("shop.example.com", path("/", "web")),
                       tls_=(tls("shop.example.com", secret="own"),), created=5),
                   services("web"))
    v = route(snap, IngressRequest("shop.example.com", "/", "https"))
    assert (v.outcome, v.details["tls"]) == ("routed", {"secret": "default/own"}), show(v)


def test_two_controllers_do_not_merge():
    a = ing("a", rule("foo.example.com", path("/x", "s1")), cls="nginx", created=5)
    b = ing("b", rule("foo.example.com", path("/x", "s2")), cls="other", created=0)
    c = ing("c", rule("bar.example.com", path("/", "s2")), cls="other", created=1)
    snap = snap_of(a, b, c, services("s1", "s2"), classes=(NGINX, OTHER))
    assert conflicts(snap) == []
    v = route(snap, IngressRequest("bar.example.com", "/"))
    assert (v.outcome, v.details["ingress"]) == ("routed", "default/c"), show(v)


def test_default_backend_of_another_controller_is_not_used():
    snap = snap_of(ing("a", rule("foo.example.com", path("/x", "s1")), cls="nginx"),
                   ing("d", default=backend("s2"), cls="other", created=3),
                   services("s1", "s2"), classes=(NGINX, OTHER))
    v = route(snap, IngressRequest("foo.example.com", "/y"))
    assert v.outcome == "no-match", show(v)
