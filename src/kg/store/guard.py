"""Refuse, before evaluation, queries that would reach the network or exhaust the parser.

The engine (Oxigraph) follows ``SERVICE`` over HTTP, so a query is scanned first: every
``SERVICE`` IRI and every ``FROM``/``FROM NAMED`` graph must be allowed by the operator, and
nesting is bounded because a parser that recurses a thousand brackets deep may crash; so are
chains of operators and UNIONs, which it recurses into as deep without a bracket.
https://www.w3.org/TR/sparql11-federated-query/

The scan must read the text as the engine does, not as we would guess, or a query that the
scan finds harmless calls a service anyway. So it uses the grammar's own terminals
(https://www.w3.org/TR/sparql11-query/#grammar) with Oxigraph 0.5's readings of them, each
checked on pyoxigraph (tests/test_guard.py) and fuzzed against it (tests/security/test_fuzz.py):

- only space, tab, CR and LF are spaces, and a comment ends at CR or LF;
- ``\\uXXXX`` and ``\\UXXXXXXXX`` count inside IRIs and strings only (SPARQL 1.2). In IRIs
  Oxigraph reads the four (eight) characters as a number, a leading ``+`` included; in strings
  they must be real characters. SPARQL 1.1 (section 19.2) instead decodes them in the whole
  text before parsing (``SERVIC\\u0045``, ``#\\u000A``), so a query with escapes is also checked
  as decoded, for stores that read it so (the remote mode);
- strings take only the ``\\t \\b \\n \\r \\f \\" \\' \\\\`` escapes; a long string with any other
  is read, as Oxigraph reads it, as two short ones with code between;
- keywords are matched letter by letter with no word boundary: ``trueSERVICE<x>``,
  ``SERVICEe:x``, ``SERVICESILENT<x>``, ``PREFIXe:<x>`` all mean what they would with spaces;
- a prefixed name's local part holds one run of dots at most (``e:a.b.SERVICE`` is ``e:a.b``,
  ``.``, ``SERVICE``); and when its IRI does not parse, Oxigraph backtracks to the bare prefix
  and reads the local part as code (``e:SERVICEf:x\\#`` where ``e:`` ends in ``#``);
- ``<`` after a value inside an expression is less-than, elsewhere it opens an IRI (the IRI
  runs to the first ``>``); where the scan cannot tell which, and the two readings differ, the
  query is refused.

An allowed prefix is compared with the IRI Oxigraph will call, escapes resolved, and covers its
own host only. Query processes have no network unless an operator allows federation
(sandbox.py), so this is the friendly first refusal; where federation is allowed, the only one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..errors import QueryRefused
from ..namespaces import PREFIXES

# ---------------------------------------------------------------- the grammar's terminals

# PN_CHARS_BASE as Oxigraph 0.5 has it: the spec's, less #x10000-#xEFFFF.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f\u2040"
_VARNAME = f"[0-9{_U}][0-9\u00b7\u0300-\u036f\u203f\u2040{_U}]*+"
_PN_PREFIX = f"[{_BASE}][{_CHARS}]*+(?:\\.++[{_CHARS}]++)*+"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*+(?:\\.++(?:[{_CHARS}:]|{_PLX})++)?+"
_PNAME = f"(?:{_PN_PREFIX})?+:(?:{_PN_LOCAL})?+"
_ECHAR = r"\\[tbnrf\"'\\]"
# An escape that names a character: no surrogate, nothing past U+10FFFF (else no string).
_UCHAR = (
    r"\\u(?:[0-9A-Ca-cEFef][0-9A-Fa-f]{3}|[Dd][0-7][0-9A-Fa-f]{2})"
    r"|\\U(?:0000(?:[0-9A-Ca-cEFef][0-9A-Fa-f]{3}|[Dd][0-7][0-9A-Fa-f]{2})"
    r"|000[1-9A-Fa-f][0-9A-Fa-f]{4}|0010[0-9A-Fa-f]{4})"
)
_ESCAPE = f"{_ECHAR}|{_UCHAR}"
_STRING = (  # long forms first: when one fails, ''' is the empty string and a quote
    f"'''(?:(?:''|')?+(?:[^'\\\\]|{_ESCAPE}))*+'''"
    f'|"""(?:(?:""|")?+(?:[^"\\\\]|{_ESCAPE}))*+"""'
    f"|'(?:[^'\\\\\\n\\r]|{_ESCAPE})*+'"
    f'|"(?:[^"\\\\\\n\\r]|{_ESCAPE})*+"'
)
_NUMBER = (
    r"[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.[0-9]++[eE][+-]?[0-9]++|[0-9]++[eE][+-]?[0-9]++"
    r"|[0-9]*+\.[0-9]++|[0-9]++"
)
# What Oxigraph reads as an IRI escape: four (eight) characters Rust parses as hexadecimal,
# a leading + included. SPARQL 1.1's decoding before parsing takes the same.
_CODEPOINT = re.compile(r"\\u([+0-9A-Fa-f][0-9A-Fa-f]{3})|\\U([+0-9A-Fa-f][0-9A-Fa-f]{7})")
_IRI_ESCAPE = r"\\u[+0-9A-Fa-f][0-9A-Fa-f]{3}|\\U[+0-9A-Fa-f][0-9A-Fa-f]{7}"
# IRIREF: Oxigraph takes anything up to the first > and then lets its IRI parser refuse; what
# that parser takes is within this class (checked for each code point of the BMP, and beyond).
_IRIREF = re.compile(f'<(?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{_IRI_ESCAPE})*+>')

_TOKEN = re.compile(
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in (
            ("ws", r"[ \t\r\n]++"),
            ("comment", r"#[^\r\n]*+"),
            ("string", _STRING),
            ("var", f"[?$]{_VARNAME}"),
            ("bnode", f"_:[0-9{_U}][{_CHARS}]*+(?:\\.++[{_CHARS}]++)*+"),
            ("pname", _PNAME),
            ("number", _NUMBER),
            ("word", r"[A-Za-z_][A-Za-z0-9_]*+"),
            ("langtag", r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+"),
            ("open", r"\{\||[({\[]"),
            ("close", r"\)>>|>>|\|\}|[)}\]]"),
            ("other", r"\^\^|&&|\|\||[!<>]=|[\s\S]"),
        )
    )
)
_PNAME_RE = re.compile(_PNAME)
_PREFIX_NAME = re.compile(f"(?:{_PN_PREFIX})?")
_CLOSERS = {"(": ")", "[": "]", "{": "}", "{|": "|}", "<<(": ")>>", "<<": ">>"}
# Kinds after which < is less-than in an expression: they end a value.
_VALUES = ("var", "number", "string", "langtag", "iri", "pname", "bnode", "close")


@dataclass(frozen=True)
class Token:
    kind: str  # word, pname, var, iri, string, number, open, close, doubt, ...
    text: str
    offset: int


@dataclass
class _Frame:
    """An open bracket, and what a ( or a < inside it can be."""

    kind: str  # top, group, values, pattern, expression, triple, unsure
    closer: str
    subquery: bool = False  # a SELECT began here: every ( in it opens an expression
    values: bool = False  # VALUES was read: its next ( and { hold data
    #: inside GRAPH … { } or a CONSTRUCT template: its terms read no default graph
    unread: bool = False


class _Scanner:
    """Tokens of a query, comments and spaces dropped, with < read by its context."""

    def __init__(self, query: str, predeclared: Mapping[str, str]) -> None:
        self.query = query
        self.frames = [_Frame("top", "")]
        # Contexts are no longer known: a closer matched no opener, or a prefixed name may be
        # read as its bare prefix and code (see _may_fail).
        self.lost = False
        self.prefixes = {name: {namespace} for name, namespace in predeclared.items()}
        self.seen: list[Token] = []
        #: a term was met where a pattern of the default graph may read it (not only in GRAPH
        #: blocks, expressions, data or a template): what routing needs, not what security does
        self.reads_default = False

    def __iter__(self) -> Iterator[Token]:
        pos = 0
        while pos < len(self.query):
            if self.query[pos] == "<":
                token = self._angle(pos)
            else:
                match = _TOKEN.match(self.query, pos)
                assert match is not None  # "other" takes any character
                if match.lastgroup in ("ws", "comment"):
                    pos = match.end()
                    continue
                token = self._fit(Token(match.lastgroup or "other", match.group(), pos))
            pos = token.offset + len(token.text)
            self._track(token)
            yield token

    def _fit(self, token: Token) -> Token:
        """)>> >> |} close only what they opened; elsewhere they are ) and > and |."""
        if token.kind == "close" and len(token.text) > 1 and self._top.closer != token.text:
            short = token.text[0]
            return Token("close" if short == ")" else "other", short, token.offset)
        return token

    @property
    def _top(self) -> _Frame:
        return self.frames[-1]

    def _angle(self, pos: int) -> Token:
        after_value = self._after_value()
        context = "unsure" if self.lost else self._top.kind
        if after_value and context == "expression":
            return Token("other", "<", pos)  # less-than, as Oxigraph tries it first there
        doubtful = after_value and context == "unsure"
        for opener in ("<<(", "<<"):
            if self.query.startswith(opener, pos):
                return Token("doubt" if doubtful else "open", opener, pos)
        match = _IRIREF.match(self.query, pos)
        if match is None:
            return Token("other", "<", pos)
        if doubtful and _read_as_code_differs(match.group()[1:-1]):
            return Token("doubt", match.group(), pos)
        return Token("iri", match.group(), pos)

    @property
    def prev(self) -> Token | None:
        return self.seen[-1] if self.seen else None

    @property
    def prev2(self) -> Token | None:
        return self.seen[-2] if len(self.seen) > 1 else None

    def _after_value(self) -> bool:
        prev = self.prev
        if prev is None:
            return False
        return prev.kind in _VALUES or (
            prev.kind == "word" and prev.text.upper() in ("TRUE", "FALSE")
        )

    def _track(self, token: Token) -> None:
        top = self._top
        self._note_read(token)
        if token.kind == "word":
            upper = token.text.upper()
            top.subquery = top.subquery or upper.startswith("SELECT")
            top.values = top.values or upper.endswith("VALUES")
        elif token.kind == "open":
            frame = _Frame(self._opens(token.text), _CLOSERS[token.text])
            frame.unread = top.unread or self._opens_unread(token.text)
            # a bracket that opens a pattern is a term itself: [] !() [] reads every triple
            if frame.kind in _PATTERN_FRAMES and token.text != "{" and not frame.unread:
                self.reads_default = self.reads_default or not top.subquery
            self.frames.append(frame)
        elif token.kind == "close":
            if top.closer == token.text and len(self.frames) > 1:
                self.frames.pop()
            else:
                self.lost = True
        elif token.kind == "pname":
            name, _, local = token.text.partition(":")
            self.lost = self.lost or _may_fail(self.prefixes.get(name, set()), local)
        self.seen = [*self.seen[-2:], token]
        self._declare()

    def _note_read(self, token: Token) -> None:
        top = self._top
        if token.kind not in _TERMS or top.unread or top.subquery:
            return
        if token.kind == "word" and token.text.upper() in _GROUP_WORDS:
            return
        after_graph = self.prev is not None and self.prev.text.upper() == "GRAPH"
        if self.lost or (top.kind in _PATTERN_FRAMES and not after_graph):
            self.reads_default = True

    def _opens_unread(self, opener: str) -> bool:
        """GRAPH <g> { opens a named graph's patterns; CONSTRUCT { a template."""
        if opener != "{" or self.prev is None:
            return False
        if self.prev.kind == "word" and self.prev.text.upper() == "CONSTRUCT":
            return len(self.frames) == 1
        return (
            self.prev.kind in ("var", "iri", "pname")
            and self.prev2 is not None
            and self.prev2.kind == "word"
            and self.prev2.text.upper() == "GRAPH"
        )

    def _declare(self) -> None:
        """Learn the prefix a PREFIX line declares as it ends: a prologue's prefixes are known
        before they are used."""
        if self.seen[-1].kind != "iri":  # a declaration ends with its IRI
            return
        for start in range(len(self.seen) - 2, -1, -1):  # PREFIXe: <…> and PREFIX e: <…>
            declared = _declaration(self.seen, start)
            if declared and declared[2] is self.seen[-1]:
                self.prefixes.setdefault(declared[0], set()).add(_decode(declared[2].text[1:-1]))

    def _opens(self, opener: str) -> str:
        """The kind of frame an opener starts here."""
        top = self._top
        if self.lost or top.kind == "unsure":
            return "unsure"
        if opener in ("<<(", "<<"):
            return "triple"
        if opener == "{" and top.values:
            top.values = False
            return "values"
        if opener in ("{", "{|"):
            return "group"
        if opener == "[":
            return "unsure" if top.kind == "expression" else "pattern"
        return self._parenthesis()

    def _parenthesis(self) -> str:
        """What a ( opens: an expression, data, or a collection or path (a pattern)."""
        top, prev, prev2 = self._top, self.prev, self.prev2
        if top.kind == "triple":
            return "unsure"  # no ( in a triple term: it does not parse
        if top.values or top.kind == "values":
            return "values"
        if top.kind in ("expression", "top") or top.subquery:
            return "expression"  # SELECT (…), GROUP BY, HAVING, ORDER BY, calls, brackets
        # In a group: FILTER(, BIND(, regex( … open expressions; after a name, only a call
        # after FILTER does; else it is a collection or a path.
        if prev is None:
            return "unsure"
        if prev.kind == "word":
            return "pattern" if prev.text == "a" else "expression"  # a: the objects follow
        if prev.kind in ("iri", "pname"):
            if prev2 is not None and prev2.kind == "word" and prev2.text.upper().endswith("FILTER"):
                return "expression"
            if prev.kind == "pname" and _glued(prev.text, "FILTER") is not None:
                return "unsure"
        return "pattern"


#: What a default-graph pattern is made of, and the frames where they are patterns.
_TERMS = frozenset(("var", "iri", "pname", "bnode", "string", "number", "word"))
_PATTERN_FRAMES = frozenset(("group", "pattern", "triple", "unsure"))
#: The words of a group that are no term (any other word there, "a" and true among them, is).
_GROUP_WORDS = frozenset(
    ("OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SELECT", "WHERE")
    + ("DISTINCT", "REDUCED", "AS", "NOT", "EXISTS", "IN", "LATERAL")
)

_PLAIN_IRI = re.compile(r"[A-Za-z0-9/:._~%?=&+\-@!$*,;]*")
_CODE_WORDS = re.compile(
    "service|from|load|prefix|select|values|graph|having|filter|bind", re.IGNORECASE
)


def _read_as_code_differs(content: str) -> bool:
    """Whether an IRI's content, read as code after a less-than, could mean something else:
    start a comment or string, open or close a bracket, hold a keyword."""
    return not _PLAIN_IRI.fullmatch(content) or _CODE_WORDS.search(content) is not None


def tokens(query: str, predeclared: Mapping[str, str] = PREFIXES) -> Iterator[Token]:
    """Split a query into the tokens that matter here (comments and spaces dropped)."""
    return iter(_Scanner(query, predeclared))


_OPEN_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _may_fail(namespaces: Collection[str], local: str) -> bool:
    """Whether Oxigraph's IRI parser may refuse a prefixed name's IRI. Then, backtracking, it
    reads the bare prefix (e:) and the local part as code: e:SERVICEf:x\\# with e: ending in
    #, or e:SERVICEf:x with e: = <http://x:1>, calls f:x. The IRI is sure to parse when the
    namespace is absolute with its authority closed, and the local part adds no second #, no
    % without two hex digits and no U+FFF0-U+FFFD (no IRI character). With no namespace (an
    unknown prefix) Oxigraph reads neither the name nor its prefix."""
    value = local.replace("\\", "")
    if not value or not namespaces:
        return False
    if _BAD_PERCENT.search(value) or any("\ufff0" <= c <= "\ufffd" for c in value):
        return True
    return any(
        _SCHEME.match(namespace) is None
        or _OPEN_AUTHORITY.fullmatch(namespace) is not None
        or (namespace + value).count("#") > 1
        for namespace in namespaces
    )


# ---------------------------------------------------------------- what the tokens mean

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_LEADS = ("", "TRUE", "FALSE")  # a boolean may come glued before a keyword: trueSERVICE
#: and a query form before its dataset: ASKFROM<g>{…} is ASK FROM <g> {…}
_FROM_LEADS = (*_LEADS, "ASK", "CONSTRUCT")


def _glued(text: str, keyword: str, leads: tuple[str, ...] | None = None) -> str | None:
    """What follows `keyword` if Oxigraph may read it at the start of this token (it matches
    keywords by their letters, case aside, with no word boundary), else None."""
    if leads is None:
        leads = _FROM_LEADS if keyword == "FROM" else _LEADS
    head = text[: len(keyword) + max(map(len, leads))].upper()
    for lead in leads:
        if head.startswith(lead + keyword):
            return text[len(lead) + len(keyword) :]
    return None


def _form(token: Token) -> str | None:
    if token.kind != "word":
        return None
    return next((f for f in QUERY_FORMS if _glued(token.text, f, ("",)) is not None), None)


def query_form(query: str, predeclared: Mapping[str, str] = PREFIXES) -> str | None:
    """The query's form keyword (SELECT, ASK, CONSTRUCT, DESCRIBE), or None if it has none;
    the scan stops there."""
    return next((f for f in map(_form, tokens(query, predeclared)) if f), None)


@dataclass(frozen=True)
class QueryShape:
    """What the scan learnt on the way: the query's form, and whether it may name a graph."""

    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or None if it has none
    names_graphs: bool  # has GRAPH or FROM: it needs the named graphs, not just the merge
    #: has a dataset clause (FROM, FROM NAMED) of its own: a keyword FROM, which SPARQL allows
    #: nowhere else (a subquery has none)
    dataset: bool = False
    #: may read the default graph: False only where every pattern is in a GRAPH block (a
    #: query process then needs no merge beside the named graphs)
    reads_default: bool = True


def _position(query: str, offset: int) -> tuple[int, int]:
    line = query.count("\n", 0, offset) + 1
    return line, offset - (query.rfind("\n", 0, offset) + 1) + 1


def _refuse(query: str, offset: int, message: str) -> QueryRefused:
    line, column = _position(query, offset)
    return QueryRefused(message, line=line, column=column)


def check(
    query: str,
    *,
    max_depth: int,
    allowed_service_prefixes: Iterable[str] = (),
    local_graph_prefixes: Iterable[str] = (),
    predeclared: Mapping[str, str] = PREFIXES,
) -> QueryShape:
    """Raise QueryRefused if the query calls a SERVICE, names a remote graph, or nests too deep.
    `predeclared` are the prefixes the engine knows without a PREFIX line."""
    if _plainly_harmless(query, max_depth):
        return QueryShape(_quick_form(query, predeclared), names_graphs=False, dataset=False)
    services = tuple(allowed_service_prefixes)
    graphs = tuple(local_graph_prefixes) + services
    shape = _check_reading(query, max_depth, services, graphs, predeclared)
    decoded = decode_codepoints(query)
    if decoded != query:  # as a SPARQL 1.1 store reads it
        other = _check_reading(decoded, max_depth, services, graphs, predeclared)
        if other.dataset != shape.dataset:  # whose dataset would the store take?
            raise _refuse(
                query,
                _CODEPOINT.search(query).start(),  # type: ignore[union-attr]
                "this query has a FROM in one reading only: with its \\u escapes decoded "
                "(SPARQL 1.1) or as written (SPARQL 1.2); write the characters themselves",
            )
        return QueryShape(
            shape.form or other.form,
            shape.names_graphs or other.names_graphs,
            shape.dataset or other.dataset,
            shape.reads_default or other.reads_default,
        )
    return shape


#: What the letters of a query must spell somewhere for any reading of it to call out (the
#: keywords, and escapes, which a SPARQL 1.1 store decodes before it reads the query) or to
#: name a graph (GRAPH: the scan tells whether it is a keyword or a word in a comment).
_CALLS = ("SERVICE", "FROM", "LOAD", "\\U", "GRAPH")


def _plainly_harmless(query: str, max_depth: int) -> bool:
    """True for a query that no reading can make call out, name a graph or recurse past the
    limits: its letters spell no SERVICE, FROM, LOAD or GRAPH and it holds no escape (wherever:
    in a comment, a string, an IRI), and it has fewer openers than the depth limit and fewer
    operator characters and group keywords than the chain limit, counted over the whole text.
    Most queries are so, and the full scan (about 0.5 ms a query) is then not needed."""
    upper = query.upper()
    if any(word in upper for word in _CALLS):
        return False
    openers = sum(query.count(c) for c in "({[") + query.count("<<")
    if openers > max_depth:
        return False
    chained = sum(query.count(c) for c in "+-*/!|&=<>^") + sum(upper.count(g) for g in _GROUPS)
    return chained <= max_depth * CHAIN_PER_LEVEL


#: A plain prologue (spaces, comments, PREFIX and BASE lines) and the form keyword after it.
_PROLOGUE = re.compile(
    r"(?:[ \t\r\n]++|\#[^\r\n]*+|(?:PREFIX[ \t\r\n]*+[^ \t\r\n<>:]*+:|BASE)[ \t\r\n]*+<[^<>]*+>)*+"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)",  # possessive: no backtracking on a long prologue
    re.IGNORECASE,
)


