"""Label selectors: Service equality maps and metav1.LabelSelector.

Source: apimachinery `pkg/labels/selector.go` (Requirement.Matches) and
`pkg/apis/meta/v1/helpers.go` (LabelSelectorAsSelector).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .types import Labels, LabelSelector, Requirement

IN, NOT_IN, EXISTS, DOES_NOT_EXIST = "In", "NotIn", "Exists", "DoesNotExist"
OPERATORS = (IN, NOT_IN, EXISTS, DOES_NOT_EXIST)


def map_selects(selector: Labels | None, labels: Labels) -> bool:
    """A Service's spec.selector: every key present with the same value.

    An absent or empty selector selects nothing for endpoints: the EndpointSlice controller
    skips Services with `len(spec.selector) == 0` (pkg/controller/endpointslice)."""
    if not selector:
        return False
    return all(labels.get(k) == v for k, v in selector.items())


def requirement_matches(req: Requirement, labels: Labels) -> bool:
    # selector.go Requirement.Matches: NotIn and DoesNotExist are true when the key is absent.
    if req.operator == IN:
        return req.key in labels and labels[req.key] in req.values
    if req.operator == NOT_IN:
        return req.key not in labels or labels[req.key] not in req.values
    if req.operator == EXISTS:
        return req.key in labels
    if req.operator == DOES_NOT_EXIST:
        return req.key not in labels
    raise ValueError(f"unknown selector operator {req.operator!r}")


def selects(selector: LabelSelector | None, labels: Labels) -> bool:
    """metav1.LabelSelector: the AND of matchLabels and every matchExpressions entry.

    `LabelSelector()` (`{}`) matches everything; `None` (a null selector) matches nothing
    (helpers.go LabelSelectorAsSelector: nil -> labels.Nothing(), empty -> labels.Everything())."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in selector.match_labels.items()):
        return False
    return all(requirement_matches(r, labels) for r in selector.match_expressions)


def parse_selector(data: Mapping[str, Any] | None) -> LabelSelector | None:
    """A LabelSelector from its JSON form; None stays None (a null selector)."""
    if data is None:
        return None
    exprs = tuple(
        Requirement(
            key=str(e.get("key", "")),
            operator=str(e.get("operator", "")),
            values=tuple(str(v) for v in (e.get("values") or ())),
        )
        for e in (data.get("matchExpressions") or ())
    )
    return LabelSelector(
        match_labels={str(k): str(v) for k, v in (data.get("matchLabels") or {}).items()},
        match_expressions=exprs,
    )


def describe(selector: LabelSelector | None) -> str:
    """kubectl's rendering of a selector (`app=web,tier in (a,b),!legacy`); `<none>` for {}."""
    if selector is None:
        return "<null>"
    parts = [f"{k}={v}" for k, v in sorted(selector.match_labels.items())]
    for r in selector.match_expressions:
        if r.operator == IN:
            parts.append(f"{r.key} in ({','.join(sorted(r.values))})")
        elif r.operator == NOT_IN:
            parts.append(f"{r.key} notin ({','.join(sorted(r.values))})")
        elif r.operator == EXISTS:
            parts.append(r.key)
        else:
            parts.append(f"!{r.key}")
    return ",".join(parts) or "<none>"
