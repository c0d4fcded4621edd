"""Validation reports: each problem found, where it is and how bad, in the forms curators and
programs read (text, JSON, an ``sh:ValidationReport`` graph)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ..namespaces import PREFIXES, SH, bind_prefixes

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, order=True)
class Result:
    """One problem found: where it is, what is wrong, and how bad it is."""

    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str | None = None
    constraint: str | None = None


@dataclass
class Report:
    """The outcome of a validation: conforming or not, and every result."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "results": [asdict(r) | {"label": self.labels.get(r.focus_node)} for r in self.results],
        }

    def to_text(self, prefixes: dict[str, str] | None = None) -> str:
        short = shortener(prefixes or PREFIXES)
        if not self.results:
            return "Conforms: every shape is satisfied and every quote is verbatim.\n"
        verdict = "Conforms, with" if self.conforms else "Does not conform:"
        lines = [f"{verdict} {self.summary()}", ""]
        for r in self.results:
            label = self.labels.get(r.focus_node)
            lines.append(f"{r.severity}: {short(r.focus_node)}" + (f" ({label})" if label else ""))
            if r.path:
                lines.append(f"  path:    {short(r.path)}")
            if r.value is not None:
                lines.append(f"  value:   {short(r.value)}")
            lines.append(f"  message: {r.message}")
            if r.shape:
                lines.append(f"  shape:   {short(r.shape)}")
            lines.append("")
        return "\n".join(lines)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return ", ".join(f"{n} {sev.lower()}{'s' if n > 1 else ''}" for sev, n in counts.items())

    def to_graph(self) -> Graph:
        """Return the report as an ``sh:ValidationReport`` graph."""
        graph = Graph()
        graph.bind("sh", SH)
        bind_prefixes(graph)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, SH[r.severity]))
            graph.add((node, SH.focusNode, term_of(r.focus_node)))
            graph.add((node, SH.resultMessage, Literal(r.message)))
            if r.path:
                graph.add((node, SH.resultPath, URIRef(r.path)))
            if r.value is not None:
                graph.add((node, SH.value, Literal(r.value)))
            if r.shape:
                graph.add((node, SH.sourceShape, term_of(r.shape)))
            if r.constraint:
                graph.add((node, SH.sourceConstraintComponent, URIRef(r.constraint)))
        return graph


def term_of(text: str) -> Node:
    """The term a result's text names: a blank node, an IRI, or (a focus node may be one)
    a literal, which written as an IRI made the report unwritable in Turtle."""
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text) if _IRI.fullmatch(text) else Literal(text)


#: An absolute IRI as Turtle writes one: a scheme, then no character IRIs exclude.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


def shortener(prefixes: dict[str, str]) -> Any:
    pairs = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def short(text: str) -> str:
        for prefix, ns in pairs:
            if text.startswith(ns) and "/" not in text[len(ns) :]:
                return f"{prefix}:{text[len(ns) :]}"
        return text

    return short


def node_text(node: Node | None) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node) if node is not None else ""
