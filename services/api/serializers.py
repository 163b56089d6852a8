"""API bodies of a topology's objects and its change record.

An object reads as `{id, revision, generated, manifest}` (interfaces.md, "REST API"): `id` is
its `Kind/namespace/name`, `revision` the topology revision at which it last changed (its
ETag), `generated` whether the engine derived it from a workload (read-only, never stored).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import Change, KubeObject


class KubeObjectSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True, help_text="Kind/namespace/name (cluster-scoped: Kind/name).")
    revision = serializers.IntegerField(read_only=True, help_text="The revision at which it last changed (ETag).")
    generated = serializers.BooleanField(read_only=True, help_text="Derived from a workload: read-only.")
    manifest = serializers.JSONField(help_text="The Kubernetes object itself.")

    @staticmethod
    def of_row(row: KubeObject, revision: int | None) -> dict[str, Any]:
        return {"id": row.object_name, "revision": revision or 0, "generated": False, "manifest": row.manifest}

    @staticmethod
    def of_generated(label: str, manifest: dict[str, Any], revision: int) -> dict[str, Any]:
        return {"id": label, "revision": revision, "generated": True, "manifest": manifest}


class ChangeSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", allow_null=True, read_only=True)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    fields = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Change
        fields = ["object", "revision", "user", "time", "fields", "before", "after"]

    def to_representation(self, instance: Change) -> dict[str, Any]:
        return instance.as_dict()
