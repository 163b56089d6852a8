"""What this app (and `ingress`) asks of the layers above it, without importing them.

A topology's Snapshot needs every kind of row (Services and Ingresses alike), and rows become a
Snapshot in one place, checks/snapshot.py. The apps below `checks` ask through these hooks,
which `checks` provides at start-up (ChecksConfig.ready), so imports still point down:
checks -> ingress -> services -> semantics. (No import of .models here: the models ask too.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# topology -> the engine's BuildResult of its rows (snapshot, errors, warnings)
SNAPSHOT: list[Callable[[Any], Any]] = []
# (row, manifest) -> what the API server would say of `manifest` in place of `row`
VALIDATION: list[Callable[[Any, dict], list[str]]] = []
# (topology, manifest, row or None) -> the refusals (Diagnostics) saving `manifest` would bring
REFUSALS: list[Callable[[Any, dict, Any], list]] = []


class HookMissing(RuntimeError):
    """Nothing provides the hook: the `checks` app is not in INSTALLED_APPS."""


def provide_snapshot(build: Callable[[Any], Any]) -> None:
    SNAPSHOT[:] = [build]


def provide_validation(validate: Callable[[Any, dict], list[str]]) -> None:
    VALIDATION[:] = [validate]


def provide_refusals(refusals: Callable[[Any, dict, Any], list]) -> None:
    REFUSALS[:] = [refusals]


def provided(hook: list[Callable[..., Any]], what: str) -> Callable[..., Any]:
    if not hook:
        raise HookMissing(f"no {what} provider: the checks app provides it when it is installed")
    return hook[0]


def topology_snapshot(topology: Any) -> Any:
    """The topology as the engine sees it (checks.snapshot.build)."""
    return provided(SNAPSHOT, "snapshot")(topology)


def validation_errors(row: Any, manifest: dict) -> list[str]:
    """What the API server would say of `manifest` in place of `row` in its topology
    (checks.snapshot.validation_errors): the one validation path of forms, API and import."""
    return provided(VALIDATION, "validation")(row, manifest)


def refusals(topology: Any, manifest: dict, row: Any = None) -> list:
    """The errors (Diagnostics, with object and field path) that saving `manifest` in place of
    `row` (None: as a new object) would bring to the topology and it did not have before
    (checks.snapshot.refusals): what forms and the YAML editor refuse, as import does."""
    return provided(REFUSALS, "refusals")(topology, manifest, row)
