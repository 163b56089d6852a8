"""dnsnames.service_name_forms: every name a pod of one namespace may use for each Service (what
a check run's DNS step resolves). kubernetes/dns docs/specification.md 2.3.1; the search list
`<ns>.svc.<zone> svc.<zone> <zone>` completes the relative forms."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.dnsnames import service_name_forms
from kubenet_site.semantics.types import ClusterConfig

from .builders import snapshot, svc


@pytest.mark.parametrize(("services", "namespace", "domain", "expected"), [
    pytest.param([("web", "shop")], "shop", "cluster.local",
                 ["web", "web.shop", "web.shop.svc", "web.shop.svc.cluster.local."], id="own namespace: short name first"),
    pytest.param([("web", "shop")], "other", "cluster.local",
                 ["web.shop", "web.shop.svc", "web.shop.svc.cluster.local."], id="another namespace: no short name"),
    pytest.param([("web", "shop")], "shop", "example.org.",
                 ["web", "web.shop", "web.shop.svc", "web.shop.svc.example.org."], id="a domain given absolute"),
    pytest.param([("b", "x"), ("a", "y")], "y", "cluster.local",
                 ["b.x", "b.x.svc", "b.x.svc.cluster.local.", "a", "a.y", "a.y.svc", "a.y.svc.cluster.local."],
                 id="Services in snapshot order"),
    pytest.param([], "shop", "cluster.local", [], id="no Service"),
])
def test_name_forms(services, namespace, domain, expected):
    snap = snapshot(*(svc(name, ns) for name, ns in services), cluster=ClusterConfig(domain=domain))
    assert service_name_forms(snap, namespace) == expected
