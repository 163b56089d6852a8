"""Create/edit forms for IngressClass and Ingress (rules, their paths, TLS as rows)."""

from __future__ import annotations

from django import forms

from services.forms import IntOrNameField
from services.rowforms import ListField, ObjectForm, RowForm, get_path, register_row, set_path

DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class"


class IngressClassForm(ObjectForm):
    KIND = "IngressClass"
    API_VERSION = "networking.k8s.io/v1"
    NAMESPACED = False
    controller = forms.CharField(help_text="spec.controller, e.g. k8s.io/ingress-nginx")
    is_default = forms.BooleanField(required=False, label="Default class",
                                    help_text=f"annotation {DEFAULT_CLASS}")
    FIELD_PATHS = {"spec.controller": "controller"}
    ERROR_PATHS = {"metadata.annotations": "is_default"}

    def initial_extra(self, manifest: dict) -> dict:
        return {"is_default": (get_path(manifest, "metadata.annotations") or {}).get(DEFAULT_CLASS) == "true"}

    def write_extra(self, doc: dict) -> None:
        annotations = dict(get_path(doc, "metadata.annotations") or {})
        if self.cleaned_data.get("is_default"):
            annotations[DEFAULT_CLASS] = "true"
        else:
            annotations.pop(DEFAULT_CLASS, None)
        set_path(doc, "metadata.annotations", annotations or None)


def backend(service: str, port: int | str | None) -> dict | None:
    if not service:
        return None
    ref: dict = {"name": service}
    if port is not None:
        ref["port"] = {"number": port} if isinstance(port, int) else {"name": port}
    return {"service": ref}


def backend_initial(doc: dict | None) -> tuple[str, str]:
    svc = get_path(doc or {}, "service") or {}
    port = svc.get("port") or {}
    return svc.get("name", ""), str(port.get("number", port.get("name", "")))


@register_row
class IngressPathRow(RowForm):
    KEY, TITLE = "ingress-path", "Paths"
    path = forms.CharField(required=False)
    path_type = forms.ChoiceField(choices=[("Prefix", "Prefix"), ("Exact", "Exact"),
                                           ("ImplementationSpecific", "ImplementationSpecific")], label="pathType")
    service = forms.CharField(label="Service")
    port = IntOrNameField(label="Port", help_text="number or name")
    FIELD_PATHS = {"path": "path", "pathType": "path_type"}
    ERROR_PATHS = {"backend.service.port": "port", "backend.service.name": "service", "backend": "service"}

    def initial_from(self, doc: dict) -> dict:
        initial = super().initial_from(doc)
        initial["service"], initial["port"] = backend_initial(doc.get("backend"))
        return initial

    def write(self, doc: dict) -> None:
        super().write(doc)
        old = doc.get("backend") or {}
        new = backend(self.cleaned_data.get("service"), self.cleaned_data.get("port"))
        doc["backend"] = new if "resource" not in old or new else old


@register_row
class IngressRuleRow(RowForm):
    KEY, TITLE = "ingress-rule", "Rules"
    host = forms.CharField(required=False, help_text="blank: every host")
    FIELD_PATHS = {"host": "host"}
    CHILDREN = {"paths": ("http.paths", "ingress-path")}


@register_row
class IngressTLSRow(RowForm):
    KEY, TITLE = "ingress-tls", "TLS"
    hosts = ListField(required=False)
    secret_name = forms.CharField(required=False, label="secretName")
    FIELD_PATHS = {"hosts": "hosts", "secretName": "secret_name"}


class IngressForm(ObjectForm):
    KIND = "Ingress"
    API_VERSION = "networking.k8s.io/v1"
    ingress_class_name = forms.CharField(required=False, label="ingressClassName")
    default_service = forms.CharField(required=False, label="Default backend Service")
    default_port = IntOrNameField(required=False, label="Default backend port")
    FIELD_PATHS = {"spec.ingressClassName": "ingress_class_name"}
    ERROR_PATHS = {"spec.defaultBackend.service.port": "default_port", "spec.defaultBackend": "default_service"}
    CHILDREN = {"rules": ("spec.rules", "ingress-rule"), "tls": ("spec.tls", "ingress-tls")}

    def initial_extra(self, manifest: dict) -> dict:
        service, port = backend_initial(get_path(manifest, "spec.defaultBackend"))
        return {"default_service": service, "default_port": port}

    def write_extra(self, doc: dict) -> None:
        set_path(doc, "spec.defaultBackend",
                 backend(self.cleaned_data.get("default_service"), self.cleaned_data.get("default_port")))
        if get_path(doc, "spec") is None:
            doc["spec"] = {}
