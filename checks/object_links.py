"""Names in answers -> the pages of the objects they name (`/t/<team>/<topology>/<kind>/<ns>/<name>/`).

Answers name pods and Services `ns/name`, nodes by name, and backends `ip:port`; the tool,
run and diagram pages link each to its object's page through one ObjectLinks per request.
"""

from __future__ import annotations

from django.utils.html import format_html

from kubenet_site.semantics.types import Snapshot
from services.kinds import url_of
from services.models import Topology


def pods_by_ip(snap: Snapshot) -> dict[str, str]:
    """Pod IP -> `ns/name` (host-network pods share their node's address: left out)."""
    return {ip: p.key for p in snap.pods if not p.host_network for ip in p.pod_ips}


def pod_at(index: dict[str, str], address: str) -> str:
    """The pod holding `ip` or `ip:port` (`[v6]:port` too), else ""."""
    host = address
    if address.startswith("["):
        host = address[1:].split("]", 1)[0]
    elif address.count(":") == 1:
        host = address.split(":", 1)[0]
    return index.get(host, "")


class ObjectLinks:
    def __init__(self, topology: Topology, snap: Snapshot) -> None:
        self.topology = topology
        self.pod_by_ip = pods_by_ip(snap)

    def url(self, kind: str, key: str) -> str:
        """The page of `Kind` `ns/name` (cluster-scoped: `name`); "" when it has none."""
        return url_of(self.topology, f"{kind}/{key}") if key else ""

    def link(self, kind: str, key: str) -> str:
        url = self.url(kind, key)
        return format_html('<a href="{}"><code>{}</code></a>', url, key) if url else format_html("<code>{}</code>", key)

    def pod_of(self, address: str) -> str:
        return pod_at(self.pod_by_ip, address)

    def address(self, address: str) -> str:
        """`ip:port`, followed by a link to the pod behind it when there is one."""
        pod = self.pod_of(address)
        if not pod:
            return format_html("<code>{}</code>", address)
        return format_html('<code>{}</code> (<a href="{}">{}</a>)', address, self.url("Pod", pod), pod)

    def target(self, text: str) -> str:
        """A query's `from`/`to`: `ns/pod`, `svc:ns/name:port/PROTO`, `lb:...`, `node:...` or an IP."""
        for prefix, kind in (("svc:", "Service"), ("lb:", "Service")):
            if text.startswith(prefix):
                key = text[len(prefix):].split(":", 1)[0]
                return format_html('<a href="{}"><code>{}</code></a>', self.url(kind, key), text)
        if text.startswith("node:"):
            node = text[5:].split(":", 1)[0]
            return format_html('<a href="{}"><code>{}</code></a>', self.url("Node", node), text)
        if text.count("/") == 1 and ":" not in text:
            return self.link("Pod", text)
        return self.address(text)
