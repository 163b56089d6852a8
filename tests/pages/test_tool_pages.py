"""The tools (`.../tools/<tool>/`): each answer is the query API's for the same objects and
query, rendered with links to the objects it names; pickers search as you type."""

from __future__ import annotations

import json

import pytest

from checks.snapshot import topology_manifests
from kubenet_site.semantics.query import run
from services.models import Topology
from tests.pages.conftest import at

pytestmark = pytest.mark.django_db


def query_api(topology: Topology, query: dict) -> dict:
    """The query API's answer over the topology's objects (the stateless door)."""
    document = {"cluster": topology.cluster_document(), "manifests": topology_manifests(topology), "queries": [query]}
    return run(document)["answers"][0]


def page_answer(client, url: str) -> tuple[str, dict]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    raw = response.context["answer_json"]
    return html, json.loads(raw)


@pytest.mark.parametrize("rest,query", [
    pytest.param("tools/dns/?from=shop/frontend-6f7d9c8b5-2xkqp&name=api&type=A",
                 {"kind": "dns", "from": "shop/frontend-6f7d9c8b5-2xkqp", "name": "api", "type": "A"}, id="dns A"),
    pytest.param("tools/dns/?from=shop/frontend-6f7d9c8b5-2xkqp&name=nothing-here&type=A",
                 {"kind": "dns", "from": "shop/frontend-6f7d9c8b5-2xkqp", "name": "nothing-here", "type": "A"},
                 id="dns NXDOMAIN"),
    pytest.param("tools/dns/?from=shop/db-0&type=resolv.conf",
                 {"kind": "dns", "from": "shop/db-0", "type": "resolv.conf"}, id="dns resolv.conf"),
    pytest.param("tools/env/?pod=shop/api-84c6d5b7f9-5dnwz", {"kind": "env", "pod": "shop/api-84c6d5b7f9-5dnwz"},
                 id="env"),
    pytest.param("tools/route/?from=external&to=lb:shop/shop-public:80/TCP",
                 {"kind": "route", "from": "external", "to": "lb:shop/shop-public:80/TCP"}, id="route"),
    pytest.param("tools/ingress/?host=shop.example.com&path=/api/v1&scheme=https",
                 {"kind": "ingress-route", "request": {"host": "shop.example.com", "path": "/api/v1", "scheme": "https"}},
                 id="ingress"),
    pytest.param("tools/connect/?from=shop/frontend-6f7d9c8b5-2xkqp&to=shop/db-0&port=5432&protocol=TCP",
                 {"kind": "connect", "from": "shop/frontend-6f7d9c8b5-2xkqp", "to": "shop/db-0", "port": 5432,
                  "protocol": "TCP"}, id="connect blocked"),
])
def test_tool_answers_are_the_query_apis(client_in, demo, rest, query):
    html, answer = page_answer(client_in, at(demo, rest))
    assert answer == query_api(demo, query)
    assert "error" not in answer, answer


def test_dns_page_shows_names_tried_and_links(client_in, demo):
    html, answer = page_answer(client_in, at(demo, "tools/dns/?from=shop/frontend-6f7d9c8b5-2xkqp&name=api&type=A"))
    assert answer["rcode"] == "NOERROR"
    for name in answer["tried"]:
        assert f"<code>{name}</code>" in html
    assert f'href="{at(demo, "pods/shop/frontend-6f7d9c8b5-2xkqp/")}"' in html


def test_env_page_lists_absent_services_with_links(client_in, demo):
    html, answer = page_answer(client_in, at(demo, "tools/env/?pod=shop/api-84c6d5b7f9-5dnwz"))
    assert answer["absent"], answer
    for a in answer["absent"]:
        assert f'href="{at(demo, "services/" + a["service"] + "/")}"' in html
        assert a["reason"] in html
    assert "API_SERVICE_HOST" in html


def test_missing_input_is_named_and_nothing_is_asked(client_in, demo):
    response = client_in.get(at(demo, "tools/route/?from=external"))
    assert response.status_code == 200 and response.context["answer"] is None
    assert "Needed: To." in response.content.decode()


def test_unknown_pod_answers_the_query_apis_error(client_in, demo):
    html, answer = page_answer(client_in, at(demo, "tools/env/?pod=shop/nope"))
    assert answer["error"] == "Pod shop/nope not found"
    assert 'id="answer-error"' in html


def test_unknown_tool_is_404(client_in, demo):
    assert client_in.get(at(demo, "tools/whois/")).status_code == 404


def test_tools_index_redirects_to_the_first(client_in, demo):
    assert client_in.get(at(demo, "tools/"))["Location"] == at(demo, "tools/dns/")


@pytest.mark.parametrize("kind,text,expected,not_expected", [
    pytest.param("pod", "front", "shop/frontend-6f7d9c8b5-2xkqp", "shop/db-0", id="pods by name"),
    pytest.param("target", "shop-public", "lb:shop/shop-public:80/TCP", "svc:shop/db:5432/TCP", id="route targets"),
    pytest.param("peer", "db", "svc:shop/db:5432", "shop/frontend-6f7d9c8b5-2xkqp", id="connect peers"),
    pytest.param("source", "external", "external", "shop/db-0", id="route sources"),
])
def test_pickers_search_as_you_type(client_in, demo, kind, text, expected, not_expected):
    response = client_in.get(at(demo, f"tools/_pick/?kind={kind}&field=x&x={text}"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'value="{expected}"' in html
    assert f'value="{not_expected}"' not in html


def test_tools_need_login(client, demo):
    response = client.get(at(demo, "tools/dns/"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_dns_blocked_by_policy_is_timeout(client_in, demo):
    from checks.operations import import_manifests
    import_manifests(demo, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                           "metadata: {name: no-egress, namespace: shop}\n"
                           "spec: {podSelector: {}, policyTypes: [Egress]}\n")
    demo.refresh_from_db()
    html, answer = page_answer(client_in, at(demo, "tools/dns/?from=shop/db-0&name=api&type=A"))
    assert answer == query_api(demo, {"kind": "dns", "from": "shop/db-0", "name": "api", "type": "A"})
    assert answer["rcode"] == "TIMEOUT"
    assert "cannot reach a cluster DNS server" in html
