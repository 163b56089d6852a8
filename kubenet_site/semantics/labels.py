"""Label selectors: Service equality maps and metav1.LabelSelector.

Source: apimachinery `pkg/labels/selector.go` (Requirement.Matches) and
`pkg/apis/meta/v1/helpers.go` (LabelSelectorAsSelector).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fielderrors import is_qualified_name, is_valid_label_value
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


# --- kubectl's `-l` syntax -------------------------------------------------------------------
# Source: apimachinery `pkg/labels/selector.go` (Lexer, Parser.parse, parseRequirement,
# parseKeyAndInferOperator, parseValues, parseExactValue, NewRequirement) and the operators of
# `pkg/selection/operator.go`. Requirements keep apimachinery's operator spelling so a
# selector can be turned back into the form it was written in.
EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
SET_IN, SET_NOT_IN, SET_EXISTS, SET_DOES_NOT_EXIST = "in", "notin", "exists", "!"
GREATER_THAN, LESS_THAN = "gt", "lt"

_SPECIAL = {"=": "=", "==": "==", "!=": "!=", "!": "!", "(": "(", ")": ")", ",": ",", ">": "gt", "<": "lt"}
_IDENT, _EOS = "identifier", "end of string"


class SelectorSyntaxError(ValueError):
    """A label selector string kubectl would refuse; the message is apimachinery's."""


