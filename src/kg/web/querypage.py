"""The query page: an editor for SPARQL over the endpoint, with the example questions."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template

from .. import formats

bp = Blueprint("querypage", __name__)

DOWNLOADS = (
    ("JSON", "json"),
    ("XML", "xml"),
    ("CSV", "csv"),
    ("TSV", "tsv"),
    ("Turtle", "turtle"),
    ("N-Triples", "nt"),
    ("JSON-LD", "json-ld"),
    ("RDF/XML", "rdfxml"),
)


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


def query_page() -> Response:
    examples = load_examples(str(current_app.config["EXAMPLES_DIR"]))
    html = render_template(
        "query.html",
        examples=examples,
        downloads=DOWNLOADS,
        default_query=examples[0]["query"] if examples else "",
    )
    response = Response(html, mimetype=formats.HTML)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/query")
def query() -> Response:
    return query_page()
