"""IP address parsing, Kubernetes' two rule sets, each named for where it applies.

- `parse_ip_strict`: what API-server validation accepts (validation.IsValidIP since v1.30
  parses with netip: no IPv6 zones, no IPv4 octets with leading zeros;
  staging/src/k8s.io/apimachinery/pkg/util/validation/ip.go).
- `parse_ip_sloppy`: what components read at run time (k8s.io/utils/net ParseIPSloppy, as
  kube-proxy and the EndpointSlice controller do): IPv4 octets may carry leading zeros.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip_strict(value: str) -> IPAddress | None:
    """An IP as validation parses it: IPv6 zones ("fe80::1%eth0") and IPv4 octets with leading
    zeros ("010.0.0.1") are not IP addresses."""
    if not isinstance(value, str) or "%" in value:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)  # addresses repeat across Services and traces; results are immutable
def parse_ip_sloppy(text: str | None) -> IPAddress | None:
    """utilnet.ParseIPSloppy: like net.ParseIP, but IPv4 octets may carry leading zeros."""
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) < 256 for p in parts):
        return ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
    return None
