"""Read RDF from curators' files and request bodies, offline, with errors that name line and column.

Nothing is fetched while parsing: JSON-LD documents that name a remote ``@context`` and
RDF/XML documents that declare entities are refused before the parser sees them, because
rdflib would otherwise open URLs (or local files) on the curator's behalf.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

import rdflib
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as SafeElementTree
from rdflib import Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from ..errors import InputError


def keep_literals_as_sent() -> None:
    """Make rdflib keep each literal as it was written.

    rdflib rewrites a literal as it reads it (`"yes"^^xsd:boolean` became `"false"`, the time
    zone of `"2024-05-01Z"^^xsd:date` was dropped): what was stored was not what was sent, and
    an ill-typed value could no longer be named to the curator who sent it. The switch is
    rdflib's global, and pySHACL sets it back after each validation, so it is set again then."""
    rdflib.NORMALIZE_LITERALS = False


keep_literals_as_sent()

#: rdflib parser name by file extension.
FORMAT_BY_EXTENSION: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}

#: rdflib parser name by the names a user may give: short names and MIME types.
FORMAT_ALIASES: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "text/turtle": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "application/n-triples": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "application/ld+json": "json-ld",
    "xml": "xml",
    "rdf/xml": "xml",
    "rdfxml": "xml",
    "application/rdf+xml": "xml",
}


