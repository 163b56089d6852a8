"""One FilterSet per model: namespace, type, search and kubectl's -l selector, in the database."""

from __future__ import annotations

import pytest

from ingress.filtersets import IngressFilterSet
from ingress.models import Ingress
from services.filtersets import NetworkPolicyFilterSet, PodFilterSet, ServiceFilterSet
from services.models import NetworkPolicy, Pod, Service

pytestmark = pytest.mark.django_db


def names(filterset) -> set[str]:
    assert filterset.is_valid(), filterset.errors
    return {f"{r.namespace}/{r.name}" for r in filterset.qs}


@pytest.mark.parametrize(("params", "expected"), [
    pytest.param({"labelSelector": "app=db"}, {"shop/db-0", "shop/db-1"}, id="equality"),
    pytest.param({"labelSelector": "app in (db,recommendations)"}, {"shop/db-0", "shop/db-1",
                                                                      "shop/recommendations-5c8f7b6d4-wq7xn"},
                 id="set in"),
    pytest.param({"labelSelector": "tier in (web,backend),!canary"},
                 {"shop/frontend-6f7d9c8b5-2xkqp", "shop/frontend-6f7d9c8b5-h7rw4", "shop/api-84c6d5b7f9-5dnwz",
                  "shop/api-84c6d5b7f9-tk2lm"}, id="set in and does not exist"),
    pytest.param({"labelSelector": "app=frontend,tier!=web"}, set(), id="not equals"),
    pytest.param({"labelSelector": "app notin (api,frontend,db,recommendations),app", "namespace": "shop"}, set(),
                 id="notin and exists"),
    pytest.param({"namespace": "kube-system", "labelSelector": "k8s-app"}, {"kube-system/coredns-6b9575c64c-4xk2p",
                                                                          "kube-system/coredns-6b9575c64c-q8zvn"},
                 id="namespace and exists"),
    pytest.param({"search": "db-"}, {"shop/db-0", "shop/db-1"}, id="search"),
])
def test_pod_filterset(demo, params, expected):
    assert names(PodFilterSet(params, queryset=Pod.objects.filter(topology=demo))) == expected


def test_label_selector_not_equal_keeps_pods_without_the_key(demo):
    everything = names(PodFilterSet({}, queryset=Pod.objects.filter(topology=demo)))
    not_db = names(PodFilterSet({"labelSelector": "app!=db"}, queryset=Pod.objects.filter(topology=demo)))
    assert not_db == everything - {"shop/db-0", "shop/db-1"}


def test_bad_selector_is_a_form_error_with_the_parsers_message(demo):
    filterset = PodFilterSet({"labelSelector": "app=web tier=x"}, queryset=Pod.objects.filter(topology=demo))
    assert not filterset.is_valid()
    assert filterset.errors["labelSelector"] == ["unable to parse requirement: found 'tier', expected: ',' or 'end of string'"]


@pytest.mark.parametrize(("type_", "expected"), [
    pytest.param("NodePort", {"shop/api"}, id="NodePort"),
    pytest.param("ExternalName", {"shop/managed-db"}, id="ExternalName"),
    pytest.param("LoadBalancer", {"shop/shop-public", "ingress-nginx/ingress-nginx-controller"}, id="LoadBalancer"),
])
def test_service_filterset_by_type(demo, type_, expected):
    assert names(ServiceFilterSet({"type": type_}, queryset=Service.objects.filter(topology=demo))) == expected


def test_service_type_clusterip_includes_the_default(demo):
    got = names(ServiceFilterSet({"type": "ClusterIP"}, queryset=Service.objects.filter(topology=demo)))
    assert {"shop/db", "default/kubernetes", "shop/frontend"} <= got
    assert "shop/api" not in got


def test_policy_filterset_by_type(demo):
    ingress = names(NetworkPolicyFilterSet({"type": "Ingress"}, queryset=NetworkPolicy.objects.filter(topology=demo)))
    assert ingress == {"shop/db-allow-api", "shop/api-allow-frontend-and-ingress"}
    assert names(NetworkPolicyFilterSet({"type": "Egress"}, queryset=NetworkPolicy.objects.filter(topology=demo))) == set()


def test_ingress_filterset_by_class(demo):
    assert names(IngressFilterSet({"type": "nginx"}, queryset=Ingress.objects.filter(topology=demo))) == {"shop/shop"}
    assert names(IngressFilterSet({"type": "other"}, queryset=Ingress.objects.filter(topology=demo))) == set()