def _lex(text: str) -> list[tuple[str, str]]:
    """Tokens as (token, literal); Lexer.Lex: the longest special symbol wins, whitespace
    separates, anything else up to a special symbol or whitespace is an identifier."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text[i:i + 2] in _SPECIAL:
            tokens.append((_SPECIAL[text[i:i + 2]], text[i:i + 2]))
            i += 2
        elif ch in _SPECIAL:
            tokens.append((_SPECIAL[ch], ch))
            i += 1
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in "=!(),><":
                i += 1
            word = text[start:i]
            tokens.append((word if word in (SET_IN, SET_NOT_IN) else _IDENT, word))
    tokens.append((_EOS, ""))
    return tokens


class _SelectorParser:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.pos = 0

    def peek(self, values: bool = False) -> tuple[str, str]:
        tok, lit = self.tokens[self.pos]
        # In the Values context the words `in` and `notin` are plain identifiers (Parser.lookahead).
        return (_IDENT, lit) if values and tok in (SET_IN, SET_NOT_IN) else (tok, lit)

    def take(self, values: bool = False) -> tuple[str, str]:
        item = self.peek(values)
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return item

    def parse(self) -> tuple[Requirement, ...]:
        out: list[Requirement] = []
        while True:
            tok, lit = self.peek(values=True)
            if tok == _EOS and not out:
                return ()
            if tok not in (_IDENT, SET_DOES_NOT_EXIST):
                raise SelectorSyntaxError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            out.append(self.requirement())
            tok, lit = self.take(values=True)
            if tok == _EOS:
                return tuple(out)
            if tok != ",":
                raise SelectorSyntaxError(f"found '{lit}', expected: ',' or 'end of string'")
            nxt, lit = self.peek(values=True)
            if nxt not in (_IDENT, SET_DOES_NOT_EXIST):
                raise SelectorSyntaxError(f"found '{lit}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        operator = ""
        tok, key = self.take(values=True)
        if tok == SET_DOES_NOT_EXIST:
            operator = SET_DOES_NOT_EXIST
            tok, key = self.take(values=True)
        if tok != _IDENT:
            raise SelectorSyntaxError(f"found '{key}', expected: identifier")
        _check_key(key)
        if operator or self.peek(values=True)[0] in (_EOS, ","):
            return Requirement(key, operator or SET_EXISTS)
        tok, lit = self.take()
        if tok in (SET_IN, SET_NOT_IN):
            return _new_requirement(key, tok, self.set_values())
        if tok in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN):
            return _new_requirement(key, tok, self.exact_value())
        raise SelectorSyntaxError(f"found '{lit}', expected: '=', '!=', '==', 'in', notin'")

    def set_values(self) -> tuple[str, ...]:
        """`( a, b )`: a possibly empty list of possibly empty identifiers (parseValues)."""
        tok, lit = self.take()
        if tok != "(":
            raise SelectorSyntaxError(f"found '{lit}' expected: '('")
        values: set[str] = set()
        expect_value = True
        while True:
            tok, lit = self.take(values=True)
            if tok == _IDENT and expect_value:
                values.add(lit)
                expect_value = False
            elif tok == ",":
                if expect_value:
                    values.add("")  # "(," and ",,": an empty value
                expect_value = True
            elif tok == ")":
                if expect_value:
                    values.add("")  # "()" and ",)"
                return tuple(sorted(values))
            else:
                raise SelectorSyntaxError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> tuple[str, ...]:
        """The one value after `=`, `==`, `!=`, `>`, `<`; empty before `,` or the end."""
        tok, lit = self.peek(values=True)
        if tok in (_EOS, ","):
            return ("",)
        tok, lit = self.take(values=True)
        if tok != _IDENT:
            raise SelectorSyntaxError(f"found '{lit}', expected: identifier")
        return (lit,)


def _check_key(key: str) -> None:
    errs = is_qualified_name(key)  # validateLabelKey
    if errs:
        raise SelectorSyntaxError(f"key: Invalid value: {key!r}: {'; '.join(errs)}")


def _new_requirement(key: str, operator: str, values: tuple[str, ...]) -> Requirement:
    # NewRequirement: gt/lt take one integer value; every other value is a label value.
    for value in values:
        if operator in (GREATER_THAN, LESS_THAN):
            try:
                int(value)
            except ValueError:
                raise SelectorSyntaxError(
                    f"values[0]: Invalid value: {value!r}: for 'Gt', 'Lt' operators, the value must be an integer"
                ) from None
        elif errs := is_valid_label_value(value):
            raise SelectorSyntaxError(f"values: Invalid value: {value!r}: {'; '.join(errs)}")
    return Requirement(key, operator, values)


def parse_selector_string(text: str) -> tuple[Requirement, ...]:
    """kubectl's `-l` selector (`app=web,tier in (a,b),!canary`) as its requirements, ANDed.
    An empty string selects everything. Raises SelectorSyntaxError."""
    return _SelectorParser(text).parse()


def requirement_selects(req: Requirement, labels: Labels) -> bool:
    """Requirement.Matches of selector.go, for every operator of the `-l` syntax."""
    op, value = req.operator, labels.get(req.key)
    if op in (EQUALS, DOUBLE_EQUALS, SET_IN):
        return value is not None and value in req.values
    if op in (NOT_EQUALS, SET_NOT_IN):
        return value is None or value not in req.values
    if op == SET_EXISTS:
        return value is not None
    if op == SET_DOES_NOT_EXIST:
        return value is None
    if op in (GREATER_THAN, LESS_THAN):
        try:  # a label value that is not an integer never matches
            have, want = int(value or ""), int(req.values[0])
        except ValueError:
            return False
        return have > want if op == GREATER_THAN else have < want
    raise ValueError(f"unknown selector operator {op!r}")


def string_selects(requirements: tuple[Requirement, ...], labels: Labels) -> bool:
    return all(requirement_selects(r, labels) for r in requirements)


def as_label_selector(requirements: tuple[Requirement, ...]) -> dict[str, Any]:
    """The metav1.LabelSelector JSON a `-l` string stands for (`=`/`==` into matchLabels,
    `!=` as NotIn); `>` and `<` have no LabelSelector form (metav1 operators: In, NotIn,
    Exists, DoesNotExist). Raises SelectorSyntaxError."""
    match_labels: dict[str, str] = {}
    exprs: list[dict[str, Any]] = []
    spelled = {SET_IN: IN, SET_NOT_IN: NOT_IN, NOT_EQUALS: NOT_IN, SET_EXISTS: EXISTS, SET_DOES_NOT_EXIST: DOES_NOT_EXIST}
    for r in requirements:
        if r.operator in (EQUALS, DOUBLE_EQUALS) and r.key not in match_labels:
            match_labels[r.key] = r.values[0]
        elif r.operator in (EQUALS, DOUBLE_EQUALS):
            exprs.append({"key": r.key, "operator": IN, "values": list(r.values)})
        elif r.operator in spelled:
            expr: dict[str, Any] = {"key": r.key, "operator": spelled[r.operator]}
            if r.operator not in (SET_EXISTS, SET_DOES_NOT_EXIST):
                expr["values"] = list(r.values)
            exprs.append(expr)
        else:
            raise SelectorSyntaxError(f"{r.key}: operator '{r.operator}' has no LabelSelector form (use in, notin, =, !=)")
    out: dict[str, Any] = {}
    if match_labels:
        out["matchLabels"] = match_labels
    if exprs:
        out["matchExpressions"] = exprs
    return out
