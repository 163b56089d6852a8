"""Lint findings about Ingresses: controllers, backends, TLS hosts and merge conflicts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import examples as ex
from . import ingress
from .catalogue import LINT, WARNING, Rule, lint, register
from .ingress_paths import certificate_name_matches, host_matches
from .kube_kinds import object_label
from .types import EXTERNAL_NAME, Diagnostic, Ingress, IngressBackend, Snapshot

INGRESS_DOC = "https://kubernetes.io/docs/concepts/services-networking/ingress/"
NGINX_TLS = ("https://kubernetes.github.io/ingress-nginx/user-guide/tls/; ingress-nginx "
             "internal/ingress/controller/controller.go (createServers)")


def ingress_name(ing: Ingress) -> str:
    return object_label("Ingress", ing.namespace, ing.name)


_BASE = ex.docs(ex.ingress_class(), ex.service("web", "  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]"),
                ex.pod("web-1", "10.244.1.10"))


def _rule(host: str = "shop.example.com", service: str = "web", port: str = "number: 80") -> str:
    return (f"  rules:\n  - host: {host}\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
            f"        backend: {{service: {{name: {service}, port: {{{port}}}}}}}")


def _tls(*hosts: str) -> str:
    return f"\n  tls:\n  - hosts: [{', '.join(hosts)}]\n    secretName: shop-tls"


@lint("ingress-path-conflict", WARNING,
      "Two served Ingresses (or two rules of one) define the same host, path and pathType: ingress-nginx "
      "merges Ingresses per host and keeps the oldest definition; the other is ignored. Also Prefix paths of "
      "one host that differ only by a trailing slash (`/foo`, `/foo/`): they match the same requests and the "
      "longer one always wins, so the shorter gets none.",
      "https://kubernetes.github.io/ingress-nginx/how-it-works/#building-the-nginx-model; k8s.io/api "
      "networking/v1 types.go PathTypePrefix (\"the longest matching path (/foo/) is given priority\")",
      ex.docs(_BASE, ex.ingress("shop", _rule()), ex.ingress("shop-v2", _rule())),
      ex.docs(_BASE, ex.ingress("shop", _rule()), ex.ingress("shop-v2", _rule(host="www.example.com"))))
def ingress_conflicts(snap: Snapshot) -> Iterable[Diagnostic]:
    """Both conflict codes come from ingress.conflicts, where the merge rules live."""
    return ingress.conflicts(snap)


_DEFAULT = "  defaultBackend: {service: {name: web, port: {number: 80}}}"
register(Rule(
    "ingress-default-backend-conflict", WARNING, LINT,
    "Several served Ingresses of one controller set spec.defaultBackend: requests no rule matches go to the "
    "oldest one's; the others are never used.",
    INGRESS_DOC + "#default-backend; https://kubernetes.github.io/ingress-nginx/how-it-works/",
    ex.docs(_BASE, ex.ingress("a", _DEFAULT), ex.ingress("b", _DEFAULT)),
    ex.docs(_BASE, ex.ingress("a", _DEFAULT), ex.ingress("b", _rule()))))


def _backends(ing: Ingress) -> Iterator[tuple[str, IngressBackend]]:
    """Every Service backend with the field path of its `service`."""
    if ing.default_backend is not None and ing.default_backend.service_name is not None:
        yield "spec.defaultBackend.service", ing.default_backend
    for i, rule in enumerate(ing.rules):
        for j, p in enumerate(rule.paths):
            if p.backend.service_name is not None:
                yield f"spec.rules[{i}].http.paths[{j}].backend.service", p.backend


@lint("ingress-backend-service-missing", WARNING,
      "An Ingress backend names a Service that does not exist in the Ingress's namespace: the controller "
      "answers 503 for that path.",
      INGRESS_DOC + "#resource-backend; k8s.io/api networking/v1 types.go IngressServiceBackend "
      "(\"Service must exist in the same namespace as the Ingress object\")",
      ex.docs(_BASE, ex.ingress("shop", _rule(service="wbe"))), ex.docs(_BASE, ex.ingress("shop", _rule())))
def ingress_backend_service_missing(snap: Snapshot) -> Iterable[Diagnostic]:
    for ing in snap.ingresses:
        for where, b in _backends(ing):
            if snap.service(f"{ing.namespace}/{b.service_name}") is None:
                yield Diagnostic(WARNING, ingress_name(ing), f"{where}.name", "ingress-backend-service-missing",
                                 f"Service {ing.namespace}/{b.service_name} does not exist: the controller "
                                 "answers 503")


@lint("ingress-backend-port-missing", WARNING,
      "An Ingress backend names a port (number or name) the Service does not define: the controller has no "
      "upstream for that path and answers 503.",
      INGRESS_DOC + "#resource-backend; k8s.io/api networking/v1 types.go ServiceBackendPort",
      ex.docs(_BASE, ex.ingress("shop", _rule(port="number: 8080"))), ex.docs(_BASE, ex.ingress("shop", _rule())))
def ingress_backend_port_missing(snap: Snapshot) -> Iterable[Diagnostic]:
    for ing in snap.ingresses:
        for where, b in _backends(ing):
            svc = snap.service(f"{ing.namespace}/{b.service_name}")
            if svc is None or (svc.type == EXTERNAL_NAME and not svc.ports):
                continue  # an ExternalName without ports is reached on the backend's port
            if b.port_name is not None:
                ok, fld, shown = any(sp.name == b.port_name for sp in svc.ports), "name", repr(b.port_name)
            else:
                ok, fld, shown = any(sp.port == b.port_number for sp in svc.ports), "number", str(b.port_number)
            if not ok:
                have = ", ".join(f"{sp.name + '=' if sp.name else ''}{sp.port}" for sp in svc.ports) or "none"
                yield Diagnostic(WARNING, ingress_name(ing), f"{where}.port.{fld}", "ingress-backend-port-missing",
                                 f"Service {svc.key} has no port {shown} (ports: {have}): the controller answers 503")


@lint("ingress-tls-host-without-rule", WARNING,
      "A spec.tls host that no rule of any Ingress serves: the certificate is configured for a name that "
      "routes nowhere (often a typo of the rule's host).",
      INGRESS_DOC + "#tls; " + NGINX_TLS,
      ex.docs(_BASE, ex.ingress("shop", _rule() + _tls("shop.exmaple.com"))),
      ex.docs(_BASE, ex.ingress("shop", _rule() + _tls("shop.example.com"))))
def ingress_tls_host_without_rule(snap: Snapshot) -> Iterable[Diagnostic]:
    rule_hosts = {r.host for i in snap.ingresses for r in i.rules if r.host}
    for ing in snap.ingresses:
        for i, tls in enumerate(ing.tls):
            for j, h in enumerate(tls.hosts):
                if h.startswith("*."):
                    served = any(r == h or certificate_name_matches(h, r) for r in rule_hosts)
                else:
                    served = any(host_matches(r, h.lower()) for r in rule_hosts)
                if not served:
                    yield Diagnostic(WARNING, ingress_name(ing), f"spec.tls[{i}].hosts[{j}]",
                                     "ingress-tls-host-without-rule",
                                     f"TLS host {h} is served by no rule of any Ingress: the certificate "
                                     "covers a name that routes nowhere")


@lint("ingress-host-without-tls", WARNING,
      "An Ingress terminates TLS for some of its hosts but a rule host is in no spec.tls[].hosts (of any "
      "Ingress): HTTPS to that host gets the controller's default (self-signed) certificate.",
      INGRESS_DOC + "#tls; " + NGINX_TLS,
      ex.docs(_BASE, ex.ingress("shop", _rule() + "\n" + _rule(host="api.example.com").split("\n", 1)[1]
                                + _tls("shop.example.com"))),
      ex.docs(_BASE, ex.ingress("shop", _rule() + "\n" + _rule(host="api.example.com").split("\n", 1)[1]
                                + _tls("shop.example.com", "api.example.com"))))
def ingress_host_without_tls(snap: Snapshot) -> Iterable[Diagnostic]:
    tls_hosts = [h for i in snap.ingresses for t in i.tls for h in t.hosts]
    for ing in snap.ingresses:
        if not ing.tls or any(not t.hosts for t in ing.tls):
            continue  # no TLS here, or a hostless entry (the controller's choice of hosts)
        for i, rule in enumerate(ing.rules):
            if not rule.host or rule.host.startswith("*."):
                continue
            if not any(certificate_name_matches(h, rule.host.lower()) for h in tls_hosts):
                yield Diagnostic(WARNING, ingress_name(ing), f"spec.rules[{i}].host", "ingress-host-without-tls",
                                 f"the Ingress terminates TLS for {', '.join(h for t in ing.tls for h in t.hosts)} "
                                 f"but host {rule.host} is in no spec.tls[].hosts: HTTPS to it gets the "
                                 "controller's default certificate")


@lint("ingress-not-served", WARNING,
      "No running ingress controller serves the Ingress: it has no class, names an IngressClass that does not "
      "exist, or one whose controller is not running (cluster `ingressControllers`). Nothing routes its rules.",
      INGRESS_DOC + "#ingress-class; " + INGRESS_DOC + "#default-ingress-class",
      ex.docs(_BASE.replace(ex.ingress_class() + "---\n", ""), ex.ingress("shop", _rule())),
      ex.docs(_BASE, ex.ingress("shop", _rule())))
def ingress_not_served(snap: Snapshot) -> Iterable[Diagnostic]:
    for ing in snap.ingresses:
        ok, why = ingress.is_served(snap, ing)
        if not ok:
            fld = "spec.ingressClassName" if ing.ingress_class_name or ing.class_annotation is None else \
                "metadata.annotations"
            yield Diagnostic(WARNING, ingress_name(ing), fld, "ingress-not-served",
                             why.replace(f"Ingress {ing.key}", "the Ingress", 1) + ": no controller routes it")
