"""Field errors as the API server prints them, and the apimachinery string validators.

Sources: apimachinery `pkg/util/validation/field/errors.go` (ErrorBody: "Invalid value: 80: ...",
"Required value", "Forbidden: ...", "Duplicate value: ...", "Unsupported value: ...") and
`pkg/util/validation/validation.go` (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label,
IsQualifiedName, IsValidLabelValue, IsValidPortNum, IsValidPortName, IsValidIP, IsValidCIDR,
IsWildcardDNS1123Subdomain), messages copied literally.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from .ipaddr import parse_ip_strict

INVALID, REQUIRED, FORBIDDEN, DUPLICATE, NOT_SUPPORTED, TOO_LONG, TOO_MANY = (
    "Invalid value", "Required value", "Forbidden", "Duplicate value", "Unsupported value",
    "Too long", "Too many",
)

_NO_VALUE = object()


class GoLiteral(str):
    """A bad value already in Go's %#v form (printed as is): `[]networking.IngressRule(nil)`."""


def go_repr(value: Any) -> str:
    """A bad value the way field.Error prints it: %q for strings, %v for numbers, %#v else."""
    if isinstance(value, GoLiteral):
        return str(value)
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        if all(isinstance(v, str) for v in value):
            return "[]string{" + ", ".join(go_repr(v) for v in value) + "}"
        return "[]interface {}{" + ", ".join(go_repr(v) for v in value) + "}"
    if isinstance(value, dict):
        return "map[string]interface {}{" + ", ".join(f"{go_repr(k)}:{go_repr(v)}" for k, v in value.items()) + "}"
    return str(value)


@dataclass(frozen=True)
class FieldError:
    """One field.Error: `path` as the API server prints it, `message` its ErrorBody."""

    path: str
    type: str
    detail: str = ""
    value: Any = _NO_VALUE
    code: str = ""  # a refusal code of the catalogue; "" derives one (refusals.refusal_code)

    @property
    def message(self) -> str:
        # errors.go ErrorBody: Required/Forbidden/TooLong/Internal print no value.
        if self.type in (REQUIRED, FORBIDDEN, TOO_LONG) or self.value is _NO_VALUE:
            body = self.type
        else:
            body = f"{self.type}: {go_repr(self.value)}"
        return f"{body}: {self.detail}" if self.detail else body


def invalid(path: str, value: Any, detail: str, code: str = "") -> FieldError:
    return FieldError(path, INVALID, detail, value, code)


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(path, REQUIRED, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(path, FORBIDDEN, detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError(path, DUPLICATE, "", value)


def not_supported(path: str, value: Any, supported: list[str] | tuple[str, ...]) -> FieldError:
    detail = "supported values: " + ", ".join(go_repr(s) for s in supported)
    return FieldError(path, NOT_SUPPORTED, detail, value)


# --- apimachinery pkg/util/validation/validation.go ---------------------------------------------

def regex_error(msg: str, fmt: str, *examples: str) -> str:
    # validation.go RegexError: note the double space it produces between examples.
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    out = msg + " (e.g. "
    for i, ex in enumerate(examples):
        if i > 0:
            out += " or "
        out += "'" + ex + "', "
    return out + "regex used for validation is '" + fmt + "')"


def max_len_error(n: int) -> str:
    return f"must be no more than {n} characters"


DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_ERR = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                     "and must start and end with an alphanumeric character")
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_ERR = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                         "'-' or '.', and must start and end with an alphanumeric character")
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_ERR = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                     "an alphabetic character, and end with an alphanumeric character")
WILDCARD_FMT = "\\*\\." + DNS1123_SUBDOMAIN_FMT
WILDCARD_ERR = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
                "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                "alphanumeric character")
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_ERR = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                      "with an alphanumeric character")
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
LABEL_VALUE_ERR = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                   "or '.', and must start and end with an alphanumeric character")

_RE = {k: re.compile("^" + v + "$") for k, v in {
    "dns1123label": DNS1123_LABEL_FMT, "dns1123sub": DNS1123_SUBDOMAIN_FMT, "dns1035": DNS1035_LABEL_FMT,
    "wildcard": WILDCARD_FMT, "qualified": QUALIFIED_NAME_FMT, "labelvalue": LABEL_VALUE_FMT,
}.items()}


