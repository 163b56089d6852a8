"""diagnostics.py: lint findings, as "code object field" strings compared as sets."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.diagnostics import diagnose
from kubenet_site.semantics.types import EndpointSlice, SliceEndpoint, SlicePort
from tests.semantics.builders import node, pod, ports, snapshot, sport, svc

WEB = {"app": "web"}
NAMED = (sport(80, "http", name="web"),)


def found(*objects, severity=None):
    return {f"{d.code} {d.object} {d.field}" for d in diagnose(snapshot(*objects))
            if severity is None or d.severity == severity}


CASES = [
    pytest.param([svc("web", selector=WEB, ports=(sport(80),)), pod("a", labels=WEB)], set(),
                 id="healthy Service and pod: nothing"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),))],
                 {"selector-matches-nothing Service/default/web spec.selector"}, id="selector matches no pod"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),)), pod("a", ns="other", labels=WEB)],
                 {"selector-matches-nothing Service/default/web spec.selector"},
                 id="matching pod in another namespace does not count"),
    pytest.param([svc("web", selector=None, ports=(sport(80),))], set(),
                 id="selector-less Service is not linted for pods"),
    pytest.param([svc("web", selector=WEB, type="ExternalName", cluster_ip=None, external_name="x.example.com")],
                 {"externalname-selector-ignored Service/default/web spec.selector"},
                 id="ExternalName is never linted for endpoints (its selector is ignored: issue 20)"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),)), pod("a", labels=WEB, ready=False)],
                 {"no-ready-endpoints Service/default/web spec.selector"}, id="selected pod not ready"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),)), pod("a", labels=WEB, terminating=True)],
                 {"no-ready-endpoints Service/default/web spec.selector"}, id="only a terminating pod"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),), publish_not_ready_addresses=True),
                  pod("a", labels=WEB, ready=False)], set(), id="publishNotReadyAddresses makes it ready"),
    pytest.param([svc("web", selector=WEB, ports=NAMED), pod("a", labels=WEB, container_ports=ports("http:8080")),
                  pod("b", labels=WEB, container_ports=ports("metrics:9090"))],
                 {"target-port-unresolved Service/default/web spec.ports[0].targetPort"},
                 id="a selected pod lacks the named targetPort"),
    pytest.param([svc("web", selector=WEB, ports=NAMED), pod("a", labels=WEB, container_ports=ports("http:8080/UDP"))],
                 {"target-port-unresolved Service/default/web spec.ports[0].targetPort",
                  "no-ready-endpoints Service/default/web spec.selector"},
                 id="named targetPort with the wrong protocol: unresolved and no ready endpoint"),
    pytest.param([svc("web", selector=WEB, ports=NAMED),
                  pod("a", labels=WEB, container_ports=ports("http:8080")),
                  pod("done", labels=WEB, phase="Succeeded", ready=False)],
                 set(), id="finished pods are not linted for ports"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),), created=10), pod("a", labels=WEB, created=0)],
                 {"service-created-after-pod Service/default/web metadata.creationTimestamp"},
                 id="Service created after a pod of its namespace"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),), created=10),
                  pod("a", labels=WEB, created=0, enable_service_links=False)],
                 set(), id="pod with service links off does not care"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),), created=10, cluster_ip="None"),
                  pod("a", labels=WEB, created=0)],
                 set(), id="headless Service gives no variables anyway"),
    pytest.param([svc("kubernetes", ports=(sport(443, 6443, name="https"),), created=10),
                  pod("a", ns="shop", created=0), pod("b", created=0)],
                 set(), id="master Service is always injected"),
    pytest.param([svc("web", ns="shop", selector=WEB, ports=(sport(80),), created=10),
                  pod("a", ns="other", labels=WEB, created=0), pod("b", ns="shop", labels=WEB, created=20)],
                 set(), id="earlier pods of other namespaces do not count"),
    pytest.param([pod("a", ip=None, phase="Running")], {"pod-without-ip Pod/default/a status.podIP"},
                 id="Running pod without IP"),
    pytest.param([pod("a", ip=None, phase="Pending", ready=False)], set(), id="Pending pod without IP is normal"),
    pytest.param([pod("a", hostname="a", subdomain="db")],
                 {"headless-hostname-without-service Pod/default/a spec.subdomain"},
                 id="subdomain naming no Service"),
    pytest.param([pod("a", hostname="a", subdomain="db"), svc("db", cluster_ip="10.96.0.5", ports=(sport(5432),))],
                 {"headless-hostname-without-service Pod/default/a spec.subdomain"},
                 id="subdomain naming a Service that is not headless"),
    pytest.param([pod("a", hostname="a", subdomain="db", labels={"app": "db"}),
                  svc("db", selector={"app": "db"}, cluster_ip="None")],
                 set(), id="subdomain naming a headless Service"),
    pytest.param([svc("ext", ports=(sport(80, name="http"),)),
                  EndpointSlice("default", "ext-1", "ext", endpoints=(SliceEndpoint(("10.1.0.1",), ready=False),),
                                ports=(SlicePort(80, "http"),))],
                 {"no-ready-endpoints Service/default/ext spec.selector"},
                 id="selector-less Service whose slices have no ready address"),
    pytest.param([node("node-1", "10.0.0.1"), pod("a", node="node-9")],
                 {"pod-node-not-found Pod/default/a spec.nodeName"}, id="pod bound to an undeclared node"),
    pytest.param([pod("a", node="node-9")], set(), id="no Nodes declared: nodes are not modelled"),
    pytest.param([node("node-1", "10.0.0.1"), pod("a", node="node-1")], set(), id="pod on a declared node"),
]


@pytest.mark.parametrize("objects,expected", CASES)
def test_diagnostics(objects, expected):
    got = diagnose(snapshot(*objects))
    assert {f"{d.code} {d.object} {d.field}" for d in got} == expected, "\n".join(d.message for d in got)


def test_severities_and_order_are_stable():
    objects = [svc("web", selector=WEB, ports=(sport(80),), created=10), pod("a", labels={"app": "x"}, created=0),
               pod("b", ip=None, phase="Running", created=0)]
    first = diagnose(snapshot(*objects))
    assert first == diagnose(snapshot(*objects))
    assert [(d.severity, d.code) for d in first] == [
        ("warning", "pod-without-ip"),
        ("info", "service-created-after-pod"),
        ("warning", "selector-matches-nothing"),
    ]
    assert all(d.message for d in first)
