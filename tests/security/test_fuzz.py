"""Issue 11: the guard, fuzzed differentially against Oxigraph's own parser.

A seeded generator writes queries that mix comments (ended by LF, CR or CRLF), every string
form with good and bad escapes, IRIs with \\u escapes, prefixed names with escapes, keywords in
any case and glued to their neighbours, SILENT, SERVICE/FROM/FROM NAMED/LOAD, nested groups
and VALUES, around tricks that once hid a SERVICE from the guard. Their targets are a loopback
listener that records connections (nothing may reach it) and an allowed prefix on a closed port
(calls to it fail at once). Each query the guard accepts is evaluated by pyoxigraph in this
process, with no sandbox: the listener must have had no connection at the end. Then the corpus
is shown to have teeth: refused queries of every trick do connect when evaluated without the
guard. A few hundred also go through the real endpoint: no 5xx, no connection.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import requests
from helpers import LiveServer, contacts, free_port

from kg.errors import QueryRefused
from kg.store.guard import check

SEED = 11  # the number; the bounds asserted below hold for it
COUNT = 10_000
ENDPOINT_COUNT = 300
PER_TRICK = 20  # refused queries of each trick evaluated without the guard
MAX_DEPTH = 64  # the server's default MAX_QUERY_DEPTH
LOCAL_GRAPH = "https://w3id.org/cakg/graph/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Places:
    """Where generated queries point: `evil` must never be reached, `allowed` may be."""

    evil: str  # http://127.0.0.1:PORT, the listener
    allowed: str  # http://127.0.0.1:PORT, a closed port, allowed as `allowed + "/"`

    @property
    def prefixes(self) -> list[str]:
        return [self.allowed + "/"]


@dataclass(frozen=True)
class Generated:
    text: str
    tricks: frozenset[str]  # the tricks it holds, to show each one has teeth


# ---------------------------------------------------------------- the generator

#: Tricks that once hid a SERVICE from the guard, or would were it careless: a template where
#: {service} is a whole SERVICE clause, {keyword} the word SERVICE, {target} what it calls. The
#: store below holds the triples their patterns need, so that Oxigraph calls the service.
ENGINE_TRICKS = {
    "plain": "{service}",
    "after-a-triple": "?s ?p ?o . {service}",
    "comment-cr": "#x\r{service}",
    "comment-crlf": "#x\r\n{service}",
    "less-than-iri": "FILTER(1<2){keyword}#>\n{target} {{ }}",
    "less-than-iri-in-a-call": "FILTER(STR(1<2)){keyword}#>\n{target} {{ }}",
    "escaped-iri-hash": "BIND(<http://a/\\u0041#> AS ?h) . {service}",
    "plus-escaped-iri-hash": "BIND(<http://a/\\u+041#> AS ?h) . {service}",
    "glued-true": "?s ?p true{service}",
    "glued-double": "?s ?p 1e5{service}",
    "glued-dots": "?s ?p e:a.b.{service}",
    "glued-target": "{keyword}e:x {{ }}",
    "prefix-named-service": "service:x {{ }}",
    "prefix-named-silent": "{keyword} silent:x {{ }}",
    "long-string-bad-escape": "VALUES ?z {{ '''a' }} {service} # \\q'''\n",
    "long-string-surrogate": "VALUES ?z {{ '''a' }} {service} # \\uD800'''\n",
    "collection": "OPTIONAL {{ ?s ?p (?a <http://x/#y> ) }} . {service}",
    "triple-term": "BIND(<<( ?s <http://p/#> ?o )>> AS ?t) {service}",
    "name-with-a-bad-iri": "?s ?p h:{keyword}e:x\\# {{ }}",
    "name-breaking-a-port": "?s ?p k:{keyword}e:x {{ }}",
    "name-breaking-a-port-before-a-filter": "?s ?p k:FILTER(?s<2){keyword}#>\n{target} {{ }}",
    "nested": "{{ OPTIONAL {{ {service} }} }}",
    "subquery": "{{ SELECT * {{ {service} }} }}",
    "exists": "FILTER EXISTS {{ {service} }}",
}
#: Tricks for a SPARQL 1.1 store, which decodes \u escapes before parsing: Oxigraph 0.5 reads
#: them as errors or comments, a store of the remote mode may call the service.
SPARQL11_TRICKS = {
    "escaped-keyword": "SERVIC\\u0045 {target} {{ }}",
    "escaped-line-end": "# \\u000A {service}\n",
}
BENIGN = [
    "?s ?p ?o",
    "?s <http://p/#> ?o",
    "FILTER(?o != <http://x/#y>)",
    "FILTER(?a<?b&&?c>?d)",
    "FILTER(?o<3)",
    "OPTIONAL { ?s ?p ?x FILTER(?x<2) }",
    "VALUES (?a ?b) { (1 <http://x/#y>) (UNDEF 'z') }",
    "BIND('SERVICE <EVIL/x> {}' AS ?q)",
    'BIND("""a " \\" SERVICE <EVIL/x> {}""" AS ?q)',
    "?s ?p 'it''s'",
    "# SERVICE <EVIL/x> {}\n?s ?p ?o",
]


class Generator:
    """Random queries over `places`, reproducible from the seed: each one holds a trick around
    a SERVICE clause, among spaces, line ends, comments, strings, escapes and other clauses."""

    def __init__(self, seed: int, places: Places) -> None:
        self.r = random.Random(seed)
        self.places = places
        self.tricks: set[str] = set()

    def query(self) -> Generated:
        self.tricks = set()
        text = self._prologue() + self._form() + self._dataset() + self._where() + self._tail()
        if self.r.random() < 0.15:
            text = self._mutate(text)
            self.tricks.add("mutated")
        return Generated(text.replace("EVIL", self.places.evil), frozenset(self.tricks))

    # -- small pieces

    def _pick(self, *choices: str) -> str:
        return self.r.choice(choices)

    def _keyword(self, word: str) -> str:
        """A keyword in any case."""
        roll = self.r.random()
        if roll < 0.4:
            return word
        if roll < 0.6:
            return word.lower()
        return "".join(c.lower() if self.r.random() < 0.5 else c for c in word)

    def _gap(self) -> str:
        """What separates two tokens: spaces, line ends, comments, or nothing (glue)."""
        roll = self.r.random()
        if roll < 0.45:
            return " "
        if roll < 0.55:
            self.tricks.add("glued")
            return ""
        if roll < 0.8:
            return self._pick("\n", "\r", "\r\n", "\t", "  \n ")
        self.tricks.add("comment")
        junk = self._pick("", "x", ">", "'", '"', "<", "{", " SERVICE <EVIL/c> {}", "\\u000A x")
        return " #" + junk + self._pick("\n", "\r", "\r\n")

    def _escape(self, text: str) -> str:
        """Some characters as \\u escapes, in every form Oxigraph decodes in an IRI."""
        out = []
        for c in text:
            if self.r.random() < 0.08:
                self.tricks.add("iri-escape")
                code = ord(c)
                out.append(self._pick(f"\\u{code:04X}", f"\\U{code:08x}", f"\\u+{code:03X}"))
            else:
                out.append(c)
        return "".join(out)

    def _iri(self, base: str, path: str = "x") -> str:
        text = f"{base}/{path}"
        return "<" + (self._escape(text) if self.r.random() < 0.3 else text) + ">"

    def _string(self) -> str:
        """A string in one of the four forms, with good escapes or, now and then, bad ones."""
        good = ["a", " ", "SERVICE <EVIL/s> {}", '\\"', "\\'", "\\n", "\\\\", "\\u0041", "#"]
        good += ["\\u0022", "\\u0027", "\\U0001F600", "}"]
        bad = ["\\uD800", "\\q", "'", '"', "''", "\n", "\r"]
        pieces = good + bad if self.r.random() < 0.2 else good
        body = "".join(self.r.choice(pieces) for _ in range(self.r.randrange(4)))
        self.tricks.add("string")
        quote = self._pick("'", '"', "'''", '"""')
        return quote + body + quote

    # -- what SERVICE and FROM name

    def _target(self) -> str:
        evil, allowed = self.places.evil, self.places.allowed
        roll = self.r.random()
        if roll < 0.3:
            return self._iri(evil)
        if roll < 0.5:
            return self._iri(allowed)
        if roll < 0.55:
            self.tricks.add("lookalike")
            host = evil.removeprefix("http://")
            return self._pick(
                f"<{allowed}\\u0040{host}/x>", f"<{allowed}@{host}/x>", f"<{allowed}0/x>"
            )
        if roll < 0.85:
            self.tricks.add("prefixed-name")
            return self._pick("e:x", "e:", "e:a\\/b", "e:%41", "e:a.b", ":x", "a:x")
        if roll < 0.95:
            self.tricks.add("variable")
            return self._pick("?u", "$u")
        return self._pick("<x>", "<>")

    def _service(self) -> str:
        silent = self._keyword("SILENT") + self._gap() if self.r.random() < 0.3 else ""
        inner = self._pick("", "?a ?b ?c", "{ }")
        return f"{self._keyword('SERVICE')}{self._gap()}{silent}{self._target()} {{{inner}}}"

    def _trick(self) -> str:
        if self.r.random() < 0.15:  # some queries call nothing: the endpoint answers them
            self.tricks.add("no-service")
            return "?s ?p ?o"
        tricks = ENGINE_TRICKS if self.r.random() < 0.95 else SPARQL11_TRICKS
        name = self.r.choice(sorted(tricks))
        self.tricks.add(name)
        return tricks[name].format(
            service=self._service(), keyword=self._keyword("SERVICE"), target=self._target()
        )

    # -- the query's parts

    def _prologue(self) -> str:
        """PREFIX lines for e: (always), and maybe :, a:, service: and silent:, each to the
        listener or the allowed place, now and then glued or declared twice; h: and k: have
        namespaces a local part can make a bad IRI of (a second #, a port with letters)."""
        names = ["e", *self.r.sample(["", "a", "service", "silent", "e"], self.r.randrange(4))]
        lines = ["PREFIX h: <http://x/#>", "PREFIX k: <http://x:1>"]
        for name in names:
            base = self._pick(self.places.evil, self.places.allowed)
            glue = "" if self.r.random() < 0.1 else " "
            if not glue:
                self.tricks.add("glued-prefix")
            lines.append(f"{self._keyword('PREFIX')}{glue}{name}: {self._iri(base, '')}")
        if self.r.random() < 0.05:
            self.tricks.add("base")
            lines.append(f"BASE {self._iri(self.places.evil, '')}")
        return "".join(line + self._gap() for line in lines)

    def _form(self) -> str:
        return self._pick(
            "SELECT * ",
            "SELECT ?s ",
            "select distinct ?s (STR(?o) AS ?l) ",
            "ASK ",
            "CONSTRUCT { ?s ?p ?o } ",
            "DESCRIBE ?s ",
        )

    def _dataset(self) -> str:
        if self.r.random() < 0.85:
            return ""
        self.tricks.add("from")
        named = self._keyword("NAMED") + self._gap() if self.r.random() < 0.4 else ""
        graph = self._pick(f"<{LOCAL_GRAPH}g>", self._target())
        return self._keyword("FROM") + self._gap() + named + graph + " "

    def _where(self) -> str:
        where = self._keyword("WHERE") + self._gap() if self.r.random() < 0.5 else ""
        parts = [self._benign() for _ in range(self.r.randrange(3))]
        parts.insert(self.r.randrange(len(parts) + 1), self._trick())
        return where + "{ ?s ?p ?o ." + self._gap() + (" ." + self._gap()).join(parts) + "\n}"

    def _benign(self) -> str:
        roll = self.r.random()
        if roll < 0.2:
            return f"BIND({self._string()} AS ?q{self.r.randrange(9)})"
        if roll < 0.25:
            self.tricks.add("load")
            return f"LOAD {self._iri(self.places.evil)}"
        return self.r.choice(BENIGN)

    def _tail(self) -> str:
        return self._pick(
            "", "\nLIMIT 3", "\nORDER BY ?s <http://www.w3.org/2001/XMLSchema#string>(?o)"
        )

    def _mutate(self, text: str) -> str:
        """Characters that change how the rest reads, put anywhere; or a piece dropped."""
        inserts = ["<", ">", "#", "'", '"', "\\", "\r", "\n", " ", "{", "}", "(", ")", ".", ":"]
        inserts += ["\\u0023", "\\u000A", "'''", "true", "SERVICE", "SILENT"]
        for _ in range(self.r.randrange(1, 3)):
            at = self.r.randrange(len(text) + 1)
            if self.r.random() < 0.7:
                text = text[:at] + self.r.choice(inserts) + text[at:]
            else:
                text = text[:at] + text[at + self.r.randrange(1, 4) :]
        return text


