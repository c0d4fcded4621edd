"""Validate facts against the SHACL shapes and check every quote against its document.

https://www.w3.org/TR/shacl/ — the shapes live in ``shapes/``. A quote check runs beside
SHACL because SHACL cannot read a document's text: each ``kg:quote`` must occur verbatim
in the file its ``kg:source`` names, and each anchored evidence node's selectors
(https://www.w3.org/TR/annotation-model/#selectors) must select that quote in that text.
This module imports no Flask: the command line and the web service call the same :func:`validate`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.query import Result as QueryResult
from rdflib.term import Identifier, Node

from ..errors import ShapeLoadError
from ..namespaces import EVIDENCE, KG, OA, PREFIXES, SH
from .anchor import document_id, evidence_iri, placed
from .parsing import keep_literals_as_sent, parse_file
from .reach import Reach, Triple
from .report import SEVERITY_ORDER, Report, Result, node_text, shortener
from .vocabulary import Vocabulary, check_statements

QUOTE_CHECK = URIRef(PREFIXES["kg"] + "VerbatimQuoteCheck")
OFFSETS_CHECK = URIRef(PREFIXES["kg"] + "TextPositionCheck")
#: the shapes' reach, and the statements added to or taken from a graph that conformed
Change = tuple[Reach | None, Iterable[Triple]]


def load_shapes(shapes_dir: Path) -> Graph:
    """Load every Turtle file of the shapes folder; raise ShapeLoadError if that fails."""
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise ShapeLoadError(f"no shapes (*.ttl) in {shapes_dir}")
    shapes = Graph()
    for path in files:
        try:
            shapes += parse_file(path)
        except Exception as exc:
            raise ShapeLoadError(f"cannot load shapes: {exc}") from None
    return shapes


def validate(
    data: Graph,
    shapes: Graph,
    documents_dir: Path,
    *beside: Path,
    new: Graph | None = None,
    vocabulary: Vocabulary | None = None,
    foreign: bool = False,
    changed: Change | None = None,
    building: bool = False,
) -> Report:
    """Validate a graph (ontology, existing facts and any addition, merged); the documents'
    texts are read from `documents_dir`, else from the folders `beside` (a draft's).
    The statements `new` (an addition) must also fall under the shapes, in `vocabulary` (other
    vocabularies too if `foreign`: :func:`~kg.graph.vocabulary.check_statements`); `building`
    says that `new` is every curated statement of the data files, so nothing was stored before.
    With `changed` (the shapes' reach, and the statements added to or taken from a graph
    that conformed), SHACL judges only the nodes those statements can affect
    (:mod:`kg.graph.reach`); otherwise every node."""
    judged, nodes = _focus(data, changed, new)
    # the quotes only of the nodes judged: the others' were checked when they were stored
    quoted = check_quotes(data, documents_dir, *beside, only=nodes) + check_offsets(
        data, documents_dir, *beside, only=nodes
    )
    results = _shacl(judged, shapes)
    if nodes is not None:  # the other nodes of the part read were judged on part of it
        focus = {node_text(node) for node in nodes}
        results = [r for r in results if r.focus_node in focus]
    results += quoted
    if new is not None and vocabulary is not None:
        # what the change says that the stored graph did not (a restated triple says nothing)
        said = [t for t in changed[1] if t in new] if changed is not None else None
        results += check_statements(
            new, data, vocabulary, foreign=foreign, building=building, said=said
        )
    results.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.focus_node, r.path or ""))
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms, results, labels=_labels(data, results))


def _focus(
    data: Graph, changed: Change | None, new: Graph | None
) -> tuple[Graph, Collection[Node] | None]:
    """The graph SHACL judges, and the nodes whose results count (None: every node's)."""
    if changed is None:
        return data, None
    reach, statements = changed
    if reach is None:  # shapes whose reach is not bounded: every node, on a copy
        return Graph() + data, None  # (the caller's graph is the stored one, with the change)
    nodes, read = reach.focus(data, statements)
    if 2 * len(read) >= len(data):  # past half the graph, judging all is quicker
        return data, None
    for prefix, namespace in new.namespaces() if new is not None else ():
        read.bind(prefix, namespace, override=True, replace=True)  # the curator's
    return read, nodes


def _shacl(data: Graph, shapes: Graph) -> list[Result]:
    _conforms, results_graph, _text = pyshacl.validate(
        PreparedQueries(data.store, data.identifier, data.namespace_manager),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,  # a graph made for this call (or its focus); no inference runs
    )
    keep_literals_as_sent()  # pySHACL set rdflib's switch back as it finished
    if not isinstance(results_graph, Graph):  # pySHACL's failure, where the report would be
        raise ShapeLoadError(f"the shapes cannot be run: {results_graph}")
    return _shacl_results(results_graph)


class PreparedQueries(Graph):
    """A graph (a view of another's store, no copy) whose SPARQL queries are parsed once.

    pySHACL sends a SPARQL constraint's query as the same text for every focus node, and rdflib
    parses text anew each time: parsing was a third of a validation of the built graph (2.4 s
    against 1.25 s with this). A prepared query run with bindings is rdflib's own way to repeat
    one query."""

    def query(
        self,
        query_object: str | Query,
        processor: str | Processor = "sparql",
        result: str | type[QueryResult] = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's names)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> QueryResult:
        if isinstance(query_object, str):
            namespaces = initNs if initNs is not None else dict(self.namespaces())
            query_object = _prepared(query_object, tuple(sorted(namespaces.items())))
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@lru_cache(maxsize=512)
def _prepared(text: str, namespaces: tuple[tuple[str, Any], ...]) -> Query:
    return prepareQuery(text, initNs=dict(namespaces))


def _shacl_results(report: Graph) -> list[Result]:
    results = []
    # Only top-level results: pySHACL also types the nested sh:detail results.
    for node in report.objects(None, SH.result):
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        severity = report.value(node, SH.resultSeverity)
        results.append(
            Result(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus_node=node_text(report.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else None,
                value=node_text(value) if value is not None else None,
                message=str(report.value(node, SH.resultMessage) or "constraint not satisfied"),
                shape=node_text(shape) if isinstance(shape, URIRef) else None,
                constraint=str(report.value(node, SH.sourceConstraintComponent) or "") or None,
            )
        )
    return results


def check_quotes(
    data: Graph, documents_dir: Path, *beside: Path, only: Collection[Node] | None = None
) -> list[Result]:
    """Return a violation for every quote (of the facts `only`, if given) that is not a
    substring of its document's text."""
    texts: dict[Node, str | None] = {}
    results = []
    for fact, evidence in _pairs(data, KG.evidence, only):
        source = data.value(evidence, KG.source)
        quote = data.value(evidence, KG.quote)
        if source is None or quote is None:
            continue  # the shapes report missing parts
        if source not in texts:
            texts[source] = _document_text(data, source, (documents_dir, *beside))
        text = texts[source]
        if text is None:
            results.append(
                _quote_result(
                    fact,
                    quote,
                    "Violation",
                    f"cannot check the quote: the text of {source} is not in the data folder "
                    "(a document's text is registered with it, on the review page)",
                )
            )
        elif problem := _unplaced(str(quote), text, data, evidence):
            name = data.value(source, KG.fileName)
            results.append(_quote_result(fact, quote, "Violation", problem.format(name=name)))
    return results


def _unplaced(quote: str, text: str, data: Graph, evidence: Node) -> str | None:
    """What keeps a quote from pointing at one passage of its text, if anything: it is not
    there, or it is there many times (then supporting nothing: "the" is verbatim in every
    document), unless its selectors, or the text just before or after it, say which."""
    if (evidence, OA.hasSelector, None) in data:
        return None if quote in text else _NOT_FOUND  # the offsets check reads the selectors
    prefix, suffix = data.value(evidence, OA.prefix), data.value(evidence, OA.suffix)
    found = len(
        placed(
            text,
            quote,
            None if prefix is None else str(prefix),
            None if suffix is None else str(suffix),
        )
    )
    if found == 0:
        return _NOT_FOUND if prefix is None and suffix is None else _NOT_FOUND_AROUND
    if found > 1:
        return (
            f"the quote occurs {found} times in {{name}}, so it points at no one passage: "
            "quote more of the sentence that says it, until it occurs once (or give the text "
            "just after it as oa:suffix)"
        )
    return None


_NOT_FOUND = (
    "the quote does not occur verbatim in {name}; copy it character for character "
    "(quotes, dashes, spaces) from the document"
)
_NOT_FOUND_AROUND = (
    "the quote does not occur verbatim in {name} between the oa:prefix and oa:suffix given"
)


def check_offsets(
    data: Graph, documents_dir: Path, *beside: Path, only: Collection[Node] | None = None
) -> list[Result]:
    """Return a violation for every anchored evidence node (of those `only`, if given) whose
    selectors do not agree with its document: the TextPositionSelector's slice of the text
    must equal the quote (and the TextQuoteSelector's exact), prefix and suffix must be the
    text around it, and the IRI must be the one the build mints from document and offsets."""
    texts: dict[Node, str | None] = {}
    results = []
    for evidence, selector in _pairs(data, OA.hasSelector, only):
        if (selector, RDF.type, OA.TextPositionSelector) not in data:
            continue
        source = data.value(evidence, OA.hasSource)
        start, end = data.value(selector, OA.start), data.value(selector, OA.end)
        if source is None or not isinstance(start, Literal) or not isinstance(end, Literal):
            continue  # the shapes report missing parts
        if source not in texts:
            texts[source] = _document_text(data, source, (documents_dir, *beside))
        text = texts[source]
        if text is None:
            continue  # the quote check warns that the text is missing
        first, last = int(start.toPython()), int(end.toPython())
        found = text[first:last]
        exacts = {str(q) for q in data.objects(evidence, KG.quote)}
        prefix = suffix = None
        for quote in data.objects(evidence, OA.hasSelector):
            if (quote, RDF.type, OA.TextQuoteSelector) in data:
                exacts |= {str(q) for q in data.objects(quote, OA.exact)}
                prefix, suffix = data.value(quote, OA.prefix), data.value(quote, OA.suffix)
        problem = None
        if exacts != {found}:
            problem = f"characters {first}–{last} of the document are {found[:80]!r}, not the quote"
        elif prefix is not None and not text[:first].endswith(str(prefix)):
            problem = "the oa:prefix is not the text just before the quote"
        elif suffix is not None and not text[last:].startswith(str(suffix)):
            problem = "the oa:suffix is not the text just after the quote"
        elif str(evidence).startswith(EVIDENCE) and evidence != evidence_iri(
            str(document_id(source)), first, last
        ):
            problem = "the IRI does not name the document and offsets its selectors give"
        if problem:
            results.append(
                Result(
                    "Violation",
                    node_text(evidence),
                    str(OA.start),
                    str(start),
                    problem,
                    str(OFFSETS_CHECK),
                )
            )
    return results


def _pairs(
    data: Graph, predicate: URIRef, subjects: Collection[Node] | None
) -> Iterable[tuple[Node, Node]]:
    """(subject, object) of `predicate`, for the `subjects` given or all."""
    if subjects is None:
        return data.subject_objects(predicate)
    return ((s, o) for s in subjects for o in data.objects(s, predicate))


def _quote_result(fact: Node, quote: Node, severity: str, message: str) -> Result:
    return Result(severity, node_text(fact), str(KG.quote), str(quote), message, str(QUOTE_CHECK))


def _document_text(data: Graph, source: Node, folders: tuple[Path, ...]) -> str | None:
    name = data.value(source, KG.fileName)
    if name is None:
        return None
    for folder in folders:
        path = folder / Path(str(name)).name  # never leave the folder
        if path.is_file():
            return path.read_text("utf-8")
    return None


def _labels(data: Graph, results: list[Result]) -> dict[str, str]:
    """Name each focus node for a reader: its label, or for a blank node, what points to it."""
    short = shortener(PREFIXES)
    labels = {}
    for r in results:
        if r.focus_node.startswith("_:"):
            node = BNode(r.focus_node[2:])
            owner = next(iter(data.subject_predicates(node)), None)
            if owner is not None:
                labels[r.focus_node] = f"{short(str(owner[1]))} of {short(str(owner[0]))}"
        else:
            label = data.value(URIRef(r.focus_node), RDFS.label)
            if label is not None:
                labels[r.focus_node] = str(label)
    return labels


def report_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2)
