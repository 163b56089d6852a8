"""kubectl's `-l` selector syntax, table-driven from apimachinery's
`pkg/labels/selector_test.go` (TestSelectorParse, TestSetSelectorParser, TestEverything/
TestSelectorMatches, TestRequirementSelectorMatching)."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.labels import (
    SelectorSyntaxError,
    as_label_selector,
    parse_selector_string,
    string_selects,
)
from kubenet_site.semantics.types import Requirement as R


@pytest.mark.parametrize("text", [
    pytest.param("x=a,y=b,z=c", id="equalities"),
    pytest.param("", id="empty selects everything"),
    pytest.param("x!=a,y=b", id="not equals"),
    pytest.param("x=", id="empty value"),
    pytest.param("x= ", id="empty value then space"),
    pytest.param("x=,z= ", id="two empty values"),
    pytest.param("x= ,z= ", id="two empty values with spaces"),
    pytest.param("!x", id="does not exist"),
    pytest.param("x>1", id="greater than"),
    pytest.param("x>1,z<5", id="greater and less than"),
    pytest.param("a ", id="exists, trailing space"),
    pytest.param("\rx", id="leading carriage return"),
    pytest.param("notin=in", id="in and notin as key and value"),
])
def test_good_strings_parse(text):
    parse_selector_string(text)


@pytest.mark.parametrize("text", [
    pytest.param("x=a||y=b", id="|| is not an operator"),
    pytest.param("x==a==b", id="two operators"),
    pytest.param("!x=a", id="! takes no value"),
    pytest.param("x<a", id="lt needs an integer"),
    pytest.param(",x,y", id="leading comma"),
    pytest.param("x nott in (y)", id="unknown operator word"),
    pytest.param("a in (xyz),", id="trailing comma"),
    pytest.param("a in (xyz)b notin ()", id="missing comma between requirements"),
    pytest.param("a in (xyz abc)", id="values without comma"),
    pytest.param("a notin(", id="unclosed parenthesis"),
    pytest.param("a (", id="parenthesis without operator"),
    pytest.param("(", id="lone parenthesis"),
    pytest.param("x=a b", id="value with a space"),
    pytest.param("-bad=a", id="key not a qualified name"),
    pytest.param("x=-a", id="value not a label value"),
])
def test_bad_strings_are_refused(text):
    with pytest.raises(SelectorSyntaxError):
        parse_selector_string(text)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("this-is-a-dns.domain.com/key-with-dash", (R("this-is-a-dns.domain.com/key-with-dash", "exists"),),
                 id="prefixed key exists"),
    pytest.param("this-is-another-dns.domain.com/key-with-dash in (so,what)",
                 (R("this-is-another-dns.domain.com/key-with-dash", "in", ("so", "what")),), id="prefixed key in"),
    pytest.param("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
                 (R("0.1.2.domain/99", "notin", ("10.10.100.1", "tick.tack.clock")),), id="notin with dots"),
    pytest.param("foo  in\t (abc)", (R("foo", "in", ("abc",)),), id="tabs"),
    pytest.param("x notin\n (abc)", (R("x", "notin", ("abc",)),), id="newline"),
    pytest.param("x in (abc,)", (R("x", "in", ("", "abc")),), id="trailing comma in set adds empty"),
    pytest.param("x in ()", (R("x", "in", ("",)),), id="empty set is the empty value"),
    pytest.param("x notin ( )", (R("x", "notin", ("",)),), id="spaces in empty set"),
    pytest.param("x notin (, a)", (R("x", "notin", ("", "a")),), id="leading comma in set"),
    pytest.param("x notin (abc,def),bar,z in (),w",
                 (R("x", "notin", ("abc", "def")), R("bar", "exists"), R("z", "in", ("",)), R("w", "exists")),
                 id="mixed"),
    pytest.param("a in (x,y,notin, z,in)", (R("a", "in", ("in", "notin", "x", "y", "z")),),
                 id="operator words inside a set"),
    pytest.param("x=a,y!=b,z in (h,i,j)", (R("x", "=", ("a",)), R("y", "!=", ("b",)), R("z", "in", ("h", "i", "j"))),
                 id="equality and set"),
    pytest.param("x==a", (R("x", "==", ("a",)),), id="double equals"),
    pytest.param("x<7", (R("x", "lt", ("7",)),), id="less than"),
    pytest.param("app=web,tier in (a,b),!canary",
                 (R("app", "=", ("web",)), R("tier", "in", ("a", "b")), R("canary", "!")), id="the issue's example"),
])
def test_parse_result(text, expected):
    assert parse_selector_string(text) == expected


@pytest.mark.parametrize(("text", "labels", "match"), [
    pytest.param("", {"x": "y"}, True, id="everything"),
    pytest.param("x=y", {"x": "y"}, True, id="equal"),
    pytest.param("x=y,z=w", {"x": "y", "z": "w"}, True, id="both equal"),
    pytest.param("x!=y,z!=w", {"x": "z", "z": "a"}, True, id="both differ"),
    pytest.param("notin=in", {"notin": "in"}, True, id="operator words as key and value"),
    pytest.param("x", {"x": "z"}, True, id="exists"),
    pytest.param("!x", {"y": "z"}, True, id="does not exist"),
    pytest.param("x>1", {"x": "2"}, True, id="greater"),
    pytest.param("x<1", {"x": "0"}, True, id="less"),
    pytest.param("x=z", {}, False, id="equal on no labels"),
    pytest.param("x=y", {"x": "z"}, False, id="other value"),
    pytest.param("x=y,z=w", {"x": "w", "z": "w"}, False, id="one differs"),
    pytest.param("x!=y,z!=w", {"x": "z", "z": "w"}, False, id="one equal"),
    pytest.param("x", {"y": "z"}, False, id="exists, absent"),
    pytest.param("!x", {"x": "z"}, False, id="does not exist, present"),
    pytest.param("x>1", {"x": "0"}, False, id="not greater"),
    pytest.param("x<1", {"x": "2"}, False, id="not less"),
    pytest.param("z>1", {"z": "v2"}, False, id="gt on a non-integer value"),
    pytest.param("x!=a", {}, True, id="not equals holds when the key is absent"),
    pytest.param("x notin (),y", {"y": ""}, True, id="notin empty with y exists"),
    pytest.param("x in ()", {"y": "baz"}, False, id="in empty value, key absent"),
    pytest.param("foo=bar,foobar=bar,baz=blah", {"foo": "bar", "baz": "blah"}, False, id="missing key"),
])
def test_matches(text, labels, match):
    assert string_selects(parse_selector_string(text), labels) is match


@pytest.mark.parametrize(("text", "selector"), [
    pytest.param("app=web", {"matchLabels": {"app": "web"}}, id="equality is matchLabels"),
    pytest.param("tier in (a,b),!canary,x!=y,z",
                 {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                       {"key": "canary", "operator": "DoesNotExist"},
                                       {"key": "x", "operator": "NotIn", "values": ["y"]},
                                       {"key": "z", "operator": "Exists"}]}, id="expressions"),
    pytest.param("", {}, id="empty selects everything"),
])
def test_as_label_selector(text, selector):
    assert as_label_selector(parse_selector_string(text)) == selector


def test_gt_has_no_label_selector_form():
    with pytest.raises(SelectorSyntaxError, match="no LabelSelector form"):
        as_label_selector(parse_selector_string("x>1"))