@contextmanager
def quiet_rdflib_deprecations() -> Iterator[None]:
    """Silence the deprecations rdflib 7 raises against its own internals (Dataset.contexts…)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", r"(Dataset|ConjunctiveGraph)\b.*deprecated", DeprecationWarning
        )
        yield


def resolve_format(name: str | None, path: Path | None = None) -> str:
    """Return the rdflib parser name for a user-given format, or guess it from the extension."""
    if name:
        fmt = FORMAT_ALIASES.get(name.strip().lower().split(";")[0].strip())
        if fmt is None:
            known = ", ".join(sorted({"turtle", "nt", "json-ld", "xml"}))
            raise InputError(f"unknown format {name!r}; use one of {known}")
        return fmt
    if path is not None:
        fmt = FORMAT_BY_EXTENSION.get(path.suffix.lower())
        if fmt is None:
            exts = ", ".join(sorted(FORMAT_BY_EXTENSION))
            raise InputError(
                f"cannot tell the format from the extension {path.suffix!r}; "
                f"use one of {exts} or give --format",
                source=str(path),
            )
        return fmt
    raise InputError("no format given")


def parse_file(path: Path, fmt: str | None = None, base: str | None = None) -> Graph:
    """Parse one file into a new graph (relative IRIs against `base`); raise InputError if it
    is missing or malformed."""
    rdf_format = resolve_format(fmt, path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=str(path)) from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot read the file", source=str(path)) from None
    return parse_text(text, rdf_format, source=str(path), base=base)


def parse_text(
    text: str, rdf_format: str, *, source: str = "input", base: str | None = None
) -> Graph:
    """Parse RDF text of a known rdflib format; raise InputError with line and column."""
    graph = Graph()
    try:
        if rdf_format == "json-ld":
            _check_json_ld(text, source)
        elif rdf_format == "xml":
            _refuse_entities(text, source)
        with quiet_rdflib_deprecations():
            graph.parse(data=text, format=rdf_format, publicID=base or "urn:x-kg:input/")
    except BadSyntax as exc:
        line, column = _position(exc._str, exc._i)
        raise InputError(
            f"syntax error: {exc._why}", source=source, line=line, column=column
        ) from None
    except SAXParseException as exc:
        raise InputError(
            f"syntax error: {exc.getMessage()}",
            source=source,
            line=exc.getLineNumber(),
            column=(exc.getColumnNumber() or 0) + 1,
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"syntax error: {exc.msg}", source=source, line=exc.lineno, column=exc.colno
        ) from None
    except ParserError as exc:
        bad_line = _first_bad_ntriples_line(text) if rdf_format == "nt" else None
        raise InputError(
            f"syntax error: {exc}", source=source, line=bad_line, column=1 if bad_line else None
        ) from None
    except RecursionError:
        raise InputError(
            "the input nests too deeply to read (brackets, lists or JSON inside each other)",
            source=source,
        ) from None
    except (IndexError, ValueError, TypeError, KeyError, AttributeError, NameError) as exc:
        # rdflib's parsers raise these on truncated or ill-typed input instead of a syntax error.
        line = text.count("\n") + 1
        raise InputError(
            f"syntax error: unexpected end or malformed input ({type(exc).__name__}: {exc})",
            source=source,
            line=line,
            column=len(text) - text.rfind("\n"),
        ) from None
    return graph


def _position(text: str | bytes, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of an offset (of bytes, for rdflib's N3 parser)."""
    if isinstance(text, bytes):
        text = text[: max(0, offset)].decode("utf-8", "replace")
        offset = len(text)
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _first_bad_ntriples_line(text: str) -> int | None:
    """Find the first line rdflib's N-Triples parser rejects (its errors carry no position)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            Graph().parse(data=line + "\n", format="nt")
        except Exception:
            return number
    return None


def _named_graph(node: object) -> bool:
    """Whether JSON-LD holds a named graph anywhere (rdflib's Graph would drop its triples)."""
    if isinstance(node, list):
        return any(_named_graph(item) for item in node)
    if isinstance(node, dict):
        return ("@graph" in node and "@id" in node) or any(
            _named_graph(value) for key, value in node.items() if key != "@context"
        )
    return False


def _check_json_ld(text: str, source: str) -> None:
    """Reject JSON-LD that is no object or array of objects, that holds a named graph, or
    whose @context (or @import) names a document to fetch."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"syntax error: {exc.msg}", source=source, line=exc.lineno, column=exc.colno
        ) from None
    if not (
        isinstance(doc, dict) or (isinstance(doc, list) and all(isinstance(d, dict) for d in doc))
    ):
        raise InputError(
            "JSON-LD must be an object or an array of objects (nodes with @id), "
            f"not {type(doc).__name__ if doc is not None else 'null'}",
            source=source,
        )
    if _named_graph(doc):
        raise InputError(
            "a named graph (an object with both @id and @graph) is not read in a submission, "
            "whose statements are a graph of their own: put them in the default graph",
            source=source,
        )
    remote = _remote_context(doc)
    if remote is not None:
        raise InputError(
            f"JSON-LD context {remote!r} is remote; contexts are never fetched, "
            "inline the context object instead",
            source=source,
        )


def _remote_context(node: Any) -> str | None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                found = _context_reference(value)
                if found is not None:
                    return found
            found = _remote_context(value)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _remote_context(item)
            if found is not None:
                return found
    return None


def _context_reference(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value:
            found = _context_reference(item) if isinstance(item, str) else _remote_context(item)
            if found is not None:
                return found
        return None
    return _remote_context(value)


_DOCTYPE_ENTITY = re.compile(r"<!DOCTYPE[^>]*\[.*?<!ENTITY", re.IGNORECASE | re.DOTALL)
_EXTERNAL_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*\b(SYSTEM|PUBLIC)\b", re.IGNORECASE)


def _refuse_entities(text: str, source: str) -> None:
    """Reject RDF/XML with entity declarations or an external DTD (XXE, billion laughs).

    The pattern finds them where the text shows them, to name the line; then an XML parser
    that forbids every DTD reads the very bytes rdflib's parser will read, in whatever encoding
    they declare (a UTF-16 document once hid its entities from the pattern: issue 11).
    """
    match = _DOCTYPE_ENTITY.search(text) or _EXTERNAL_DOCTYPE.search(text)
    line, column = _position(text, match.start()) if match else (None, None)
    if match or _declares_a_dtd(text.encode("utf-8")):
        raise InputError(
            "RDF/XML with a DTD that declares entities or loads an external DTD is refused",
            source=source,
            line=line,
            column=column,
        )


def _declares_a_dtd(data: bytes) -> bool:
    """Whether an XML parser reading these bytes as they declare themselves meets a DTD."""
    try:
        SafeElementTree.fromstring(data, forbid_dtd=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        return True
    except (SafeElementTree.ParseError, ValueError, LookupError):
        pass  # not well-formed, or an unknown encoding: rdflib's parser names the error
    return False
