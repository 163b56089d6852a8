"""IngressClass and Ingress rows (see services.models.objects for the manifest/column design)."""

from __future__ import annotations

from django.db import models

from services.models import KubeObject


class IngressClass(KubeObject):
    KIND = "IngressClass"
    API_VERSION = "networking.k8s.io/v1"
    NAMESPACED = False
    PATHS = {"controller": ("spec", "controller"), "parameters": ("spec", "parameters")}
    controller = models.CharField(max_length=253, help_text="e.g. k8s.io/ingress-nginx")
    parameters = models.JSONField(null=True, blank=True)

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "name")]
        verbose_name_plural = "ingress classes"

    @property
    def is_default(self) -> bool:
        return (self.annotations or {}).get("ingressclass.kubernetes.io/is-default-class") == "true"


class Ingress(KubeObject):
    KIND = "Ingress"
    API_VERSION = "networking.k8s.io/v1"
    PATHS = {
        "ingress_class_name": ("spec", "ingressClassName"),
        "default_backend": ("spec", "defaultBackend"),
        "rules": ("spec", "rules"),
        "tls": ("spec", "tls"),
        "load_balancer_ingress": ("status", "loadBalancer", "ingress"),
    }
    ingress_class_name = models.CharField("ingressClassName", max_length=253, blank=True)
    default_backend = models.JSONField(null=True, blank=True)
    rules = models.JSONField(default=list, blank=True, help_text="Hosts and paths (pathType, backend).")
    tls = models.JSONField(default=list, blank=True, help_text='[{"hosts": [...], "secretName": ...}]')
    load_balancer_ingress = models.JSONField(default=list, blank=True)

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "namespace", "name")]
        verbose_name_plural = "ingresses"

    @property
    def class_annotation(self) -> str:
        return (self.annotations or {}).get("kubernetes.io/ingress.class", "")