def corpus(places: Places, seed: int = SEED, count: int = COUNT) -> Iterator[Generated]:
    generator = Generator(seed, places)
    for _ in range(count):
        yield generator.query()


# ---------------------------------------------------------------- running queries


def trick_store(places: Places) -> ox.Store:
    """A store where the tricks' patterns match (?s ?p true, ?s ?p 1e5, ?s ?p e:a.b, ?s ?p h:,
    ?s ?p k:), so that Oxigraph goes on to call the SERVICE after them."""
    s, p = ox.NamedNode("http://s/"), ox.NamedNode("http://p/")
    objects: list[ox.NamedNode | ox.Literal] = [
        ox.NamedNode("http://o/"),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("1e5", datatype=ox.NamedNode(XSD + "double")),
        ox.NamedNode(places.evil + "/a.b"),
        ox.NamedNode(places.allowed + "/a.b"),
        ox.NamedNode("http://x/#"),
        ox.NamedNode("http://x:1"),
    ]
    store = ox.Store()
    store.extend(ox.Quad(s, p, o) for o in objects)
    return store


def evaluate(store: ox.Store, query: str) -> bool:
    """Run a query unguarded and read its answer; whether Oxigraph parsed it (a call to the
    allowed closed port fails, and so may the query, after parsing)."""
    try:
        answer = store.query(query)
        if isinstance(answer, ox.QueryBoolean):
            bool(answer)
        else:
            list(answer)
    except SyntaxError:
        return False
    except Exception:  # noqa: BLE001 - any failure after parsing will do
        return True
    return True


