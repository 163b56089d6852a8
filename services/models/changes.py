"""The change record: who changed which object of a topology, when, and how.

Every write through any door (API, pages, admin, import, CLI) goes through
`services.revisions.changes`, which bumps the topology's revision once under a row lock and
writes one Change per object in the same transaction. A Change is also what a stale
`If-Match` (HTTP 412) reports, and an object's ETag is the revision of its latest Change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from .topology import Topology


class Change(models.Model):
    topology = models.ForeignKey(Topology, on_delete=models.CASCADE, related_name="changes")
    object = models.CharField(max_length=600, help_text="Kind/namespace/name (cluster-scoped: Kind/name).")
    revision = models.PositiveIntegerField(help_text="The topology revision this change made.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    time = models.DateTimeField(default=timezone.now)
    fields = models.JSONField(default=list, blank=True, help_text="Dotted paths of the fields that changed.")
    before = models.JSONField(null=True, blank=True, help_text="The object before (null: created).")
    after = models.JSONField(null=True, blank=True, help_text="The object after (null: deleted).")

    class Meta:
        ordering = ["revision", "pk"]
        indexes = [models.Index(fields=["topology", "revision"]), models.Index(fields=["topology", "object"])]

    def __str__(self) -> str:
        return f"{self.object} at revision {self.revision}"

    def as_dict(self) -> dict[str, Any]:
        """The shape of `GET .../changes/` and of a 412's `changes` (interfaces.md)."""
        return {"object": self.object, "revision": self.revision,
                "user": self.user.get_username() if self.user_id else None,
                "time": self.time.isoformat().replace("+00:00", "Z"), "fields": list(self.fields or []),
                "before": self.before, "after": self.after}
