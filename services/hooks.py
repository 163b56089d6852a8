"""Whole-topology questions that `services` and `ingress` ask but cannot answer alone.

A topology's Snapshot needs every kind of row (Services and Ingresses alike), and rows become
a Snapshot in one place, checks/snapshot.py. The apps below `checks` ask through this hook,
which `checks` installs at start-up (ChecksConfig.ready), so imports still point down:
checks -> ingress -> services -> semantics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TopologyHook:
    # (row, manifest) -> what the API server would say of `manifest` in place of `row`
    validation_errors: Callable[[Any, dict], list[str]]
    # topology -> the engine's BuildResult of its rows (snapshot, errors, warnings)
    build: Callable[[Any], Any]


class HookMissing(RuntimeError):
    """No app installed the topology hook (the `checks` app is not in INSTALLED_APPS)."""


INSTALLED: list[TopologyHook] = []


def install(hook: TopologyHook) -> None:
    INSTALLED[:] = [hook]


def hook() -> TopologyHook:
    if not INSTALLED:
        raise HookMissing("the topology hook is not installed: add the `checks` app to INSTALLED_APPS")
    return INSTALLED[0]


def validation_errors(row: Any, manifest: dict) -> list[str]:
    """What the API server would say of `manifest` in place of `row` in its topology."""
    return hook().validation_errors(row, manifest)


def build(topology: Any) -> Any:
    """The topology as the engine sees it (checks.snapshot.build)."""
    return hook().build(topology)
