"""semantics/ipaddr.py: Kubernetes' two IP rule sets, validation's and run time's."""

import pytest

from kubenet_site.semantics.ipaddr import parse_ip_sloppy, parse_ip_strict
from kubenet_site.semantics.kube_kinds import object_label, resource_name


@pytest.mark.parametrize(("text", "strict", "sloppy"), [
    pytest.param("10.0.0.1", "10.0.0.1", "10.0.0.1", id="ipv4"),
    pytest.param("2001:db8::1", "2001:db8::1", "2001:db8::1", id="ipv6"),
    pytest.param("010.000.0.1", None, "10.0.0.1", id="leading-zeros-sloppy-only"),
    pytest.param("fe80::1%eth0", None, "fe80::1%eth0", id="zone-refused-by-validation"),
    pytest.param("256.0.0.1", None, None, id="octet-too-big"),
    pytest.param("", None, None, id="empty"),
    pytest.param("example.com", None, None, id="a-name"),
])
def test_two_rule_sets(text, strict, sloppy):
    got_strict, got_sloppy = parse_ip_strict(text), parse_ip_sloppy(text)
    assert (str(got_strict) if got_strict else None) == strict
    assert (str(got_sloppy) if got_sloppy else None) == sloppy


@pytest.mark.parametrize(("kind", "ns", "name", "label"), [
    pytest.param("Service", "shop", "web", "Service/shop/web", id="namespaced"),
    pytest.param("Node", None, "n1", "Node/n1", id="cluster-scoped"),
])
def test_object_label(kind, ns, name, label):
    assert object_label(kind, ns, name) == label


@pytest.mark.parametrize(("kind", "api_version", "resource"), [
    pytest.param("Ingress", "networking.k8s.io/v1", "ingresses.networking.k8s.io", id="modelled"),
    pytest.param("Policy", "example.com/v1", "policies.example.com", id="guessed-ies"),
    pytest.param("ConfigMap", "v1", "configmaps", id="core-guessed"),
])
def test_resource_name(kind, api_version, resource):
    assert resource_name(kind, api_version) == resource
