"""The drafting process's handler: the curator's assistant behind the review page.

The web process names it, ``"kg.assist.worker:draft"``, and the worker pool imports it only in
the drafting process (:func:`kg.store.pool.resolve`): spaCy and the linker take a second to
import and hundreds of MB, which the web process, that never drafts itself, must not carry.
So what crosses the pipe is plain data (dicts, strings, bytes): unpickling it in the web
process imports nothing of this module's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from ..errors import ProtocolError
from ..store.interface import rdflib_merge
from ..store.pool import Handler
from .document import DocumentError
from .extract import extract
from .linking import Linker
from .text import SourceError, read_source

#: The keys of a job, as :class:`kg.web.drafting.DraftJob` sends them.
JOB_KEYS = (
    "data",
    "file_name",
    "media_type",
    "max_bytes",
    "context",
    "context_version",
    "title",
    "date",
    "url",
    "publisher",
)


def draft() -> Handler:
    """A worker's handler: the linker built once per version of the stored data."""
    linkers: dict[str, tuple[Graph, Linker]] = {}

    def context(job: Mapping[str, Any]) -> tuple[Graph, Linker]:
        version = str(job["context_version"])
        if version not in linkers:
            linkers.clear()  # only the current version is asked for again
            graph = rdflib_merge(ox.parse(path=job["context"], format=ox.RdfFormat.N_QUADS))
            linkers[version] = (graph, Linker.from_graph(graph))
        return linkers[version]

    def handle(job: Mapping[str, Any]) -> dict[str, Any]:
        graph, linker = context(job)
        try:
            source = read_source(
                job["data"],
                job["file_name"],
                max_bytes=job["max_bytes"],
                media_type=job["media_type"],
            )
            made = extract(
                source,
                graph,
                linker=linker,
                title=job["title"],
                date=job["date"],
                url=job["url"],
                publisher=job["publisher"],
            )
        except (SourceError, DocumentError) as exc:
            # the curator's mistake, in the assistant's one line: a 400, not a server error
            raise ProtocolError(str(exc)) from None
        return {
            "text": made.text,
            "record": asdict(made.record),
            # the record's triples as the assistant writes them, so that the web process
            # needs none of the assistant's code to describe the document at submit time
            "record_turtle": made.record.graph().serialize(format="turtle"),
            "registered": made.registered,
            "turtle": made.graph.serialize(format="turtle", encoding="utf-8"),
            "review": made.review,
        }

    return handle
