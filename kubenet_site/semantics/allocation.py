"""Service cluster IP and node port allocation, made deterministic.

Upstream (pkg/registry/core/service/ipallocator and portallocator, KEP-3070 / KEP-3668) splits
each range into a static lower band and a dynamic upper band: dynamic allocation takes the
upper band first, then the lower one, so explicit values in the lower band rarely collide.
IP band offset = min(max(16, size/16), 256) addresses after the network address
(kubernetes/website concepts/services-networking/cluster-ip-allocation.md); node port band
offset = min(max(16, size/32), 128). Upstream picks at random inside the band; kubenet takes
the lowest free value, so the same document always gets the same answer. Addresses and ports
named explicitly anywhere in the document are reserved up front, so an explicit value of a
later object never collides with an allocated one.
Error texts: ipallocator ErrNotInRange / ErrAllocated, portallocator ErrNotInRange / ErrAllocated.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


class AllocationError(Exception):
    """`reason` names the allocator's error (registry/core/service ipallocator and portallocator:
    ErrNotInRange, ErrAllocated, ErrFull) as "out-of-range", "taken" or "full"."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def family_of(ip: IPAddr) -> str:
    return "IPv4" if ip.version == 4 else "IPv6"


def ip_band_offset(net: IPNetwork) -> int:
    """ipallocator calculateRangeOffset: min(max(16, cidrSize/16), 256); 0 for tiny ranges."""
    size = net.num_addresses
    if size <= 16:
        return 0
    return max(16, min(size // 16, 256))


class ClusterIPAllocator:
    """One service CIDR (one IP family)."""

    def __init__(self, cidr: str, reserved: Iterable[str] = ()) -> None:
        self.net: IPNetwork = ipaddress.ip_network(cidr, strict=False)
        self.family = "IPv4" if self.net.version == 4 else "IPv6"
        self.taken: set[IPAddr] = set()
        self.reserved: set[IPAddr] = set()
        for r in reserved:
            try:
                self.reserved.add(ipaddress.ip_address(r))
            except ValueError:
                continue
        first = int(self.net.network_address) + 1
        # IPv4 loses the network and broadcast addresses; IPv6 only the subnet-router anycast.
        last = int(self.net.broadcast_address) - (1 if self.net.version == 4 else 0)
        self.first, self.last = first, last
        self.offset = ip_band_offset(self.net)
        self.split = min(self.first + self.offset, self.last + 1)
        self._pos = 0  # scanning resumes here: everything before it is taken or reserved

    def contains(self, ip: IPAddr) -> bool:
        return ip.version == self.net.version and self.first <= int(ip) <= self.last

    def allocate(self, text: str) -> str:
        ip = ipaddress.ip_address(text)
        if not self.contains(ip):
            raise AllocationError(
                f"provided IP is not in the valid range. The range of valid IPs is {self.net.with_prefixlen}",
                "out-of-range")
        if ip in self.taken:
            raise AllocationError("provided IP is already allocated", "taken")
        self.taken.add(ip)
        return str(ip)

    def _order(self, n: int) -> int:
        """Position of address n in allocation order: the dynamic (upper) band, then the static one."""
        return n - self.split if n >= self.split else (self.last + 1 - self.split) + (n - self.first)

    def _at(self, pos: int) -> int:
        upper = self.last + 1 - self.split
        return self.split + pos if pos < upper else self.first + (pos - upper)

    def allocate_next(self) -> str:
        cls = type(self.net.network_address)
        total = self.last - self.first + 1
        while self._pos < total:
            ip = cls(self._at(self._pos))
            self._pos += 1
            if ip not in self.taken and ip not in self.reserved:
                self.taken.add(ip)
                return str(ip)
        raise AllocationError("range is full", "full")

    def release(self, ip: IPAddr) -> None:
        self.taken.discard(ip)
        if self.contains(ip):
            self._pos = min(self._pos, self._order(int(ip)))


def port_band_offset(size: int) -> int:
    """portallocator calculateRangeOffset: min(max(16, size/32), 128); 0 for tiny ranges."""
    if size <= 16:
        return 0
    return max(16, min(size // 32, 128))


class NodePortAllocator:
    """The cluster's one node port range: a port is taken whatever its protocol."""

    def __init__(self, lo: int, hi: int, reserved: Iterable[int] = ()) -> None:
        self.lo, self.hi = lo, hi
        self.taken: set[int] = set()
        self.reserved = set(reserved)
        self.offset = port_band_offset(hi - lo + 1)
        self.split = lo + self.offset
        self._pos = 0

    def allocate(self, port: int) -> int:
        if not self.lo <= port <= self.hi:
            raise AllocationError(
                f"provided port is not in the valid range. The range of valid ports is {self.lo}-{self.hi}",
                "out-of-range")
        if port in self.taken:
            raise AllocationError("provided port is already allocated", "taken")
        self.taken.add(port)
        return port

    def _at(self, pos: int) -> int:
        upper = self.hi + 1 - self.split
        return self.split + pos if pos < upper else self.lo + (pos - upper)

    def allocate_next(self) -> int:
        total = self.hi - self.lo + 1
        while self._pos < total:
            p = self._at(self._pos)
            self._pos += 1
            if p not in self.taken and p not in self.reserved:
                self.taken.add(p)
                return p
        raise AllocationError("range is full", "full")

    def release(self, port: int) -> None:
        self.taken.discard(port)
        if self.lo <= port <= self.hi:
            pos = port - self.split if port >= self.split else (self.hi + 1 - self.split) + (port - self.lo)
            self._pos = min(self._pos, pos)


class Allocators:
    """Transactional use: `begin()`, allocate, then `commit()` or `rollback()` (the API server
    releases what it allocated for an object that is then refused)."""

    def __init__(self, service_cidrs: Iterable[str], node_ports: tuple[int, int],
                 reserved_ips: Iterable[str] = (), reserved_ports: Iterable[int] = ()) -> None:
        reserved_ips = list(reserved_ips)
        self.ip: dict[str, ClusterIPAllocator] = {}
        for cidr in service_cidrs:
            a = ClusterIPAllocator(cidr, reserved_ips)
            self.ip.setdefault(a.family, a)
        self.default_family = next(iter(self.ip)) if self.ip else "IPv4"
        self.ports = NodePortAllocator(node_ports[0], node_ports[1], reserved_ports)
        self._ips: list[tuple[str, IPAddr]] = []
        self._ports: list[int] = []

    def begin(self) -> None:
        self._ips, self._ports = [], []

    def allocate_ip(self, family: str, text: str | None) -> str:
        alloc = self.ip[family]
        got = alloc.allocate(text) if text else alloc.allocate_next()
        self._ips.append((family, ipaddress.ip_address(got)))
        return got

    def allocate_port(self, port: int | None) -> int:
        got = self.ports.allocate(port) if port else self.ports.allocate_next()
        self._ports.append(got)
        return got

    def rollback(self) -> None:
        for family, ip in self._ips:
            self.ip[family].release(ip)
        for p in self._ports:
            self.ports.release(p)
        self.begin()

    def commit(self) -> None:
        self.begin()
