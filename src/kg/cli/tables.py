"""`kg query`'s output: run SPARQL with the server's engine and write it as a table, CSV or JSON."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from .. import formats
from ..namespaces import PREFIXES
from ..store.engine import QueryJob, evaluate

#: What each command-line format asks the engine for, per kind of result.
ACCEPT = {
    "table": {"solutions": formats.SPARQL_JSON, "graph": formats.TURTLE},
    "json": {"solutions": formats.SPARQL_JSON, "graph": formats.JSONLD},
    "csv": {"solutions": formats.CSV, "graph": formats.NTRIPLES},
}


def solutions(store: ox.Store, query: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Return the variables and SPARQL JSON bindings of a SELECT (or ASK: ``[]``, ``[{...}]``)."""
    answer = evaluate(store, QueryJob(query, accept=ACCEPT["json"]))
    data = json.loads(answer.body)
    if "boolean" in data:
        return ["ask"], [{"ask": {"type": "literal", "value": str(data["boolean"]).lower()}}]
    return data["head"]["vars"], data["results"]["bindings"]


def render(store: ox.Store, query: str, fmt: str) -> str:
    """Evaluate a query; write its answer as a table, CSV or JSON (graphs: Turtle, NT, JSON-LD)."""
    answer = evaluate(store, QueryJob(query, accept=ACCEPT[fmt]))
    if fmt != "table" or answer.kind == "graph":
        return answer.body.decode("utf-8")
    data = json.loads(answer.body)
    if "boolean" in data:
        return f"{str(data['boolean']).lower()}\n"
    return table(data["head"]["vars"], data["results"]["bindings"])


def _cell(term: dict[str, Any] | None) -> str:
    if term is None:
        return ""
    value = str(term["value"])
    if term["type"] == "uri":
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if value.startswith(ns):
                return f"{prefix}:{value[len(ns) :]}"
        return f"<{value}>"
    return value


def table(names: list[str], bindings: list[dict[str, Any]]) -> str:
    """Render rows as a fixed-width table with a header and a row count."""
    rows = [[_cell(b.get(n)) for n in names] for b in bindings]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    out = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
