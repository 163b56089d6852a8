"""labels.py: Service selectors and metav1.LabelSelector matching.

Cases transcribed from apimachinery: pkg/labels/selector_test.go (TestSelectorMatches,
TestSetMatches, TestRequirementSelectorMatching; string selectors rewritten as the
equivalent matchLabels/matchExpressions) and pkg/apis/meta/v1/helpers_test.go
(TestLabelSelectorAsSelector: nil -> Nothing, {} -> Everything).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubenet_site.semantics import labels as L
from kubenet_site.semantics.types import LabelSelector, Requirement


def req(key, op, *values):
    return Requirement(key=key, operator=op, values=tuple(values))


def sel(match_labels=None, *exprs):
    return LabelSelector(match_labels=match_labels or {}, match_expressions=tuple(exprs))


SELECTS = [
    # TestSelectorMatches
    pytest.param(sel(), {"x": "y"}, True, id='"" matches everything'),
    pytest.param(sel({"x": "y"}), {"x": "y"}, True, id="x=y"),
    pytest.param(sel({"x": "y", "z": "w"}), {"x": "y", "z": "w"}, True, id="x=y,z=w"),
    pytest.param(sel(None, req("x", "NotIn", "y"), req("z", "NotIn", "w")), {"x": "z", "z": "a"}, True,
                 id="x!=y,z!=w on other values"),
    pytest.param(sel({"notin": "in"}), {"notin": "in"}, True, id="notin=in (operator words as key/value)"),
    pytest.param(sel(None, req("x", "Exists")), {"x": "z"}, True, id="x (Exists)"),
    pytest.param(sel(None, req("x", "DoesNotExist")), {"y": "z"}, True, id="!x on a set that lacks x"),
    pytest.param(sel({"x": "z"}), {}, False, id="x=z on empty labels"),
    pytest.param(sel({"x": "y"}), {"x": "z"}, False, id="x=y on x=z"),
    pytest.param(sel({"x": "y", "z": "w"}), {"x": "w", "z": "w"}, False, id="x=y,z=w on x=w"),
    pytest.param(sel(None, req("x", "NotIn", "y"), req("z", "NotIn", "w")), {"x": "z", "z": "w"}, False,
                 id="x!=y,z!=w when z=w"),
    pytest.param(sel(None, req("x", "Exists")), {"y": "z"}, False, id="x (Exists) on a set that lacks x"),
    pytest.param(sel(None, req("x", "DoesNotExist")), {"x": "z"}, False, id="!x when x is present"),
    pytest.param(sel({"foo": "bar"}), {"foo": "bar", "baz": "blah"}, True, id="foo=bar on labelset"),
    pytest.param(sel({"baz": "blah"}), {"foo": "bar", "baz": "blah"}, True, id="baz=blah on labelset"),
    pytest.param(sel({"foo": "bar", "baz": "blah"}), {"foo": "bar", "baz": "blah"}, True,
                 id="foo=bar,baz=blah on labelset"),
    pytest.param(sel({"foo": "blah"}), {"foo": "bar", "baz": "blah"}, False, id="foo=blah on labelset"),
    pytest.param(sel({"baz": "bar"}), {"foo": "bar", "baz": "blah"}, False, id="baz=bar on labelset"),
    pytest.param(sel({"foo": "bar", "foobar": "bar", "baz": "blah"}), {"foo": "bar", "baz": "blah"}, False,
                 id="foo=bar,foobar=bar,baz=blah on labelset"),
    # TestRequirementSelectorMatching
    pytest.param(sel(None, req("x", "In", "foo"), req("y", "NotIn", "alpha")), {"x": "foo", "y": "baz"}, True,
                 id="x in (foo), y notin (alpha)"),
    pytest.param(sel(None, req("x", "In", "foo"), req("y", "In", "alpha")), {"x": "foo", "y": "baz"}, False,
                 id="x in (foo), y in (alpha)"),
    pytest.param(sel(None, req("x", "NotIn", ""), req("y", "Exists")), {"y": ""}, True,
                 id="NotIn on a pod that lacks the key"),
    pytest.param(sel(None, req("x", "DoesNotExist"), req("y", "Exists")), {"y": ""}, True,
                 id="DoesNotExist on a pod that lacks the key, Exists on an empty value"),
    pytest.param(sel(None, req("x", "NotIn", ""), req("y", "DoesNotExist")), {"y": ""}, False,
                 id="DoesNotExist on a key with an empty value"),
    pytest.param(sel(None, req("x", "In", "")), {"y": "baz"}, False, id="In never matches a missing key"),
    # More corners.
    pytest.param(sel(None, req("env", "In", "prod", "staging")), {"env": "staging"}, True, id="In with several values"),
    pytest.param(sel(None, req("env", "NotIn", "prod", "staging")), {"env": "prod"}, False,
                 id="NotIn with the value present"),
    pytest.param(sel({"app": "web"}, req("app", "NotIn", "web")), {"app": "web"}, False,
                 id="matchLabels AND matchExpressions contradict"),
    pytest.param(sel({"app": ""}), {"app": ""}, True, id="empty value matches an empty value"),
    pytest.param(sel({"app": ""}), {}, False, id="empty value does not match a missing key"),
    pytest.param(sel(None, req("App", "Exists")), {"app": "x"}, False, id="keys are case-sensitive"),
]


@pytest.mark.parametrize("selector,labels,expected", SELECTS)
def test_selects(selector, labels, expected):
    assert L.selects(selector, labels) is expected, L.describe(selector)


# TestLabelSelectorAsSelector (helpers_test.go).
@pytest.mark.parametrize("selector,labels,expected", [
    pytest.param(None, {"foo": "bar"}, False, id="nil LabelSelector is Nothing()"),
    pytest.param(None, {}, False, id="nil LabelSelector matches not even an empty set"),
    pytest.param(LabelSelector(), {"foo": "bar"}, True, id="empty LabelSelector is Everything()"),
    pytest.param(LabelSelector(), {}, True, id="empty LabelSelector matches an empty set"),
    pytest.param(L.parse_selector({"matchLabels": {"foo": "bar"}}), {"foo": "bar"}, True, id="foo=bar"),
    pytest.param(L.parse_selector({"matchExpressions": [{"key": "baz", "operator": "In", "values": ["qux", "norf"]}]}),
                 {"baz": "norf"}, True, id="baz in (norf,qux)"),
    pytest.param(L.parse_selector({"matchLabels": {"foo": "bar"},
                                   "matchExpressions": [{"key": "baz", "operator": "In", "values": ["qux", "norf"]}]}),
                 {"baz": "qux"}, False, id="baz in (norf,qux),foo=bar needs both"),
    pytest.param(L.parse_selector({}), {"a": "b"}, True, id="parsed {} matches everything"),
    pytest.param(L.parse_selector(None), {"a": "b"}, False, id="parsed null matches nothing"),
])
def test_label_selector_as_selector(selector, labels, expected):
    assert L.selects(selector, labels) is expected


def test_unknown_operator_is_refused():
    with pytest.raises(ValueError):
        L.selects(sel(None, req("a", "Gt", "1")), {"a": "2"})


# Service spec.selector (a Set): TestSetMatches, except that an empty or absent Service selector
# selects nothing for endpoints (endpointslice_controller.go; {} is stored as no selector).
@pytest.mark.parametrize("selector,labels,expected", [
    pytest.param({"foo": "bar"}, {"foo": "bar", "baz": "blah"}, True, id="Set foo=bar"),
    pytest.param({"baz": "blah"}, {"foo": "bar", "baz": "blah"}, True, id="Set baz=blah"),
    pytest.param({"foo": "bar", "baz": "blah"}, {"foo": "bar", "baz": "blah"}, True, id="Set foo=bar,baz=blah"),
    pytest.param({"foo": "bar", "x": "y"}, {"foo": "bar"}, False, id="Set needs every key"),
    pytest.param({}, {"foo": "bar"}, False, id="empty Service selector selects nothing"),
    pytest.param(None, {"foo": "bar"}, False, id="absent Service selector selects nothing"),
])
def test_map_selects(selector, labels, expected):
    assert L.map_selects(selector, labels) is expected


# --- property: selects() equals a naive reference -------------------------------------------

KEYS = st.sampled_from(["a", "b", "app", "x.io/k"])
VALUES = st.sampled_from(["", "1", "2", "web"])
LABELS = st.dictionaries(KEYS, VALUES, max_size=4)


@st.composite
def requirements(draw):
    op = draw(st.sampled_from(L.OPERATORS))
    values = draw(st.lists(VALUES, min_size=1, max_size=3)) if op in ("In", "NotIn") else []
    return Requirement(draw(KEYS), op, tuple(values))


SELECTORS = st.one_of(
    st.none(),
    st.builds(LabelSelector, match_labels=LABELS, match_expressions=st.lists(requirements(), max_size=3).map(tuple)),
)


def naive(selector, labels):
    """A reference written from the API docs, not from labels.py: the selector is the AND of
    its requirements; matchLabels k: v means `k In (v)`; NotIn is the negation of In and
    DoesNotExist of Exists. A null selector selects nothing."""
    if selector is None:
        return False
    reqs = [("In", k, {v}) for k, v in selector.match_labels.items()]
    reqs += [(r.operator, r.key, set(r.values)) for r in selector.match_expressions]
    for op, key, values in reqs:
        is_in = key in labels and labels[key] in values
        has = key in labels
        ok = {"In": is_in, "NotIn": not is_in, "Exists": has, "DoesNotExist": not has}[op]
        if not ok:
            return False
    return True


@given(SELECTORS, LABELS)
def test_selects_matches_reference(selector, labels):
    assert L.selects(selector, labels) == naive(selector, labels)


@given(st.one_of(st.none(), LABELS), LABELS)
def test_map_selects_matches_reference(selector, labels):
    assert L.map_selects(selector, labels) == (bool(selector) and selector.items() <= labels.items())