def _quick_form(query: str, predeclared: Mapping[str, str]) -> str | None:
    """The form of a query that starts the usual way, without the scan; else by the scan."""
    match = _PROLOGUE.match(query)
    return match[1].upper() if match else query_form(query, predeclared)


def _check_reading(
    query: str,
    max_depth: int,
    services: tuple[str, ...],
    graphs: tuple[str, ...],
    predeclared: Mapping[str, str],
) -> QueryShape:
    toks, scanner = _bounded_tokens(query, predeclared, max_depth)
    prefixes = _prefixes(toks, predeclared)
    form: str | None = None
    names_graphs = dataset = False
    for i, tok in enumerate(toks):
        if tok.kind == "doubt":
            raise _refuse(
                query,
                tok.offset,
                "this < may be less-than or open an IRI, and the two readings differ: "
                "put a space after a less-than, or write the IRI as a prefixed name",
            )
        elif tok.kind in ("word", "pname"):
            form = form or _form(tok)
            names_graphs = names_graphs or _names_graphs(tok, prefixes)
            dataset = dataset or (tok.kind == "word" and _glued(tok.text, "FROM") is not None)
            if tok.kind == "word" and tok.text.upper().startswith("LOAD"):
                raise _refuse(query, tok.offset, "LOAD is not allowed on this endpoint")
            _check_keywords(query, toks, i, prefixes, (services, graphs))
    # DESCRIBE reads the default graph whatever its pattern; a scan that lost the contexts
    # (a prefixed name Oxigraph may read again as code: e:GRAPHh:g) cannot tell either
    reads_default = scanner.reads_default or scanner.lost or form in ("DESCRIBE", None)
    return QueryShape(form, names_graphs or scanner.lost, dataset, reads_default)