def is_dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _RE["dns1123label"].match(value):
        errs.append(regex_error(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _RE["dns1123sub"].match(value):
        errs.append(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


DNS1123_LABEL_FMT_UNDERSCORE = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT_UNDERSCORE = DNS1123_LABEL_FMT_UNDERSCORE + "(\\." + DNS1123_LABEL_FMT_UNDERSCORE + ")*"
DNS1123_SUBDOMAIN_ERR_UNDERSCORE = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                    "characters, '_', '-' or '.', and must start and end with an alphanumeric "
                                    "character")
_RE_SUB_UNDERSCORE = re.compile("^" + DNS1123_SUBDOMAIN_FMT_UNDERSCORE + "$")


def is_dns1123_subdomain_with_underscore(value: str) -> list[str]:
    """validation.go IsDNS1123SubdomainWithUnderscore (pod DNS searches, RelaxedDNSSearchValidation)."""
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _RE_SUB_UNDERSCORE.match(value):
        errs.append(regex_error(DNS1123_SUBDOMAIN_ERR_UNDERSCORE, DNS1123_SUBDOMAIN_FMT_UNDERSCORE, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _RE["dns1035"].match(value):
        errs.append(regex_error(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def is_wildcard_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _RE["wildcard"].match(value):
        errs.append(regex_error(WILDCARD_ERR, WILDCARD_FMT, "*.example.com"))
    return errs


def is_qualified_name(value: str) -> list[str]:
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return ["a qualified name " + regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name",
                                                  "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _RE["qualified"].match(name):
        errs.append("name part " + regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name",
                                               "123-abc"))
    return errs


def is_valid_label_value(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _RE["labelvalue"].match(value):
        errs.append(regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


PORT_RANGE_MSG = "must be between 1 and 65535, inclusive"


def is_valid_port_num(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else [PORT_RANGE_MSG]


_PORT_NAME_CHARSET = re.compile("^[-a-z0-9]+$")
_PORT_NAME_LETTER = re.compile("[a-z]")


def is_valid_port_name(port: str) -> list[str]:
    """IANA_SVC_NAME (RFC 6335): validation.go IsValidPortName."""
    errs = []
    if len(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.match(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def parse_cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """net.ParseCIDR: host bits may be set ("10.0.0.1/24" is accepted and means 10.0.0.0/24)."""
    if "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def is_valid_ip(path: str, value: str) -> list[FieldError]:
    return [] if parse_ip_strict(value) is not None else [invalid(path, value, IP_MSG)]


def is_valid_cidr(path: str, value: str) -> list[FieldError]:
    return [] if parse_cidr(value) is not None else [invalid(path, value, CIDR_MSG)]


def too_many(path: str, actual: int, maximum: int) -> FieldError:
    """field.TooMany: "Too many: 101: must have at most 100 items"."""
    return FieldError(path, TOO_MANY, f"must have at most {maximum} {'item' if maximum == 1 else 'items'}", actual)


def too_long(path: str, maximum: int) -> FieldError:
    """field.TooLong: the value is never printed ("Too long: may not be more than 250 bytes")."""
    return FieldError(path, TOO_LONG, f"may not be more than {maximum} {'byte' if maximum == 1 else 'bytes'}")


def is_valid_ipv4_address(path: str, value: str) -> list[FieldError]:
    """validation.go IsValidIPv4Address."""
    ip = parse_ip_strict(value)
    return [] if ip is not None and ip.version == 4 else [invalid(path, value, "must be a valid IPv4 address")]


def is_valid_ipv6_address(path: str, value: str) -> list[FieldError]:
    """validation.go IsValidIPv6Address."""
    ip = parse_ip_strict(value)
    return [] if ip is not None and ip.version == 6 else [invalid(path, value, "must be a valid IPv6 address")]


def is_fully_qualified_domain_name(path: str, name: str) -> list[FieldError]:
    """validation.go IsFullyQualifiedDomainName: a DNS-1123 subdomain of two labels or more."""
    if not name:
        return [required(path)]
    name = name.removesuffix(".")
    errs = is_dns1123_subdomain(name)
    if errs:
        return [invalid(path, name, ",".join(errs))]
    labels = name.split(".")
    if len(labels) < 2:
        return [invalid(path, name, "should be a domain with at least two segments separated by dots")]
    for label in labels:
        errs = is_dns1123_label(label)
        if errs:
            return [invalid(path, label, ",".join(errs))]
    return []


def is_path_segment_name(name: str) -> list[str]:
    """apimachinery api/validate/content IsPathSegmentName (formerly path.IsValidPathSegmentName)."""
    for bad in (".", ".."):
        if name == bad:
            return [f"may not be '{bad}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"
_HTTP_PATH_RE = re.compile("^" + HTTP_PATH_FMT + "$")


def is_domain_prefixed_path(path: str, value: str) -> list[FieldError]:
    """validation.go IsDomainPrefixedPath."""
    if not value:
        return [required(path)]
    host, sep, rest = value.partition("/")
    if not sep or not host or not rest:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    errs = [invalid(path, host, m) for m in is_dns1123_subdomain(host)]
    if not _HTTP_PATH_RE.match(rest):
        errs.append(invalid(path, rest, regex_error("Invalid path", HTTP_PATH_FMT)))
    return errs


def name_errors(path: str, value: str, check) -> list[FieldError]:
    return [invalid(path, value, m) for m in check(value)]