def refused(query: str, places: Places) -> bool:
    try:
        check(
            query,
            max_depth=MAX_DEPTH,
            allowed_service_prefixes=places.prefixes,
            local_graph_prefixes=[LOCAL_GRAPH],
        )
    except QueryRefused:
        return True
    return False


def closed_port_url() -> str:
    """A loopback port nothing listens on: a call to it is refused at once."""
    return f"http://127.0.0.1:{free_port()}"


@dataclass
class Tally:
    refused: list[Generated] = field(default_factory=list)
    accepted: int = 0
    parsed: int = 0  # accepted, and parsed by Oxigraph
    connected: list[str] = field(default_factory=list)  # accepted, and reached the listener


def run_guarded(places: Places, hits: list[int]) -> Tally:
    """Every query through the guard; those it accepts, through Oxigraph unguarded."""
    store = trick_store(places)
    tally = Tally()
    for generated in corpus(places):
        if refused(generated.text, places):
            tally.refused.append(generated)
            continue
        tally.accepted += 1
        before = len(hits)
        tally.parsed += evaluate(store, generated.text)
        if len(hits) > before:  # the listener counts a connection before it hangs up
            tally.connected.append(generated.text)
    return tally


def teeth(places: Places, hits: list[int], refused_queries: list[Generated]) -> Counter[str]:
    """For each trick, how many of its first refused (unmutated) queries connect when
    evaluated without the guard."""
    store = trick_store(places)
    by_trick: dict[str, list[str]] = {}
    for generated in refused_queries:
        if "mutated" not in generated.tricks:
            for trick in generated.tricks:
                by_trick.setdefault(trick, []).append(generated.text)
    connecting: Counter[str] = Counter()
    for trick, queries in sorted(by_trick.items()):
        for query in queries[:PER_TRICK]:
            before = len(hits)
            evaluate(store, query)
            connecting[trick] += len(hits) > before
    return connecting