def _check_keywords(
    query: str,
    toks: list[Token],
    i: int,
    prefixes: Mapping[str, set[str]],
    allowed: tuple[tuple[str, ...], tuple[str, ...]],
) -> None:
    """Check the SERVICE and FROM Oxigraph may read at toks[i], a word or a prefixed name,
    and in the local part of a prefixed name Oxigraph may read as code."""
    upper = toks[i].text.upper()  # a keyword can only be read where its letters are
    if "SERVICE" in upper:
        _check_targets(query, toks, i, prefixes, ("SERVICE", "SILENT"), allowed[0])
    if "FROM" in upper:
        _check_targets(query, toks, i, prefixes, ("FROM", "NAMED"), allowed[1])
    name, _, local = toks[i].text.partition(":")
    if toks[i].kind != "pname" or not _may_fail(prefixes.get(name, set()), local):
        return
    start = toks[i].offset + len(name) + 1
    code = [Token(t.kind, t.text, start + t.offset) for t in tokens(local)]
    read = code + toks[i + 1 : i + 3]  # a target is at most two tokens on
    for j, tok in enumerate(code):
        if tok.kind in ("word", "pname"):
            _check_keywords(query, read, j, prefixes, allowed)


#: Oxigraph recurses once per operator and per UNION, OPTIONAL … in a row, brackets or not:
#: 7,000 additions or 10,000 UNIONs (under 100 KB) overflow its stack as 4,800 nested
#: brackets do. So a query may chain this many of them per level of nesting it may have.
CHAIN_PER_LEVEL = 16
_OPERATORS = frozenset(("+", "-", "*", "/", "!", "||", "&&", "=", "!=", "<", ">", "<=", ">="))
_OPERATORS |= frozenset(("|", "^"))  # property paths
_GROUPS = frozenset(("UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "SERVICE", "GRAPH"))


def _bounded_tokens(
    query: str, predeclared: Mapping[str, str], max_depth: int
) -> tuple[list[Token], _Scanner]:
    """The query's tokens, refused as soon as they nest deeper than `max_depth` or chain more
    operators and groups than the chain limit: a query of 12,000 brackets is refused after
    the 65th, not after scanning them all in the web process. And the scanner, which read
    them."""
    limit = max_depth * CHAIN_PER_LEVEL
    toks: list[Token] = []
    depth = chained = 0
    scanner = _Scanner(query, predeclared)
    for tok in scanner:
        toks.append(tok)
        if tok.kind == "open":
            depth += 1
            if depth > max_depth:
                raise _refuse(query, tok.offset, f"the query nests deeper than {max_depth} levels")
        elif tok.kind == "close":
            depth = max(0, depth - 1)
        elif (tok.kind == "other" and tok.text in _OPERATORS) or (
            tok.kind == "word" and tok.text.upper() in _GROUPS
        ):
            chained += 1
            if chained > limit:
                raise _refuse(
                    query,
                    tok.offset,
                    f"the query chains more than {limit} operators and groups (+, ||, UNION, "
                    "OPTIONAL…): the engine recurses once for each",
                )
    return toks, scanner


def _names_graphs(token: Token, prefixes: Mapping[str, set[str]]) -> bool:
    upper = token.text.upper()
    if "GRAPH" not in upper and "FROM" not in upper:
        return False
    for keyword in ("GRAPH", "FROM"):
        rest = _glued(token.text, keyword)
        if rest is not None and (token.kind == "word" or _resolve(rest, prefixes)):
            return True
    return False


# ---------------------------------------------------------------- SERVICE and FROM targets


def _readings(toks: list[Token], i: int, keyword: str, modifier: str) -> Iterator[Token | str]:
    """Every target Oxigraph may read for `keyword` at toks[i] (SERVICE or FROM, then maybe
    SILENT or NAMED): a token, or the rest of a token the keyword is glued to."""
    rest = _glued(toks[i].text, keyword)
    if rest is None:
        return
    after = toks[i + 1 : i + 3]
    if rest:  # SERVICEe:x, SERVICESILENT<x>, SERVICESILENTe:x
        more = _glued(rest, modifier, ("",))
        if more == "" and after:
            yield after[0]
        elif more:
            yield more
        yield rest
        return
    if not after:
        return
    more = _glued(after[0].text, modifier, ("",)) if after[0].kind in ("word", "pname") else None
    if more is None:
        yield after[0]
        return
    if more == "" and len(after) > 1:  # SERVICE SILENT <x>
        yield after[1]
    elif more:  # SERVICE SILENTe:x
        yield more
    if after[0].kind == "pname":  # SERVICE silent:x may name the prefix silent:
        yield after[0]


def _check_targets(
    query: str,
    toks: list[Token],
    i: int,
    prefixes: Mapping[str, set[str]],
    words: tuple[str, str],
    allowed: tuple[str, ...],
) -> None:
    """Refuse unless an allowed prefix covers every IRI the keyword at toks[i] may call."""
    keyword, modifier = words
    plain = toks[i].kind == "word" and toks[i].text.upper() == keyword
    called = False
    for target in _readings(toks, i, keyword, modifier):
        where = target.offset if isinstance(target, Token) else toks[i].offset
        if isinstance(target, Token) and target.kind == "var":
            raise _refuse(query, where, _message(keyword, target.text))
        iris = _target_iris(target, prefixes)
        if iris is None:
            continue  # no IRI here: Oxigraph cannot read the keyword so
        called = True
        for iri in sorted(iris):
            if not any(_covers(prefix, iri) for prefix in allowed):
                raise _refuse(query, where, _message(keyword, iri))
    if plain and not called:  # SERVICE with no IRI Oxigraph could call: say so
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        shown = nxt.text if nxt else "nothing"
        raise _refuse(query, nxt.offset if nxt else toks[i].offset, _message(keyword, shown))


def _message(keyword: str, shown: str) -> str:
    if keyword == "SERVICE":
        return (
            f"SERVICE {shown} is refused: this endpoint makes no outgoing requests "
            "(an operator can allow prefixes with ALLOWED_SERVICE_PREFIXES)"
        )
    return (
        f"FROM {shown} is refused: only this dataset's graphs can be queried "
        "(GET /sparql with an RDF Accept header lists them)"
    )


def _target_iris(target: Token | str, prefixes: Mapping[str, set[str]]) -> set[str] | None:
    """The IRIs a target stands for, or None if it is no IRI (then Oxigraph cannot parse it)."""
    if isinstance(target, str):
        return _resolve(target, prefixes)
    if target.kind == "iri":
        return {_decode(target.text[1:-1])}
    if target.kind == "pname":
        return _resolve(target.text, prefixes)
    return None


def _resolve(text: str, prefixes: Mapping[str, set[str]]) -> set[str] | None:
    """A prefixed name's IRIs, one per value its prefix may have; None if it is none."""
    if _PNAME_RE.fullmatch(text) is None:
        return None
    prefix, _, local = text.partition(":")
    namespaces = prefixes.get(prefix)
    if not namespaces:
        return None
    return {namespace + local.replace("\\", "") for namespace in namespaces}  # a\/b is a/b


def _covers(prefix: str, iri: str) -> bool:
    """Whether an allowed prefix covers an IRI. A prefix that ends inside the authority
    (http://ok) would also cover http://ok.evil/, http://ok@evil/ and http://ok:99/, so
    there the IRI must go on with a path, a query or a fragment, or end."""
    if not iri.startswith(prefix):
        return False
    _, sep, after_scheme = prefix.partition("://")
    if sep and not any(c in after_scheme for c in "/?#"):
        return iri[len(prefix) : len(prefix) + 1] in ("", "/", "?", "#")
    return True


def _decode(text: str) -> str:
    """Text with its \\u and \\U escapes read as Oxigraph reads them (\\u+03A is ':'); an
    escape that names no character is kept as written (Oxigraph refuses it)."""

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group()
        return chr(code)

    return _CODEPOINT.sub(one, text)


def decode_codepoints(query: str) -> str:
    """The query as SPARQL 1.1 (section 19.2) reads it: every \\u and \\U escape decoded
    before parsing, anywhere in the text (spargebra's "standard-unicode-escaping")."""
    return _decode(query)


# ---------------------------------------------------------------- prefixes


def _declaration(toks: list[Token], i: int) -> tuple[str, int, Token] | None:
    """The PREFIX declaration at toks[i], if any: (name, index of the name's token, IRI).
    Oxigraph reads PREFIXe:<…> as PREFIX e: <…>."""
    tok = toks[i]
    if tok.kind == "word" and tok.text.upper() == "PREFIX" and i + 2 < len(toks):
        name, iri, at = toks[i + 1], toks[i + 2], i + 1
        text = name.text if name.kind == "pname" else None
    elif tok.kind == "pname" and i + 1 < len(toks):
        rest = _glued(tok.text, "PREFIX", ("",))
        name, iri, at, text = tok, toks[i + 1], i, rest
    else:
        return None
    if text is None or iri.kind != "iri" or not text.endswith(":"):
        return None
    if _PREFIX_NAME.fullmatch(text[:-1]) is None:
        return None
    return text[:-1], at, iri


def _prefixes(toks: list[Token], predeclared: Mapping[str, str]) -> dict[str, set[str]]:
    """Each prefix with every value it may have: a later PREFIX wins in Oxigraph, but the scan
    keeps them all, so a target is allowed only if every reading of it is."""
    known = {name: {namespace} for name, namespace in predeclared.items()}
    for i in range(len(toks)):
        if "PREFIX" not in toks[i].text[:6].upper():  # PREFIX, or PREFIXe: glued
            continue
        declared = _declaration(toks, i)
        if declared:
            name, _, iri = declared
            known.setdefault(name, set()).add(_decode(iri.text[1:-1]))
    return known


def unbound_prefix(query: str, predeclared: Iterable[str]) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix is neither predeclared nor declared with PREFIX,
    as (prefix, line, column); None if every prefix is bound."""
    bound = set(predeclared)
    toks = list(tokens(query))
    names: set[int] = set()  # the tokens that declare a prefix rather than use one
    for i in range(len(toks)):
        if "PREFIX" not in toks[i].text[:6].upper():  # PREFIX, or PREFIXe: glued
            continue
        declared = _declaration(toks, i)
        if declared:
            bound.add(declared[0])
            names.add(declared[1])
    for i, tok in enumerate(toks):
        prefix = tok.text.partition(":")[0]
        if tok.kind == "pname" and i not in names and prefix not in bound:
            line, column = _position(query, tok.offset)
            return prefix, line, column
    return None
