"""Refusal codes: why the API server would not create an object, one code per kind of mistake.

The message stays the API server's own (fielderrors.py); the code sorts it. A FieldError that
names its code (allocation, decoding) keeps it; otherwise the code follows from the field path
and the error type (apimachinery field/errors.go ErrorType).
"""

from __future__ import annotations

import re

from .catalogue import ERROR, REFUSAL, Rule, register
from .fielderrors import (
    DUPLICATE,
    FORBIDDEN,
    INVALID,
    NOT_SUPPORTED,
    REQUIRED,
    TOO_LONG,
    TOO_MANY,
    FieldError,
)

NAME_PATHS = ("metadata.name", "metadata.generateName", "metadata.namespace")
PORT_FIELDS = ("port", "targetPort", "containerPort", "nodePort", "hostPort", "healthCheckNodePort", "endPort",
               "number")
BY_TYPE = {
    INVALID: "invalid-value", REQUIRED: "required-value", FORBIDDEN: "forbidden-value",
    DUPLICATE: "duplicate-value", NOT_SUPPORTED: "unsupported-value", TOO_LONG: "too-long",
    TOO_MANY: "too-many",
}


def refusal_code(err: FieldError) -> str:
    """The catalogue code of one field error."""
    if err.code:
        return err.code
    path = err.path
    last = re.sub(r"\[\d+\]$", "", path.rsplit(".", 1)[-1])
    if path in NAME_PATHS and err.type != REQUIRED:
        return "invalid-name"
    if path.startswith("metadata.labels"):
        return "invalid-label"
    if path.startswith("metadata.annotations"):
        return "invalid-annotation"
    if err.type == INVALID and ("selector" in path.lower()):
        return "invalid-selector"
    if err.type == INVALID and last in PORT_FIELDS:
        return "invalid-port"
    return BY_TYPE.get(err.type, "internal-error")


API = "https://kubernetes.io/docs/reference/using-api/api-concepts/"
FIELD_ERRORS = "k8s.io/apimachinery pkg/util/validation/field/errors.go (ErrorType)"
NAMES = ("https://kubernetes.io/docs/concepts/overview/working-with-objects/names/; "
         "k8s.io/apimachinery pkg/util/validation/validation.go (IsDNS1123Label, IsDNS1123Subdomain)")
PORT_ALLOC = ("https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport; "
              "pkg/registry/core/service/portallocator/allocator.go (ErrNotInRange, ErrAllocated, ErrFull)")
IP_ALLOC = ("https://kubernetes.io/docs/concepts/services-networking/cluster-ip-allocation/; "
            "pkg/registry/core/service/ipallocator (ErrNotInRange, ErrAllocated, ErrFull)")

SVC = """apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  {spec}
"""


def _svc(name: str, spec: str) -> str:
    return SVC.format(name=name, spec=spec)


def _np(name: str, node_port: int) -> str:
    return _svc(name, f"type: NodePort\n  ports: [{{port: 80, nodePort: {node_port}}}]")


def _cip(name: str, ip: str) -> str:
    return _svc(name, f"clusterIP: {ip}\n  ports: [{{port: 80}}]")


def _refusal(code: str, meaning: str, reference: str, example: str, near_miss: str, cluster: str = "") -> None:
    register(Rule(code, ERROR, REFUSAL, meaning, reference, example, near_miss, cluster=cluster))


_refusal("not-an-object", "A document is not a mapping (a list item or a scalar where an object belongs).",
         API, "- just a string\n", "- " + _cip("web", "10.96.0.50").replace("\n", "\n  "))
_refusal("kind-required", "The object has no `kind`.", API,
         "apiVersion: v1\nmetadata: {name: web}\n", _cip("web", "10.96.0.50"))
