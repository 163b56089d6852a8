"""A Topology: one designed cluster, owned by a team, with its cluster-wide settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from kubenet_site.semantics.manifests import ManifestError, parse_cluster
from kubenet_site.semantics.types import ClusterConfig

from .teams import Team


def default_cluster_dns() -> list[str]:
    return ["10.96.0.10"]


def default_resolv_conf() -> dict:
    return {"nameservers": ["10.0.0.2"], "searches": [], "options": []}


# The query document's cluster block (interfaces.md) -> Topology columns.
CLUSTER_FIELDS = {
    "domain": "domain", "serviceCIDR": "service_cidr", "podCIDR": "pod_cidr", "nodePortRange": "node_port_range",
    "clusterDNS": "cluster_dns", "nodeResolvConf": "node_resolv_conf", "ingressControllers": "ingress_controllers",
    "ingressControllerPods": "ingress_controller_pods",
}


class Topology(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="topologies")
    name = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    domain = models.CharField("cluster domain", max_length=253, default="cluster.local")
    service_cidr = models.CharField("service CIDR", max_length=100, default="10.96.0.0/12",
                                    help_text="Comma-separated for dual-stack.")
    pod_cidr = models.CharField("pod CIDR", max_length=100, default="10.244.0.0/16")
    node_port_range = models.CharField(max_length=20, default="30000-32767")
    cluster_dns = models.JSONField("clusterDNS", default=default_cluster_dns,
                                   help_text="The kubelet's clusterDNS addresses.")
    node_resolv_conf = models.JSONField("nodes' resolv.conf", default=default_resolv_conf)
    ingress_controllers = models.JSONField(
        null=True, blank=True,
        help_text="IngressClass spec.controller values that have a running controller; empty = all.")
    ingress_controller_pods = models.JSONField(
        null=True, blank=True,
        help_text='How to find each controller\'s pods: [{"controller": ..., "namespace": ..., '
                  '"podLabels": {...}}]; empty = the built-in mapping (ingress-nginx).')
    revision = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        unique_together = [("team", "name")]
        verbose_name_plural = "topologies"

    def __str__(self) -> str:
        return self.name

    def cluster_document(self) -> dict:
        """The `cluster:` block of interfaces.md for this topology."""
        doc: dict = {
            "domain": self.domain,
            "serviceCIDR": self.service_cidr,
            "podCIDR": self.pod_cidr,
            "nodePortRange": self.node_port_range,
            "clusterDNS": list(self.cluster_dns or []),
            "nodeResolvConf": dict(self.node_resolv_conf or {}),
            "ingressControllers": self.ingress_controllers or None,
        }
        if self.ingress_controller_pods:
            doc["ingressControllerPods"] = self.ingress_controller_pods
        return doc

    @staticmethod
    def cluster_columns(block: object) -> dict:
        """Column values from a cluster block; ValidationError naming `cluster.<key>`."""
        if block is None:
            return {}
        if not isinstance(block, dict):
            raise ValidationError({"cluster": "must be a mapping (the query document's cluster block)"})
        unknown = sorted(set(block) - set(CLUSTER_FIELDS))
        if unknown:
            raise ValidationError({f"cluster.{unknown[0]}": f"unknown key (known: {', '.join(CLUSTER_FIELDS)})"})
        try:
            cfg = parse_cluster(block)
        except ManifestError as exc:
            raise ValidationError({exc.where: exc.message}) from exc
        normal = {  # the columns' own forms, from what the engine read
            "domain": cfg.domain, "service_cidr": ",".join(cfg.service_cidrs), "pod_cidr": ",".join(cfg.pod_cidrs),
            "node_port_range": f"{cfg.node_port_range[0]}-{cfg.node_port_range[1]}",
            "cluster_dns": list(cfg.cluster_dns),
            "node_resolv_conf": {"nameservers": list(cfg.node_resolv_conf.nameservers),
                                 "searches": list(cfg.node_resolv_conf.searches),
                                 "options": list(cfg.node_resolv_conf.options)},
            "ingress_controllers": None if cfg.ingress_controllers is None else list(cfg.ingress_controllers),
            "ingress_controller_pods": block.get("ingressControllerPods"),
        }
        return {column: normal[column] for key, column in CLUSTER_FIELDS.items() if key in block}

    def cluster_config(self) -> ClusterConfig:
        return parse_cluster(self.cluster_document())

    def clean(self) -> None:
        try:
            self.cluster_config()
        except ManifestError as exc:
            raise ValidationError(f"{exc.where}: {exc.message}") from exc

    def bump_revision(self) -> None:
        """Every change to the topology or its objects makes a new revision."""
        Topology.objects.filter(pk=self.pk).update(revision=F("revision") + 1)
        self.refresh_from_db(fields=["revision"])

    def save(self, *args, **kwargs) -> None:
        former = None
        if self.pk:
            self.revision = (self.revision or 0) + 1
            former = Topology.objects.filter(pk=self.pk).values_list("team_id", "name").first()
        super().save(*args, **kwargs)
        # A renamed topology's old addresses redirect while no other topology takes the name.
        FormerName.objects.filter(team_id=self.team_id, name=self.name).delete()
        if former and former != (self.team_id, self.name):
            FormerName.objects.update_or_create(team_id=former[0], name=former[1], defaults={"topology": self})


class FormerName(models.Model):
    """A name a topology had before a rename: its pages redirect to the new name."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    name = models.SlugField(max_length=100)
    topology = models.ForeignKey(Topology, on_delete=models.CASCADE, related_name="former_names")

    class Meta:
        unique_together = [("team", "name")]

    def __str__(self) -> str:
        return f"{self.team}/{self.name} -> {self.topology}"
