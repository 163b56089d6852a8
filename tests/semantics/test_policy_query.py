"""`connect` and `reachability` through the stateless query API (interfaces.md), from YAML
manifests: the API server's defaults (policyTypes, protocol TCP) come from manifests.py."""

from __future__ import annotations

from typing import Any

import pytest

from kubenet_site.semantics.query import run

NAMESPACES = ("x", "y", "z")
PODS = [f"{n}/{p}" for n in NAMESPACES for p in ("a", "b", "c")]


def _model_yaml() -> str:
    docs = [f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {n}, labels: {{ns: {n}}}}}" for n in NAMESPACES]
    docs.append("apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n"
                "status: {addresses: [{type: InternalIP, address: 192.168.0.1}]}")
    for i, n in enumerate(NAMESPACES):
        for j, p in enumerate("abc"):
            containers = "\n".join(
                f"  - name: cont-{port}-{proto.lower()}\n    image: agnhost\n"
                f"    ports: [{{containerPort: {port}, name: serve-{port}-{proto.lower()}, protocol: {proto}}}]"
                for port in (80, 81) for proto in ("TCP", "UDP", "SCTP"))
            docs.append(
                f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {p}, namespace: {n}, labels: {{pod: {p}}}}}\n"
                f"spec:\n  nodeName: node-1\n  containers:\n{containers}\n"
                f"status:\n  phase: Running\n  podIP: 10.244.{i + 1}.{j + 1}\n"
                f"  podIPs: [{{ip: 10.244.{i + 1}.{j + 1}}}]\n  conditions: [{{type: Ready, status: 'True'}}]")
    return "\n---\n".join(docs)


POLICIES = {
    "or": """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ns-y-match-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]
    - podSelector: {matchLabels: {pod: b}}
""",
    "egress-named": """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-egress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: serve-80-tcp}]
""",
    "egress-without-types": """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-rules-default-types, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  egress:
  - ports: [{port: 80, endPort: 80}]
""",
}


@pytest.mark.parametrize(("policy", "query", "matrix"), [
    pytest.param("or", {"port": 80}, [
        "x/a: .........", "x/b: .........", "x/c: X........",
        "y/a: .........", "y/b: .........", "y/c: .........",
        "z/a: .........", "z/b: .........", "z/c: ........."],
        id="should enforce policy based on PodSelector or NamespaceSelector (from YAML)"),
    pytest.param("egress-named", {"port": 81}, [
        "x/a: .XXXXXXXX", "x/b: X.XXXXXXX", "x/c: XX.XXXXXX",
        "y/a: .........", "y/b: .........", "y/c: .........",
        "z/a: .........", "z/b: .........", "z/c: ........."],
        id="should allow egress access on one named port, port 81 (from YAML)"),
    # policyTypes defaulted to [Ingress, Egress]: x/a is isolated for ingress with no rule.
    pytest.param("egress-without-types", {"port": 80}, [
        "x/a: .........", "x/b: X........", "x/c: X........",
        "y/a: X........", "y/b: X........", "y/c: X........",
        "z/a: X........", "z/b: X........", "z/c: X........"],
        id="egress rules without policyTypes default to [Ingress, Egress]"),
])
def test_reachability_query(policy: str, query: dict[str, Any], matrix: list[str]) -> None:
    doc = {"manifests": _model_yaml() + "\n---\n" + POLICIES[policy],
           "queries": [{"kind": "reachability", "pods": PODS, **query}]}
    out = run(doc)
    answer = out["answers"][0]
    assert answer.get("matrix") == matrix, (answer, out.get("diagnostics"))


def test_connect_query_kinds() -> None:
    doc = {"manifests": _model_yaml() + "\n---\n" + POLICIES["or"],
           "queries": [{"kind": "connect", "from": "x/c", "to": "x/a", "port": 80},
                       {"kind": "connect", "from": "10.244.2.3", "to": "x/a", "port": "serve-80-tcp"},
                       {"kind": "connect", "from": "x/c", "to": "x/nope", "port": 80},
                       {"kind": "connect", "from": "192.168.0.1", "to": "x/a", "port": 80}]}
    answers = run(doc)["answers"]
    assert [a.get("verdict") for a in answers] == ["blocked", "allowed", None, "allowed"], answers
    assert answers[0]["kind"] == "connect" and "x/allow-ns-y-match-selector" in " ".join(answers[0]["trace"])
    assert "error" in answers[2]