def test_no_query_the_guard_accepts_reaches_the_network(
    listener: tuple[str, list[int]], record_property: Callable[[str, Any], None]
) -> None:
    places = Places(evil=listener[0], allowed=closed_port_url())
    started = time.monotonic()
    tally = run_guarded(places, listener[1])
    summary = {
        "seed": SEED,
        "generated": COUNT,
        "refused": len(tally.refused),
        "accepted": tally.accepted,
        "accepted_and_parsed": tally.parsed,
        "seconds": round(time.monotonic() - started, 1),
    }
    for key, value in summary.items():
        record_property(key, value)
    print(f"\nfuzz: {summary}")
    assert tally.connected == [], f"accepted, yet connected: {tally.connected[:5]!r}"
    assert contacts(listener) == []
    # Neither side is trivial: many queries are refused, many accepted ones really run.
    assert 0.2 * COUNT < len(tally.refused) < 0.8 * COUNT
    assert tally.parsed > 0.15 * COUNT

    # The corpus has teeth: a guard that let any trick through would have failed above.
    connecting = teeth(places, listener[1], tally.refused)
    print(f"refused queries that connect without the guard, by trick: {dict(connecting)}")
    record_property("refused_that_connect_unguarded", sum(connecting.values()))
    assert [trick for trick in ENGINE_TRICKS if not connecting[trick]] == []


def test_the_endpoint_answers_fuzzed_queries_without_5xx_or_contact(
    server: LiveServer, listener: tuple[str, list[int]]
) -> None:
    places = Places(evil=listener[0], allowed=closed_port_url())
    statuses: Counter[int] = Counter()
    with requests.Session() as session:
        for generated in corpus(places, seed=SEED + 1, count=ENDPOINT_COUNT):
            answer = session.post(
                server.endpoint,
                data=generated.text.encode(),
                headers={"Content-Type": "application/sparql-query"},
                timeout=30,
            )
            statuses[answer.status_code] += 1
            assert answer.status_code < 500, (generated.text, answer.text)
    print(f"\nendpoint statuses: {dict(statuses)}")
    assert contacts(listener) == []
    assert statuses[400] > 0 and statuses[200] > 0
