"""Check runs as rows (Nautobot's JobResult): status, timings, progress, result and log.

A run is pinned to the topology revision it was started on: `input` keeps that revision's
cluster document and manifests, so a re-delivered or resumed task computes on exactly the
same objects, and a run whose topology has moved on since shows as stale.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from services.models import Topology


class CheckRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    topology = models.ForeignKey(Topology, on_delete=models.CASCADE, related_name="check_runs")
    revision = models.PositiveIntegerField(help_text="The topology revision this run checked.")
    checks = models.JSONField(default=list, help_text="The check kinds, in the order they run.")
    options = models.JSONField(default=dict, blank=True, help_text="shards: row blocks per matrix.")
    input = models.JSONField(default=dict, editable=False,
                             help_text="The pinned revision: cluster document and manifests.")
    plan = models.JSONField(default=list, blank=True, editable=False,
                            help_text="The steps: [{key, units, blocks}] (blocks > 0: sharded).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    step = models.CharField(max_length=200, blank=True, help_text="The step in progress.")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True,
                                     help_text="Last sign of life from the process working on it.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Deliveries that started work.")
    worker = models.CharField(max_length=255, blank=True, help_text="host:pid of the last process on it.")
    task_id = models.CharField(max_length=64, blank=True)
    result = models.JSONField(default=dict, blank=True,
                              help_text="What the run found, in counts; each step's full result is a CheckRunStep.")
    log = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["topology", "-created"])]

    def __str__(self) -> str:
        return f"run #{self.pk} of {self.topology} r{self.revision} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def is_stale(self) -> bool:
        """The topology has changed since this run's revision: its results describe the past."""
        return self.topology.revision != self.revision

    @property
    def duration(self):
        if self.started is None:
            return None
        return (self.finished or timezone.now()) - self.started

    def progress_text(self) -> str:
        return f"{self.progress_done}/{self.progress_total}" if self.progress_total else "-"

    def results(self) -> dict:
        """Every stored step's result under its kind (`routing/ClusterIP` -> {"routing":
        {"ClusterIP": ...}}, `policy/80/TCP` -> {"policy": {"80/TCP": ...}}). Large: for one
        kind, filter `steps` instead."""
        out: dict = {}
        for key, value in self.steps.order_by("pk").values_list("key", "value"):
            kind, _, rest = key.partition("/")
            if rest:
                out.setdefault(kind, {})[rest] = value
            else:
                out[kind] = value
        return out


class CheckRunStep(models.Model):
    """One step's result (`endpoints`, `routing/ClusterIP`, `policy/80/TCP`...): rows of their
    own, so a large topology's matrices are written and read one at a time."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=200)
    value = models.JSONField(null=True, blank=True, help_text='The result, or {"error": ...}.')
    worker = models.CharField(max_length=255, blank=True)
    finished = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="checkrunstep_unique")]

    def __str__(self) -> str:
        return f"{self.key} of run #{self.run_id}"


class CheckRunBlock(models.Model):
    """One row block of a sharded matrix, computed by whichever worker took it."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="blocks")
    step = models.CharField(max_length=100)
    index = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    result = models.JSONField(default=dict)
    worker = models.CharField(max_length=255, blank=True)
    finished = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run", "step", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "step", "index"], name="checkrunblock_unique")]

    def __str__(self) -> str:
        return f"{self.step} block {self.index + 1}/{self.count} of run #{self.run_id}"


class KeptMatrix(models.Model):
    """A matrix computed on demand (no run of this revision had it), kept for its revision so
    the API computes it once (interfaces.md: "else computed and kept for that revision")."""

    topology = models.ForeignKey(Topology, on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField()
    key = models.CharField(max_length=200, help_text="routing/ClusterIP, ingress, policy/80/TCP...")
    value = models.JSONField(help_text="The whole compressed matrix (kinds.matrix_json).")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topology", "revision", "key"], name="keptmatrix_unique")]

    def __str__(self) -> str:
        return f"{self.key} of {self.topology} r{self.revision}"
