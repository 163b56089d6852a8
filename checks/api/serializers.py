"""API bodies of topologies, imports, check runs and errors (for the views and the schema)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from services.models import OtherObject, Topology

from ..models import CheckRun
from ..registry import api_kinds


def topology_url(request, topology: Topology) -> str:
    return request.build_absolute_uri(reverse("api-topology", args=[topology.pk]) + "/")


def run_url(request, run: CheckRun) -> str:
    return request.build_absolute_uri(reverse("api-run", args=[run.pk]) + "/")


def counts(topology: Topology) -> dict[str, int]:
    out = {resource: kind.rows(topology).count() for resource, kind in api_kinds().items()}
    out["others"] = OtherObject.objects.filter(topology=topology).count()
    return out


def run_brief(request, run: CheckRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"id": run.pk, "status": run.status, "revision": run.revision, "stale": run.is_stale,
            "url": run_url(request, run)}


def topology_body(request, topology: Topology) -> dict[str, Any]:
    latest = CheckRun.objects.filter(topology=topology).select_related("topology").first()
    return {"id": topology.pk, "name": topology.name, "team": topology.team.name,
            "description": topology.description, "cluster": topology.cluster_document(),
            "revision": topology.revision, "counts": counts(topology), "latestRun": run_brief(request, latest),
            "url": topology_url(request, topology)}


def run_body(request, run: CheckRun) -> dict[str, Any]:
    def iso(t):
        return t.isoformat().replace("+00:00", "Z") if t else None

    return {"id": run.pk, "topology": run.topology_id, "revision": run.revision, "checks": run.checks,
            "status": run.status,
            "progress": {"done": run.progress_done, "total": run.progress_total, "step": run.step},
            "stale": run.is_stale, "created": iso(run.created), "started": iso(run.started),
            "finished": iso(run.finished), "summary": run.result.get("summary", []) if run.result else [],
            "error": run.error or None, "url": run_url(request, run)}


class LatestRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CheckRun.Status.choices)
    revision = serializers.IntegerField()
    stale = serializers.BooleanField()
    url = serializers.URLField()


class TopologySerializer(serializers.Serializer):
    """A topology as read (GET, and the answers to POST and PATCH)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SlugField(max_length=100)
    team = serializers.CharField(help_text="A team name; may be omitted when the user is in one team.")
    description = serializers.CharField(allow_blank=True)
    cluster = serializers.JSONField(help_text="The query document's cluster block.")
    revision = serializers.IntegerField(read_only=True)
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    latestRun = LatestRunSerializer(read_only=True, allow_null=True)  # noqa: N815
    url = serializers.URLField(read_only=True)


class TopologyCreateSerializer(serializers.Serializer):
    name = serializers.SlugField(max_length=100)
    team = serializers.CharField(required=False, max_length=100,
                                 help_text="A team name; may be omitted when the user is in one team.")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    cluster = serializers.JSONField(required=False, default=None, help_text="The query document's cluster block.")
    bootstrap = serializers.BooleanField(required=False, default=True,
                                         help_text="Start as a new cluster does (namespaces, kubernetes and "
                                                   "kube-dns Services, CoreDNS pods).")


class TopologyPatchSerializer(serializers.Serializer):
    name = serializers.SlugField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    cluster = serializers.JSONField(required=False, help_text="Merged over the current cluster block.")


class DiagnosticSerializer(serializers.Serializer):
    object = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())
    keptVerbatim = serializers.ListField(child=serializers.CharField())  # noqa: N815
    generated = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField(), help_text="The objects warned about.")
    warningDetails = DiagnosticSerializer(many=True, help_text="Each warning: object, field, message.")  # noqa: N815
    revision = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    step = serializers.CharField(allow_blank=True)


class CheckRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    topology = serializers.IntegerField()
    revision = serializers.IntegerField()
    checks = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=CheckRun.Status.choices)
    progress = ProgressSerializer()
    stale = serializers.BooleanField()
    created = serializers.DateTimeField()
    started = serializers.DateTimeField(allow_null=True)
    finished = serializers.DateTimeField(allow_null=True)
    summary = serializers.ListField(child=serializers.JSONField(), help_text="[[what, count], ...]")
    error = serializers.CharField(allow_null=True)
    url = serializers.URLField()


class RunStartSerializer(serializers.Serializer):
    checks = serializers.ListField(child=serializers.CharField(), required=False,
                                   help_text="Check kinds (endpoints, dns, env, routing, ingress, policy, "
                                             "diagnostics); absent: all.")


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    where = serializers.CharField(allow_null=True)
    errors = DiagnosticSerializer(many=True, required=False)
    changes = serializers.ListField(child=serializers.JSONField(), required=False)
