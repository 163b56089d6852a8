"""A fingerprint of the engine's answers: sha256 per area, compared to a committed golden file.

Refactors of kubenet_site/semantics must not change any answer. Each area hashes canonical
JSON of the answers over two clusters: the demo (demo/demo.yaml) and the synthetic 2,000-pod
cluster (semantics/synthetic.py, seed 0). Regenerate ONLY when a change of answers is meant:

    .venv/bin/python -m tests.layout.fingerprint --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kubenet_site.semantics import diagnostics, dns, envvars, matrix, query, synthetic
from kubenet_site.semantics.manifests import build_snapshot, export_yaml, load_documents
from kubenet_site.semantics.types import QueryError, Snapshot

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"
GOLDEN = Path(__file__).with_name("fingerprint.json")
SERVICE_TYPES = ("clusterip", "nodeport", "loadbalancer", "externalname", "ingress")
POD_PORTS: tuple[int | str, ...] = (80, 8080, 5432, "http")
SAMPLE = 40  # synthetic pods / Services sampled for the per-pod answers


def _sha(items: Iterable[Any]) -> str:
    h = hashlib.sha256()
    for item in items:
        h.update(json.dumps(item, sort_keys=True, default=str).encode())
        h.update(b"\n")
    return h.hexdigest()


def _safe(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except QueryError as exc:
        return {"error": str(exc)}


def _matrices(snap: Snapshot) -> Iterable[Any]:
    for kind in SERVICE_TYPES:
        m = matrix.service_matrix(snap, kind, protocol=None)
        yield kind, m.to_dict(page_size=len(m.rows) or 1)
    for port in POD_PORTS:
        m = matrix.pod_matrix(snap, port)
        yield f"pods:{port}", m.to_dict(page_size=len(m.rows) or 1)


def _names(snap: Snapshot, services: int) -> list[str]:
    d = snap.cluster.domain
    out = []
    for s in snap.services[:services]:
        out += [f"{s.name}.{s.namespace}.svc.{d}", s.name, f"{s.name}.{s.namespace}"]
        if s.ports and s.ports[0].name:
            out.append(f"_{s.ports[0].name}._{s.ports[0].protocol.lower()}.{s.name}.{s.namespace}.svc.{d}")
    for p in snap.pods[:services]:
        if p.ip:
            out.append(p.ip)
    return out


def _dns(snap: Snapshot, pods: int, services: int) -> Iterable[Any]:
    names = _names(snap, services)
    for p in snap.pods[:pods]:
        q = {"from": p.key}
        yield p.key, "resolv", _safe(lambda q=q: dns.answer_dns(snap, {**q, "type": "resolv.conf"}))
        for name in names:
            for qtype in ("A", "AAAA", "SRV", "PTR") if name[0] in "_0123456789" or ":" in name else ("A",):
                yield p.key, name, qtype, _safe(lambda n=name, t=qtype, q=q: dns.answer_dns(
                    snap, {**q, "name": n, "type": t}))


def _env(snap: Snapshot, pods: int) -> Iterable[Any]:
    for p in snap.pods[:pods]:
        for c in tuple(p.containers) + tuple(p.init_containers):
            yield p.key, c.name, _safe(lambda p=p, c=c: envvars.answer_env(snap, {"pod": p.key, "container": c.name}))


def _findings(snap: Snapshot) -> Iterable[Any]:
    return [d.as_dict() for d in diagnostics.diagnose(snap)]


def _demo_query(text: str, snap: Snapshot) -> dict[str, Any]:
    pods = [p.key for p in snap.pods]
    svcs = [s for s in snap.services if s.ports]
    queries: list[Any] = [{"kind": "validate"}]
    for p in pods[:6]:
        queries += [{"kind": "dns", "from": p, "name": svcs[0].name}, {"kind": "env", "pod": p}]
        for s in svcs[:8]:
            sp = s.ports[0]
            queries += [{"kind": "connect", "from": p, "to": f"svc:{s.key}:{sp.port}", "port": sp.port},
                        {"kind": "route", "from": p, "to": f"svc:{s.key}:{sp.port}/{sp.protocol}"}]
        for q in pods[:6]:
            queries.append({"kind": "connect", "from": p, "to": q, "port": 8080})
    for n in snap.nodes:
        s = svcs[1]
        queries.append({"kind": "route", "from": "external", "to": f"node:{n.name}:{s.ports[0].port}/TCP"})
    for s in snap.services:
        queries += [{"kind": "endpoints", "service": s.key}, {"kind": "select", "service": s.key}]
    for port in (80, 8080, "http"):
        queries.append({"kind": "reachability", "pods": pods, "port": port})
    for host, path in (("shop.example.com", "/api"), ("status.example.com", "/healthz"), ("x.example", "/")):
        queries.append({"kind": "ingress-route", "request": {"host": host, "path": path, "scheme": "https"}})
    queries.append({"kind": "nope"})
    return query.run({"manifests": text, "queries": queries})


def compute() -> dict[str, str]:
    text = DEMO.read_text()
    build = build_snapshot(load_documents(text))
    demo = build.snapshot
    syn = synthetic.generate(2000, seed=0)
    return {
        "demo.build": _sha([[d.as_dict() for d in build.errors], [d.as_dict() for d in build.warnings],
                            build.summary, export_yaml(build)]),
        "demo.matrices": _sha(_matrices(demo)),
        "demo.dns": _sha(_dns(demo, len(demo.pods), len(demo.services))),
        "demo.env": _sha(_env(demo, len(demo.pods))),
        "demo.findings": _sha(_findings(demo)),
        "demo.query": _sha([_demo_query(text, demo)]),
        "synthetic.matrices": _sha(_matrices(syn)),
        "synthetic.dns": _sha(_dns(syn, SAMPLE // 4, SAMPLE)),
        "synthetic.env": _sha(_env(syn, SAMPLE)),
        "synthetic.findings": _sha(_findings(syn)),
    }


def main(argv: list[str]) -> int:
    got = compute()
    if "--write" in argv:
        GOLDEN.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN}")
    else:
        print(json.dumps(got, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
