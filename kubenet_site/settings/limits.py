"""The input limits of every door, Django-free: the PATH commands (`check`, `matrix`,
`run --local`, `diff`, `query`) read them without starting Django, and base.py takes them
from here. Each may be raised from the environment (the benchmark's 50,000-pod cluster does).

`apply()` hands them to the engine (semantics.manifest_loading.configure_limits), which never
imports settings.
"""

from __future__ import annotations

import os


def env_int(name: str, default: int) -> int:
    """A whole number from the environment; unset, empty or not a number gives the default."""
    try:
        return int(float(os.environ.get(name) or default))
    except ValueError:
        return default


# Largest request body any HTTP door reads (413 above it): room for a large cluster's dump.
KUBENET_MAX_INPUT_BYTES = env_int("KUBENET_MAX_INPUT_BYTES", 64 * 1024 * 1024)
# Bytes of one input's manifests the engine reads (a file, a document's manifests).
KUBENET_MAX_MANIFEST_BYTES = env_int("KUBENET_MAX_MANIFEST_BYTES", 20 * 1024 * 1024)
# Kubernetes objects in one input, after `List`s are flattened.
KUBENET_MAX_OBJECTS = env_int("KUBENET_MAX_OBJECTS", 50_000)


def apply() -> None:
    from kubenet_site.semantics.manifest_loading import configure_limits

    configure_limits(max_bytes=KUBENET_MAX_MANIFEST_BYTES, max_objects=KUBENET_MAX_OBJECTS)
