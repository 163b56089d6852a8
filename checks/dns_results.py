"""The DNS step's stored form: small at any size (issue 19: no step over 16 MB at 10,000 pods).

Every class of pods resolving alike (checks.kinds.dns_classes) asks every name form of every
Service: at 10,000 pods that is about 1.6 million answers, most of them equal (a Service's
name answers the same from every namespace). Stored (encoding `forms`):

    {"encoding": "forms", "domain": "cluster.local", "services": ["ns/name", ...],
     "answers": [{"rcode", "fqdn", "answers", ["error"]}, ...],          # each distinct once
     "classes": {"<first pod>": {"pods": [...], "namespace": "ns", "cells": "3*0,1,..."}}}

A class's names are dnsnames.name_forms(services, namespace, domain), in order; `cells` holds
the index of each one's answer, run-length encoded (matrix_result.encode_row). `names_of`
gives back {class: {name: answer}}.
"""

from __future__ import annotations

import json
from typing import Any

from kubenet_site.semantics import dns
from kubenet_site.semantics.dnsnames import name_forms, service_name_forms
from kubenet_site.semantics.matrix_result import decode_row, encode_row, row_runs
from kubenet_site.semantics.types import Snapshot

ENCODING = "forms"


def meta(snap: Snapshot) -> dict[str, Any]:
    return {"domain": snap.cluster.domain.rstrip("."), "services": [s.key for s in snap.services]}


def class_entry(snap: Snapshot, pods: list[Any]) -> dict[str, Any]:
    """One class: every name form resolved from its first pod (dns.brief_answers), the answers
    it uses (each once) and the index of each name's answer."""
    rep = pods[0]
    table: list[dict[str, Any]] = []
    refs = []
    seen_t: dict[tuple[Any, ...], int] = {}
    for a in dns.brief_answers(snap, rep, service_name_forms(snap, rep.namespace)):  # plain JSON values
        key = (a.get("rcode"), a.get("fqdn"), tuple(a.get("answers", [])), a.get("error"), "error" in a)
        i = seen_t.get(key)
        if i is None:
            i = seen_t[key] = len(table)
            table.append({"rcode": a.get("rcode"), "fqdn": a.get("fqdn"), "answers": list(a.get("answers", [])),
                          **({"error": a["error"]} if "error" in a else {})})
        refs.append(i)
    return {"pods": [p.key for p in pods], "namespace": rep.namespace, "answers": table, "cells": encode_row(refs)}


def join(head: dict[str, Any], entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Classes (class_entry, each with its own answers) -> the stored form, one answer table."""
    table: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    classes = {}
    for key in sorted(entries):
        entry = entries[key]
        remap = []
        for a in entry["answers"]:
            k = json.dumps(a, sort_keys=True)
            i = seen.get(k)
            if i is None:
                i = seen[k] = len(table)
                table.append(a)
            remap.append(i)
        classes[key] = {"pods": entry["pods"], "namespace": entry["namespace"],
                        "cells": encode_row([remap[i] for i in decode_row(entry["cells"])])}
    return {"encoding": ENCODING, **head, "answers": table, "classes": classes}


def merge(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """Blocks ({"meta", "classes": {key: class_entry}}) -> the stored form."""
    entries: dict[str, dict[str, Any]] = {}
    for b in blocks:
        entries.update(b["classes"])
    return join(blocks[0]["meta"] if blocks else {"domain": "", "services": []}, entries)


def names_of(value: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """{class: {name: answer}}, the stored form read back."""
    services = [tuple(k.split("/", 1)) for k in value["services"]]
    out = {}
    for key, c in value["classes"].items():
        forms = name_forms(services, c["namespace"], value["domain"])
        out[key] = {n: value["answers"][i] for n, i in zip(forms, decode_row(c["cells"]), strict=True)}
    return out


def counts(value: dict[str, Any]) -> tuple[int, int]:
    """(names resolved, names without an answer) over every class, without expanding them."""
    total = empty = 0
    for c in value["classes"].values():
        for i, n in row_runs(c["cells"]):
            a = value["answers"][i]
            total += n
            if a.get("rcode") != "NOERROR" or not a.get("answers"):
                empty += n
    return total, empty