_refusal("api-version-required", "The object has no `apiVersion`.", API,
         "kind: Namespace\nmetadata: {name: shop}\n", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
_refusal("no-kind-match", "The kind is not served at that apiVersion (`no matches for kind`).",
         "https://kubernetes.io/docs/reference/using-api/#api-groups",
         "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n"
         "spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}\n",
         "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
_refusal("name-required", "Neither `metadata.name` nor `metadata.generateName` is set.", NAMES,
         "apiVersion: v1\nkind: Namespace\nmetadata: {labels: {team: a}}\n",
         "apiVersion: v1\nkind: Namespace\nmetadata: {generateName: team-}\n")
_refusal("invalid-name", "A name or namespace is not a valid DNS label or subdomain for its kind.", NAMES,
         _cip("Web_Front", "10.96.0.50"), _cip("web-front", "10.96.0.50"))
_refusal("namespace-not-found", "The object's namespace does not exist when it is created (NamespaceLifecycle "
         "admission); create the Namespace first, earlier in the files.",
         "plugin/pkg/admission/namespace/lifecycle/admission.go",
         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\n",
         "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\n")
_refusal("already-exists", "An object of the same kind, namespace and name was created earlier.", API,
         _cip("web", "10.96.0.50") + "---\n" + _cip("web", "10.96.0.51"),
         _cip("web", "10.96.0.50") + "---\n" + _cip("api", "10.96.0.51"))
_refusal("wrong-type", "A field has the wrong JSON type (a string where a list belongs): the API server "
         "cannot decode the object.", API,
         _svc("web", "ports: \"80\""), _svc("web", "ports: [{port: 80}]"))
_refusal("invalid-label", "A label key or value is not valid (qualified name; 63 characters of "
         "alphanumerics, `-`, `_`, `.`).",
         "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set",
         "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: 'a b'}}\n",
         "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: a-b}}\n")
_refusal("invalid-annotation", "An annotation key is not a qualified name, or the annotations are too large.",
         "https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set",
         "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {'a b': x}}\n",
         "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {a-b: x}}\n")
_refusal("invalid-selector", "A label selector is malformed (an unknown operator, a bad key).",
         "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements",
         "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\n"
         "spec: {podSelector: {matchExpressions: [{key: app, operator: Equals, values: [web]}]}}\n",
         "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\n"
         "spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}}\n")
_refusal("invalid-port", "A port number is outside 1-65535 (or a port name is not an IANA_SVC_NAME).",
         "k8s.io/apimachinery pkg/util/validation/validation.go (IsValidPortNum, IsValidPortName)",
         _svc("web", "ports: [{port: 70000}]"),
         _svc("web", "ports: [{port: 65535}]"))
_refusal("nodeport-out-of-range", "A requested nodePort lies outside the cluster's NodePort range "
         "(default 30000-32767).", PORT_ALLOC, _np("web", 8080), _np("web", 30080))
_refusal("nodeport-taken", "A requested nodePort is already allocated to another Service (the later one is "
         "refused).", PORT_ALLOC, _np("web", 30080) + "---\n" + _np("api", 30080),
         _np("web", 30080) + "---\n" + _np("api", 30081))
_refusal("nodeport-full", "No free port is left in the NodePort range for a port that needs one.", PORT_ALLOC,
         _np("web", 30000) + "---\n" + _svc("api", "type: NodePort\n  ports: [{port: 80}]"),
         _np("web", 30000) + "---\n" + _svc("api", "ports: [{port: 80}]"),
         cluster="nodePortRange: 30000-30000\n")
_refusal("clusterip-out-of-range", "A requested clusterIP lies outside the Service CIDR.", IP_ALLOC,
         _cip("web", "10.0.0.50"), _cip("web", "10.96.0.50"))
_refusal("clusterip-taken", "A requested clusterIP is already allocated to another Service (the later one is "
         "refused).", IP_ALLOC, _cip("web", "10.96.0.50") + "---\n" + _cip("api", "10.96.0.50"),
         _cip("web", "10.96.0.50") + "---\n" + _cip("api", "10.96.0.51"))
_refusal("clusterip-full", "No free address is left in the Service CIDR.", IP_ALLOC,
         "".join(_svc(n, "ports: [{port: 80}]") + "---\n" for n in ("a", "b"))
         + _svc("c", "ports: [{port: 80}]"),
         _svc("a", "ports: [{port: 80}]"),
         cluster="serviceCIDR: 10.96.0.0/30\n")
_refusal("invalid-value", "A field holds a value validation rejects (`Invalid value`).", FIELD_ERRORS,
         _svc("web", "clusterIP: 10.96.0.300\n  ports: [{port: 80}]"),
         _cip("web", "10.96.0.30"))
_refusal("required-value", "A required field is missing (`Required value`).", FIELD_ERRORS,
         _svc("web", "type: ClusterIP"), _svc("web", "ports: [{port: 80}]"))
_refusal("forbidden-value", "A field may not be set in this combination (`Forbidden`).", FIELD_ERRORS,
         _svc("web", "type: ExternalName\n  externalName: db.example.com\n  clusterIP: 10.96.0.50"),
         _svc("web", "type: ExternalName\n  externalName: db.example.com"))
_refusal("duplicate-value", "A value that must be unique appears twice (`Duplicate value`).", FIELD_ERRORS,
         _svc("web", "ports: [{name: http, port: 80}, {name: http, port: 81}]"),
         _svc("web", "ports: [{name: http, port: 80}, {name: alt, port: 81}]"))
_refusal("unsupported-value", "A field holds a value outside its enumeration (`Unsupported value`).",
         FIELD_ERRORS, _svc("web", "type: Internal\n  ports: [{port: 80}]"),
         _svc("web", "type: ClusterIP\n  ports: [{port: 80}]"))
_refusal("too-long", "A field is longer than its limit (`Too long`).", FIELD_ERRORS,
         "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n"
         "spec: {controller: example.com/" + "x" * 240 + "}\n",
         "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n"
         "spec: {controller: example.com/" + "x" * 230 + "}\n")
def _slice(n: int) -> str:
    addresses = ", ".join(f"10.244.1.{i}" for i in range(1, n + 1))
    return ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
            "metadata: {name: web-1, labels: {kubernetes.io/service-name: web}}\n"
            f"addressType: IPv4\nendpoints: [{{addresses: [{addresses}]}}]\n")


_refusal("too-many", "A list has more items than allowed (`Too many`).", FIELD_ERRORS, _slice(101), _slice(100))
_refusal("internal-error", "The API server failed for a reason of its own (`Internal error occurred`); kubenet "
         "reports it where no more specific code applies.", FIELD_ERRORS, "", "")
