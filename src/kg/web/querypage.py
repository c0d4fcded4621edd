"""The query page: a SPARQL editor over the endpoint, with the example questions (issue 15).

The editor (static/query.js over the vendored CodeMirror) completes the predeclared prefixes
and the ontology's classes and properties, which the page carries as an inert JSON block built
here from the store once per version of the data. ``/query?query=…`` opens (and the script
runs) that query, so a query can be shared as a link; without script the form still posts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .. import formats
from ..errors import InputError
from ..namespaces import BASE, KG, PREFIXES
from .state import cached, get_store

bp = Blueprint("querypage", __name__)

#: The downloads offered for each kind of answer: (label, the endpoint's ``format=`` name).
DOWNLOADS = {
    "solutions": (("JSON", "json"), ("XML", "xml"), ("CSV", "csv"), ("TSV", "tsv")),
    "graph": (
        ("Turtle", "turtle"),
        ("N-Triples", "nt"),
        ("JSON-LD", "json-ld"),
        ("RDF/XML", "rdfxml"),
    ),
}

#: The ontology's classes and properties, with an English (or untagged) label, for completion.
TERMS_QUERY = f"""
SELECT ?term ?kind (SAMPLE(?l) AS ?label) WHERE {{
  VALUES (?type ?kind) {{
    (owl:Class "class") (rdfs:Class "class")
    (owl:ObjectProperty "property") (owl:DatatypeProperty "property")
    (owl:AnnotationProperty "property") (rdf:Property "property")
  }}
  ?term a ?type .
  FILTER(STRSTARTS(STR(?term), "{KG}"))
  OPTIONAL {{ ?term rdfs:label ?l FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }}
}} GROUP BY ?term ?kind ORDER BY ?term
"""


@lru_cache(maxsize=4)
def load_examples(folder: str) -> list[dict[str, str]]:
    """Read the example queries: each .rq file whose first line is ``# Q: <question>``."""
    examples = []
    for path in sorted(Path(folder).glob("*.rq")):
        text = path.read_text("utf-8")
        first = text.splitlines()[0] if text else ""
        match = re.match(r"#\s*Q:\s*(.+)", first)
        title = match.group(1).strip() if match else path.stem
        examples.append({"id": path.stem, "title": title, "query": text})
    return examples


def ontology_terms() -> list[list[str]]:
    """``[prefixed name, label, "class" | "property"]`` for each term of the ontology."""
    rows = get_store().select(TERMS_QUERY)
    return [
        ["kg:" + row["term"][len(str(KG)) :], row.get("label") or "", row["kind"]] for row in rows
    ]


def editor_data() -> dict[str, Any]:
    """What the editor needs from the server: completion terms, prefixes and the base under
    which IRIs are pages of this site (the table links them here, as describe.link_for)."""
    return {
        "terms": cached("query-terms", ontology_terms),
        "prefixes": PREFIXES,
        "base": BASE,
    }


def _chosen_example(examples: list[dict[str, str]]) -> dict[str, str] | None:
    wanted = request.args.get("example")
    if not wanted:  # the form's "Pick an example…" (no script) sends example=: just the page
        return None
    for example in examples:
        if example["id"] == wanted:
            return example
    raise InputError(f"there is no example {wanted!r}; /query lists them")


def query_page() -> Response:
    """The page; ``?query=`` opens that query (a permalink), ``?example=`` an example."""
    examples = load_examples(str(current_app.config["EXAMPLES_DIR"]))
    example = _chosen_example(examples)
    shared = request.args.get("query") if request.path == "/query" else None
    if shared is not None:
        text = shared
    elif example is not None:
        text = example["query"]
    else:
        text = examples[0]["query"] if examples else ""
    html = render_template(
        "query.html",
        examples=examples,
        chosen=example["id"] if example else None,
        downloads=DOWNLOADS,
        query_text=text,
        shared=bool(shared and shared.strip()),  # an empty link opens, runs nothing
        editor=editor_data(),
    )
    response = Response(html, mimetype=formats.HTML)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/query")
def query() -> Response:
    return query_page()


@bp.route("/query/examples.json")
def examples() -> Response:
    """The example queries, fetched by the page when one is picked (not sent with every page:
    their text is most of the page's weight)."""
    return jsonify(load_examples(str(current_app.config["EXAMPLES_DIR"])))
