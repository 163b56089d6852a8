"""Names the controllers give the objects they create (interfaces.md "Workloads", names).

- generateName: apiserver pkg/storage/names/generate.go SimpleNameGenerator: the base cut to
  maxGeneratedNameLength = 63 - 5 = 58 characters, then 5 random characters from
  apimachinery pkg/util/rand (alphabet "bcdfghjklmnpqrstvwxz2456789": no vowels, no 0/1/3).
  Here the 5 characters are a hash of a seed, so the same input gives the same names.
- A controller's pods: pkg/controller/controller_utils.go getPodsPrefix: generateName is
  `<controller name>-`.
- pod-template-hash: pkg/controller/controller_utils.go ComputeHash is
  `rand.SafeEncodeString(fmt.Sprint(fnv32a(template, collisionCount)))`: the decimal digits of
  a uint32, each mapped into the alphabet. The FNV hash of Go's struct printing cannot be
  reproduced outside Go, so a SHA-256 of the canonical JSON takes its place (same shape:
  up to 10 characters of the alphabet).
- ReplicaSet of a Deployment: pkg/controller/deployment/sync.go getNewReplicaSet:
  `<deployment>-<pod-template-hash>`.
- StatefulSet pods: pkg/controller/statefulset/stateful_set_utils.go getPodName:
  `<set>-<ordinal>`; ControllerRevision names: pkg/controller/history ControllerRevisionName
  `<prefix>-<hash>` (the StatefulSet's pods carry it in `controller-revision-hash`, a
  DaemonSet's pods carry the bare hash: daemon/util CreatePodTemplate).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
MAX_NAME_LENGTH = 63
RANDOM_LENGTH = 5
MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH  # 58


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode()).digest()


def safe_encode(text: str) -> str:
    """apimachinery rand.SafeEncodeString: each byte mapped into the alphabet."""
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in text.encode())


def random_suffix(seed: str) -> str:
    """The 5 "random" characters of a generated name, derived from `seed`."""
    digest = _digest("suffix", seed)
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:RANDOM_LENGTH])


def generate_name(base: str, seed: str) -> str:
    """names.SimpleNameGenerator.GenerateName(base), deterministic in `seed`."""
    return base[:MAX_GENERATED_NAME_LENGTH] + random_suffix(f"{base}\0{seed}")


def pods_prefix(controller_name: str) -> str:
    """controller_utils.go getPodsPrefix: `<name>-` (always a valid prefix for a valid name)."""
    return f"{controller_name}-"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def template_hash(template: Any, collision_count: int = 0) -> str:
    """ComputeHash's shape: SafeEncodeString of the decimal form of a uint32."""
    digest = _digest("template", canonical(template), str(collision_count))
    return safe_encode(str(int.from_bytes(digest[:4], "big")))


def replica_set_name(deployment: str, pod_template_hash: str) -> str:
    """deployment/sync.go getNewReplicaSet: `<deployment>-<hash>`."""
    return f"{deployment}-{pod_template_hash}"


def statefulset_pod_name(set_name: str, ordinal: int) -> str:
    """stateful_set_utils.go getPodName."""
    return f"{set_name}-{ordinal}"


def controller_revision_name(prefix: str, revision_hash: str) -> str:
    """history.ControllerRevisionName: `<prefix>-<hash>` (the prefix cut so the name stays 63)."""
    if len(prefix) > 223:
        prefix = prefix[:223]
    return f"{prefix}-{revision_hash}"
