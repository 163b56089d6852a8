"""Codes of the cluster build's own warnings and of the `check` door (reading files, assertions).

They are produced outside the lint checks (manifests.py, checks/check_command.py) and are listed
here so the catalogue, and docs/diagnostics.md, name every code kubenet reports.
"""

from __future__ import annotations

from . import examples as ex
from .catalogue import BUILD, ERROR, INPUT, WARNING, Rule, register

_TWO_CONTAINERS = ex.pod("web-1", "10.244.1.10", ports="{name: http, containerPort: 8080}").replace(
    "\nstatus:\n", "\n  - name: sidecar\n    image: registry.example/proxy:1\n"
                 "    ports: [{name: http, containerPort: 9090}]\nstatus:\n")

register(Rule(
    "duplicate-port-name", WARNING, BUILD,
    "Two containers of one pod declare the same port name: the API server accepts the pod with a warning, and "
    "Services and probes that select the port by name use the first.",
    "pkg/api/pod/warnings.go (warningsForPodSpec: duplicate port name)",
    _TWO_CONTAINERS, _TWO_CONTAINERS.replace("{name: http, containerPort: 9090}", "{name: proxy, containerPort: 9090}")))

register(Rule(
    "unreadable-manifest", ERROR, INPUT,
    "A file is not YAML or JSON kubenet can read (a syntax error, hostile YAML), or a document is not a "
    "Kubernetes object; nothing of that document is created.",
    "https://yaml.org/spec/1.2.2/; https://kubernetes.io/docs/reference/using-api/api-concepts/",
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop\n", ex.namespace("shop")))

_ASSERTION = ("apiVersion: kubenet.io/v1alpha1\nkind: ConnectivityAssertion\nmetadata: {name: shop-exists}\n"
              "spec:\n  query: {kind: validate}\n")
register(Rule(
    "assertion-invalid", ERROR, INPUT,
    "A connectivity assertion is malformed (no metadata.name, no spec.query with a kind, an empty expect, an "
    "unknown severity or apiVersion) and is not evaluated.",
    "docs/assertions.md (kubenet's own format)",
    ex.docs(ex.namespace("shop"), _ASSERTION),
    ex.docs(ex.namespace("shop"), _ASSERTION + "  expect: {valid: true}\n")))

register(Rule(
    "assertion-failed", ERROR, INPUT,
    "A connectivity assertion's query answered something other than its `expect` (reported in `assertions`, "
    "and as a result of its own in SARIF); it counts at the assertion's severity against --fail-on.",
    "docs/assertions.md (kubenet's own format)",
    ex.docs(ex.namespace("shop"), _ASSERTION + "  expect: {valid: false}\n"),
    ex.docs(ex.namespace("shop"), _ASSERTION + "  expect: {valid: true}\n")))

register(Rule(
    "diagnostics-failed", WARNING, INPUT,
    "A lint check failed with an internal error; the other findings are still reported. Please report it.",
    "kubenet itself"))
