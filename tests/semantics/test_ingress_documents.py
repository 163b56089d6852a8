"""The Ingress concept page's example manifests (kubernetes/website content/en/examples/service/
networking/*.yaml, transcribed) run through the query API end to end (manifests -> Snapshot ->
ingress-route answers)."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.query import run

PRELUDE = """
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
"""


def backend_objects(name: str, port: int, ip: str) -> str:
    return f"""
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: default}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: {port}, targetPort: 8080}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: {name}-0, namespace: default, labels: {{app: {name}}}}}
spec: {{nodeName: node-1, containers: [{{name: c, image: x}}]}}
status: {{phase: Running, podIP: {ip}, conditions: [{{type: Ready, status: "True"}}]}}
"""


SIMPLE_FANOUT = """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: simple-fanout-example
spec:
  rules:
  - host: foo.bar.com
    http:
      paths:
      - path: /foo
        pathType: Prefix
        backend:
          service:
            name: service1
            port:
              number: 4200
      - path: /bar
        pathType: Prefix
        backend:
          service:
            name: service2
            port:
              number: 8080
"""

NAME_VIRTUAL_HOST_NO_THIRD_HOST = """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: name-virtual-host-ingress-no-third-host
spec:
  rules:
  - host: first.bar.com
    http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: service1
            port:
              number: 80
  - host: second.bar.com
    http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: service2
            port:
              number: 80
  - http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: service3
            port:
              number: 80
"""

WILDCARD_HOST = """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ingress-wildcard-host
spec:
  rules:
  - host: "foo.bar.com"
    http:
      paths:
      - pathType: Prefix
        path: "/bar"
        backend:
          service:
            name: service1
            port:
              number: 80
  - host: "*.foo.com"
    http:
      paths:
      - pathType: Prefix
        path: "/foo"
        backend:
          service:
            name: service2
            port:
              number: 80
"""

TLS_EXAMPLE = """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: tls-example-ingress
spec:
  tls:
  - hosts:
      - https-example.foo.com
    secretName: testsecret-tls
  rules:
  - host: https-example.foo.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: service1
            port:
              number: 80
"""

CASES = [
    pytest.param(SIMPLE_FANOUT, {"host": "foo.bar.com", "path": "/foo"},
                 ("routed", "default/service1", 4200), id="simple fanout /foo -> service1:4200"),
    pytest.param(SIMPLE_FANOUT, {"host": "foo.bar.com", "path": "/bar/x"},
                 ("routed", "default/service2", 8080), id="simple fanout /bar/x -> service2:8080"),
    pytest.param(SIMPLE_FANOUT, {"host": "foo.bar.com", "path": "/baz"},
                 ("no-match", None, None), id="simple fanout /baz -> 404"),
    pytest.param(NAME_VIRTUAL_HOST_NO_THIRD_HOST, {"host": "first.bar.com", "path": "/"},
                 ("routed", "default/service1", 80), id="virtual hosts: first.bar.com -> service1"),
    pytest.param(NAME_VIRTUAL_HOST_NO_THIRD_HOST, {"host": "second.bar.com", "path": "/x"},
                 ("routed", "default/service2", 80), id="virtual hosts: second.bar.com -> service2"),
    pytest.param(NAME_VIRTUAL_HOST_NO_THIRD_HOST, {"host": "third.bar.com", "path": "/"},
                 ("routed", "default/service3", 80), id="virtual hosts: any other host -> service3"),
    pytest.param(NAME_VIRTUAL_HOST_NO_THIRD_HOST, {"host": "", "path": "/"},
                 ("routed", "default/service3", 80), id="virtual hosts: no Host header -> service3"),
    pytest.param(WILDCARD_HOST, {"host": "foo.bar.com", "path": "/bar"},
                 ("routed", "default/service1", 80), id="wildcard example: foo.bar.com/bar -> service1"),
    pytest.param(WILDCARD_HOST, {"host": "baz.foo.com", "path": "/foo"},
                 ("routed", "default/service2", 80), id="wildcard example: baz.foo.com/foo -> service2"),
    pytest.param(WILDCARD_HOST, {"host": "a.b.foo.com", "path": "/foo"},
                 ("no-match", None, None), id="wildcard example: two labels -> 404"),
    pytest.param(WILDCARD_HOST, {"host": "foo.bar.com", "path": "/foo"},
                 ("no-match", None, None), id="wildcard example: foo.bar.com/foo -> 404"),
    pytest.param(TLS_EXAMPLE, {"host": "https-example.foo.com", "path": "/", "scheme": "https"},
                 ("routed", "default/service1", 80), id="TLS example over https"),
    pytest.param(TLS_EXAMPLE, {"host": "other.foo.com", "path": "/", "scheme": "https"},
                 ("no-certificate", None, None), id="TLS example: unlisted host has no certificate"),
]


@pytest.mark.parametrize("ingress_yaml,request_,expected", CASES)
def test_concept_page_manifests(ingress_yaml, request_, expected):
    manifests = (PRELUDE + backend_objects("service1", 4200 if "fanout" in ingress_yaml else 80,
                                           "10.244.1.1")
                 + backend_objects("service2", 8080 if "fanout" in ingress_yaml else 80, "10.244.1.2")
                 + backend_objects("service3", 80, "10.244.1.3") + ingress_yaml)
    out = run({"manifests": manifests, "queries": [{"kind": "ingress-route", "request": request_}]})
    ans = out["answers"][0]
    assert (ans.get("outcome"), ans.get("service"), ans.get("port")) == expected, ans
    if expected[0] == "routed" and request_.get("scheme") == "https":
        assert ans["tls"] == {"secret": "default/testsecret-tls"}
