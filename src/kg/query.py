"""Run SPARQL over the built dataset and render results for a terminal or a file."""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.query import Result

from .errors import InputError
from .namespaces import PREFIXES
from .parsing import quiet_rdflib_deprecations


def run(dataset: Dataset, query: str) -> Result:
    """Evaluate a query with the union of all named graphs as the default graph."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(query)
    except ParseException as exc:
        raise InputError(
            f"SPARQL syntax error: {exc.msg}", line=exc.lineno, column=exc.col
        ) from None
    dataset.default_union = True
    with quiet_rdflib_deprecations():
        result = dataset.query(query, initNs=PREFIXES)
        if result.type == "SELECT":
            _ = result.bindings  # evaluate now, inside the filter: results are lazy
        return result


def render(result: Result, fmt: str) -> str:
    """Render a result as an aligned text table, CSV or SPARQL JSON (graphs as Turtle)."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph if result.graph is not None else Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
        return graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if fmt in ("csv", "json"):
        data = result.serialize(format=fmt)
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)
    if result.type == "ASK":
        return f"{str(bool(result.askAnswer)).lower()}\n"
    return table(result)


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(ns):
                return f"{prefix}:{text[len(ns) :]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def table(result: Result) -> str:
    """Render SELECT rows as a fixed-width table with a header and a row count."""
    names = [str(v) for v in result.vars or []]
    rows = [[_cell(row[i]) for i in range(len(names))] for row in result]  # type: ignore[index]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
