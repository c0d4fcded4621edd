"""Refuse, before evaluation, queries that would reach the network or exhaust the parser.

The engine (Oxigraph) follows ``SERVICE`` over HTTP, so a query is scanned first: every
``SERVICE`` IRI and every ``FROM``/``FROM NAMED`` graph must be allowed by the operator, and
nesting is bounded because a parser that recurses a thousand brackets deep may crash.
https://www.w3.org/TR/sparql11-federated-query/
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import QueryRefused

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w]+)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w.%:-]|\\.)*)
  | (?P<word>[A-Za-z_][\w-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


def tokens(query: str) -> Iterator[Token]:
    """Split a query into the tokens that matter here (comments and spaces dropped)."""
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), match.start())


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(query: str) -> str | None:
    """The query's form keyword (SELECT, ASK, CONSTRUCT, DESCRIBE), or None if it has none."""
    for token in tokens(query):
        if token.kind == "word" and token.text.upper() in QUERY_FORMS:
            return token.text.upper()
    return None


@dataclass(frozen=True)
class QueryShape:
    """What the scan learnt on the way: the query's form, and whether it may name a graph."""

    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or None if it has none
    names_graphs: bool  # has GRAPH or FROM: it needs the named graphs, not just the merge


def _position(query: str, offset: int) -> tuple[int, int]:
    line = query.count("\n", 0, offset) + 1
    return line, offset - (query.rfind("\n", 0, offset) + 1) + 1


def check(
    query: str,
    *,
    max_depth: int,
    allowed_service_prefixes: Iterable[str] = (),
    local_graph_prefixes: Iterable[str] = (),
) -> QueryShape:
    """Raise QueryRefused if the query calls a SERVICE, names a remote graph, or nests too deep."""
    services = tuple(allowed_service_prefixes)
    graphs = tuple(local_graph_prefixes) + services
    prefixes: dict[str, str] = {}
    toks = list(tokens(query))
    depth = 0
    form: str | None = None
    names_graphs = False
    for i, tok in enumerate(toks):
        if tok.kind == "open":
            depth += 1
            if depth > max_depth:
                line, col = _position(query, tok.offset)
                raise QueryRefused(
                    f"the query nests deeper than {max_depth} levels", line=line, column=col
                )
        elif tok.kind == "close":
            depth -= 1
        elif tok.kind == "word":
            keyword = tok.text.upper()
            if form is None and keyword in QUERY_FORMS:
                form = keyword
            names_graphs = names_graphs or keyword in ("GRAPH", "FROM")
            if keyword == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
                prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
            elif keyword == "SERVICE":
                _check_target(query, toks, i, prefixes, services, "SERVICE")
            elif keyword == "FROM":
                named = i + 1 < len(toks) and toks[i + 1].text.upper() == "NAMED"
                _check_target(query, toks, i + 1 if named else i, prefixes, graphs, "FROM")
            elif keyword == "LOAD":
                line, col = _position(query, tok.offset)
                raise QueryRefused("LOAD is not allowed on this endpoint", line=line, column=col)
    return QueryShape(form, names_graphs)


def unbound_prefix(query: str, predeclared: Iterable[str]) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix is neither predeclared nor declared with PREFIX,
    as (prefix, line, column); None if every prefix is bound."""
    bound = set(predeclared)
    toks = list(tokens(query))
    for i, tok in enumerate(toks):
        if tok.kind != "pname" or query[tok.offset - 1 : tok.offset] == "_":  # _:b is a bnode
            continue
        prefix = tok.text.partition(":")[0]
        if i > 0 and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "PREFIX":
            bound.add(prefix)
        elif prefix not in bound:
            line, column = _position(query, tok.offset)
            return prefix, line, column
    return None


def _check_target(
    query: str,
    toks: list[Token],
    index: int,
    prefixes: dict[str, str],
    allowed: tuple[str, ...],
    what: str,
) -> None:
    """Refuse the IRI after toks[index] (skipping SILENT) unless an allowed prefix covers it."""
    j = index + 1
    if j < len(toks) and toks[j].text.upper() == "SILENT":
        j += 1
    target = toks[j] if j < len(toks) else None
    iri = _resolve(target, prefixes) if target else None
    if iri is not None and any(iri.startswith(p) for p in allowed):
        return
    where = target.offset if target else toks[index].offset
    line, col = _position(query, where)
    shown = iri or (target.text if target else "nothing")
    if what == "SERVICE":
        message = (
            f"SERVICE {shown} is refused: this endpoint makes no outgoing requests "
            "(an operator can allow prefixes with ALLOWED_SERVICE_PREFIXES)"
        )
    else:
        message = (
            f"FROM {shown} is refused: only this dataset's graphs can be queried "
            "(GET /sparql with an RDF Accept header lists them)"
        )
    raise QueryRefused(message, line=line, column=col)


def _resolve(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None
