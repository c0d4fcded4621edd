"""A seeded property test of the write path, on the embedded store and on the remote stores
(`oxigraph serve`, and Virtuoso where it is installed), each behind a real `kg serve`.

Each seed drives one server through a random sequence of writes — submissions, Graph Store
PUT (new and replacing), POST (merging; also as multipart/form-data uploads), DELETE, reverts,
submissions restating triples of the base graph that are then taken away, blank nodes,
refused writes (every kind in turn), and restarts on the same store (one clean, one killed)
— while the test keeps a model of its own: the base triples (build/cakg.nq) and, per live
submission, the triples its curator sent.
After every step, everything the server serves is compared with the model: the default graph
(SPARQL and Graph Store), each submission graph, the dumps, the served quads, the list of
submissions, and the validation context (a probe that conforms only on the whole base graph).
Blank nodes are compared by colour refinement (isomorphism where it separates every blank
node, which it does here; counts where it cannot).

Every disagreement of a step is collected, and a seed's test fails at its end with all of
them, grouped, each with the step that first showed it; the steps are printed for replay.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pyoxigraph as ox
import pytest
import requests
from helpers import BASE, KG, PREFIXES, QUOTE, XSD, LiveServer, in_modes, mode_settings, prefixed

#: More seeds or steps for a longer run: KG_WRITE_PATH_SEEDS="1 2 3 4", KG_WRITE_PATH_STEPS=40.
SEEDS = [int(s) for s in os.environ.get("KG_WRITE_PATH_SEEDS", "23").split()]
#: Steps per seed: a remote store's checks read the whole store several times (its dumps,
#: its default graph), 5-10 s a step on Virtuoso, so the remote modes take fewer steps; the
#: write path they share with the embedded store is walked 12 steps there.
STEPS = int(os.environ.get("KG_WRITE_PATH_STEPS", "12"))  # each write and probe validates: ~1 s
REMOTE_STEPS = int(os.environ.get("KG_WRITE_PATH_STEPS", "8"))
#: The validation probe (a whole-graph validation, 1.5-3 s) runs after every Nth step and the
#: last: it was two thirds of the test's time when it ran after each (KG_WRITE_PATH_PROBE_EVERY=1)
PROBE_EVERY = int(os.environ.get("KG_WRITE_PATH_PROBE_EVERY", "3"))

SUBMISSION = BASE + "graph/submission/"
CURATOR = BASE + "curator/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PROV_ATTRIBUTED = "<http://www.w3.org/ns/prov#wasAttributedTo>"
KG_YEAR = f"<{KG}year>"
DATES = {f"<{KG}date>", f"<{KG}startDate>", f"<{KG}endDate>"}
DATE_LITERAL = re.compile(r'"(\d{4})[^"]*"\^\^<' + re.escape(XSD) + r"(?:date|gYearMonth|gYear)>")

CURATORS = {"alice": "tok-alice", "bob": "tok-bob"}
SETTINGS: dict[str, Any] = {
    "CURATOR_TOKENS": " ".join(f"{name}={token}" for name, token in CURATORS.items()),
    "WRITE_RATE_PER_MINUTE": 100_000,
    "QUERY_SECONDS_PER_MINUTE": 100_000,
    "VALIDATION_SECONDS_PER_MINUTE": 100_000,  # the probe validates anonymously, every step
    "MAX_CONCURRENT_PER_CLIENT": 8,
    # the model checks what is answered, not how fast: on a loaded machine a remote store's
    # dump once took over the 10 s default and the probe saw a 503 (deadlines: security tests)
    "QUERY_TIMEOUT_S": 60,
}
NT = "application/n-triples"
TIMEOUT = 120

#: Triples of the base graph a submission may restate. Khiva's country is what the probe
#: needs: without it Khiva breaks CityShape and no validation conforms.
RESTATABLE = [
    "<https://w3id.org/cakg/city/khiva> <https://w3id.org/cakg/ontology#country> "
    "<https://w3id.org/cakg/country/uz> .",
    '<https://w3id.org/cakg/city/khiva> <http://www.w3.org/2000/01/rdf-schema#label> "Khiva"@en .',
    "<https://w3id.org/cakg/city/khiva> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/cakg/ontology#City> .",
]
#: Verbatim quotes of document 000 (its evidence in the base graph).
QUOTES = [
    QUOTE,
    "the “Lazgi” International Dance Festival held in Khiva on April 25–30, 2022",
    "representatives of Kazakhstan took part in the “Lazgi” International Dance Festival "
    "held in Khiva on April 25–30, 2022",
]
DOC = "doc:000_74681c818d2b02ab"
#: Blank nodes within blank nodes, each of a class the shapes check (an untyped one is refused)
PARTICIPATION = (
    "[ a kg:Participation ; kg:agent <https://w3id.org/cakg/country/kz> ;\n"
    "        kg:hadRole <https://w3id.org/cakg/vocab/participation-role/participant> ;\n"
    f'        kg:evidence [ a kg:Evidence ; kg:source {DOC} ; kg:quote "{QUOTES[2]}" ] ]'
)

Statement = tuple[str, ...]  # terms in N-Triples syntax; three, or four with the graph


# ------------------------------------------------------------------ terms and graphs


#: Virtuoso 7 has no boolean type (1 and 0) and gives integers past 32 bits as xsd:decimal
#: (docs/remote-stores.md; the differential test's KNOWN): the same values, read back so.
_VIRTUOSO_SPELLINGS = {
    f'"1"^^<{XSD}boolean>': f'"true"^^<{XSD}boolean>',
    f'"0"^^<{XSD}boolean>': f'"false"^^<{XSD}boolean>',
}
_DECIMAL_INTEGER = re.compile(r'"(-?\d+)"\^\^<' + re.escape(XSD) + r"decimal>")


def read_back(statement: Statement) -> Statement:
    """A statement as Virtuoso spells it, with its object read back as the value it is."""
    s, p, o, *graph = statement
    o = _VIRTUOSO_SPELLINGS.get(o, o)
    o = _DECIMAL_INTEGER.sub(lambda m: f'"{m[1]}"^^<{XSD}integer>', o)
    return (s, p, o, *graph)


def statements(data: bytes, fmt: ox.RdfFormat) -> list[Statement]:
    """The statements of a document, every term in N-Triples syntax; a graph format gives
    triples, N-Quads gives quads."""
    out: list[Statement] = []
    for quad in ox.parse(data, format=fmt, rename_blank_nodes=True):
        terms = (str(quad.subject), str(quad.predicate), str(quad.object))
        if fmt == ox.RdfFormat.N_QUADS:
            out.append((*terms, str(quad.graph_name)))
        else:
            out.append(terms)
    return out


def json_term(term: dict[str, str]) -> str:
    """A SPARQL JSON results term in N-Triples syntax."""
    key = tuple(sorted(term.items()))
    if key not in _TERMS:
        _TERMS[key] = _json_term(term)
    return _TERMS[key]


_TERMS: dict[tuple[tuple[str, str], ...], str] = {}


def _json_term(term: dict[str, str]) -> str:
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return str(ox.NamedNode(value))
    if kind == "bnode":
        return "_:" + re.sub(r"[^A-Za-z0-9_]", "_", value)
    if "xml:lang" in term:
        return str(ox.Literal(value, language=term["xml:lang"]))
    if "datatype" in term:
        return str(ox.Literal(value, datatype=ox.NamedNode(term["datatype"])))
    return str(ox.Literal(value))


@dataclass(frozen=True)
class Canonical:
    """Statements without blank nodes as a set; those with blank nodes as a multiset, each
    blank node named by its colour under colour refinement; and whether the colours tell
    every blank node apart. Isomorphic sets give equal forms; when every blank node has a
    colour of its own, equal forms are isomorphic sets. (rdflib.compare takes 25 s on this
    graph; this takes a few milliseconds.)"""

    ground: frozenset[Statement]
    blank: Counter[Statement]
    exact: bool

    def statements(self) -> Counter[Statement]:
        return Counter(self.ground) + self.blank


def canonical(found: Iterable[Statement]) -> Canonical:
    ground: set[Statement] = set()
    touching: dict[str, list[Statement]] = defaultdict(list)
    for statement in set(found):
        nodes = {t for t in statement if t.startswith("_:")}
        if not nodes:
            ground.add(statement)
        for node in nodes:
            touching[node].append(statement)
    colour: dict[str, str] = dict.fromkeys(touching, "")
    classes = 1 if colour else 0
    while colour:
        fresh = {}
        for node, around in touching.items():
            seen = sorted(
                tuple("@" if t == node else colour.get(t, t) for t in statement)
                for statement in around
            )
            fresh[node] = f"{hash((colour[node], *seen)) & 0xFFFFFFFFFFFF:012x}"
        colour = fresh
        now = len(set(colour.values()))
        if now == classes:
            break  # stable: no class split
        classes = now
    blank = Counter(
        tuple(f"_:c{colour[t]}" if t in colour else t for t in statement)
        for statement in {st for around in touching.values() for st in around}
    )
    return Canonical(frozenset(ground), blank, len(set(colour.values())) == len(colour))


def years(triples: Iterable[Statement]) -> set[Statement]:
    """kg:year of every year a dated subject touches, as the build derives them (computed
    here on its own: a span from 2023 to 2025 touches 2023, 2024 and 2025)."""
    spans: dict[str, list[int]] = defaultdict(list)
    for s, p, o in triples:
        if p in DATES and (m := DATE_LITERAL.fullmatch(o)):
            spans[s].append(int(m[1]))
    return {
        (s, KG_YEAR, f'"{y}"^^<{XSD}integer>')
        for s, found in spans.items()
        for y in range(min(found), max(found) + 1)
    }


def short(text: str) -> str:
    """Terms in N-Triples syntax for messages: each IRI prefixed where it can be, the whole
    cut at 100 characters."""
    return re.sub(r"<([^<>]*)>", lambda m: f"<{prefixed(m[1]) or m[1]}>", text)[:100]


def diff(expected: Iterable[Statement] | Canonical, served: Iterable[Statement]) -> str | None:
    """None when equal up to blank node names, else what is missing and what is extra."""
    want = expected if isinstance(expected, Canonical) else canonical(expected)
    got = canonical(served)
    if want.ground == got.ground and want.blank == got.blank:
        return None
    missing = want.statements() - got.statements()
    extra = got.statements() - want.statements()
    lines = [
        f"{sum(missing.values())} missing, {sum(extra.values())} extra"
        + ("" if want.exact and got.exact else " (blank nodes compared by count)")
    ]
    for label, part in (("missing", missing), ("extra", extra)):
        for statement in sorted(part)[:6]:
            lines.append(f"  {label}: " + " ".join(short(t) for t in statement))
        if len(part) > 6:
            lines.append(f"  … and {len(part) - 6} more {label}")
    return "\n".join(lines)


def submission_graph_diff(sent: set[Statement], served: Iterable[Statement]) -> str | None:
    """A submission graph holds what the curator sent, with the kg:year derived from its dates
    (all of them or, as a server may leave derived triples out, none)."""
    derived = years(sent)
    found = list(served)
    with_years = diff(sent | derived, found)
    if with_years is None or not derived:
        return with_years
    without = diff(sent, found)
    return None if without is None else with_years


def predicates_of(detail: str) -> str:
    """What a diff is about, for grouping the same failure over steps."""
    found = sorted(set(re.findall(r"(missing|extra): \S+ (\S+)", detail)))
    return ", ".join(f"{kind} {p}" for kind, p in found[:6])


# ------------------------------------------------------------------ additions


@dataclass
class Body:
    """An addition as Turtle, with what it says as the model holds it."""

    turtle: str
    triples: set[Statement]
    restates: bool = False


def parse_body(turtle: str) -> set[Statement]:
    return set(statements(turtle.encode(), ox.RdfFormat.TURTLE))


def event_ttl(rng: random.Random, slug: str, evidence: str) -> str:
    """A festival in Khiva (some dated by a year, a month or a span of years), with a
    participation (blank nodes within blank nodes) now and then; `evidence` is the blank node
    (or list) to cite."""
    when = rng.choice(
        [
            '    kg:date "2024"^^xsd:gYear ;\n',
            '    kg:date "2022-05"^^xsd:gYearMonth ;\n',
            '    kg:startDate "2021-11-02"^^xsd:date ; kg:endDate "2023-01-15"^^xsd:date ;\n',
            "",
        ]
    )
    extra = rng.choice(["", f"    kg:participation {PARTICIPATION} ;\n"])
    return (
        f"<https://w3id.org/cakg/event/{slug}> a kg:CulturalEvent ;\n"
        f'    rdfs:label "Festival {slug}"@en ;\n'
        "    kg:eventType etype:festival ;\n"
        "    kg:status status:happened ;\n"
        "    kg:location city:khiva ;\n"
        f"{when}{extra}"
        f"    kg:evidence {evidence} .\n"
    )


def evidence_ttl(rng: random.Random) -> str:
    return f'[ a kg:Evidence ; kg:source {DOC} ; kg:quote "{rng.choice(QUOTES)}" ]'


def make_body(rng: random.Random, slug: str, restate: bool = False) -> Body:
    """One to three festivals; two of them may share a labelled evidence node."""
    count = rng.choice([1, 1, 2, 3])
    shared = count > 1 and rng.random() < 0.5
    text = PREFIXES
    if shared:
        text += f'_:ev a kg:Evidence ; kg:source {DOC} ; kg:quote "{rng.choice(QUOTES)}" .\n'
    for i in range(count):
        text += event_ttl(rng, f"{slug}-{i}", "_:ev" if shared else evidence_ttl(rng))
    if restate:
        chosen = [RESTATABLE[0]] + [t for t in RESTATABLE[1:] if rng.random() < 0.5]
        text += "\n".join(chosen) + "\n"
    return Body(text, parse_body(text), restate)


#: Writes the server must refuse, changing nothing: (kind, the status it must answer).
INVALID: list[tuple[str, int]] = [
    ("not_conforming", 422),  # a CulturalEvent whose status is planned
    ("paraphrased_quote", 422),
    ("syntax_error", 400),
    ("empty", 422),
    ("blank_nodes_only", 422),
    ("ontology_iri", 409),
    ("engine_refuses_iri", 400),  # bad percent-encoding: rdflib reads it, Oxigraph does not
    ("no_token", 401),
    ("wrong_token", 403),
    ("not_a_submission_graph", 403),
    ("form_without_rdf", 400),
    ("unknown_media_type", 415),
]


#: Refused writes of other kinds, the last four to a live submission graph.
REFUSALS = [kind for kind, _ in INVALID] + [
    "missing_delete",
    "other_curator_put",
    "other_curator_delete",
    "invalid_merge",
    "invalid_replace",
]
NEEDS_LIVE = set(REFUSALS[-4:])
#: How a submission restating base triples is taken away: reverted, deleted by the Graph
#: Store, or replaced by a PUT of content that does not (or does) restate them.
TAKE_AWAYS = ["revert", "gsp_delete", "put_plain", "put_restating"]


def invalid_turtle(rng: random.Random, name: str, slug: str) -> str:
    ok = make_body(rng, slug).turtle
    if name == "not_conforming":
        return ok.replace("status:happened", "status:planned")
    if name == "paraphrased_quote":
        text = PREFIXES + event_ttl(
            rng,
            slug,
            f'[ a kg:Evidence ; kg:source {DOC} ; kg:quote "Kazakhs went to a festival" ]',
        )
        return text
    if name == "syntax_error":
        return ok.replace(" ;\n", " ;;; zz:nope\n", 1)
    if name == "empty":
        return PREFIXES
    if name == "blank_nodes_only":
        return PREFIXES + '[] rdfs:label "anonymous"@en ; kg:status status:happened .\n'
    if name == "ontology_iri":
        return PREFIXES + 'kg:CulturalEvent rdfs:label "Hijacked"@en .\n'
    if name == "engine_refuses_iri":
        return ok + f'<https://w3id.org/cakg/event/{slug}%zz> rdfs:label "bad"@en .\n'
    return ok


# ------------------------------------------------------------------ the model


@dataclass
class Live:
    curator: str
    triples: set[Statement]  # what the curator sent (the union, after merges)
    bodies: list[Body] = field(default_factory=list)

    def stored(self) -> set[Statement]:
        """The submission graph as the model expects it: the triples and their years."""
        return self.triples | years(self.triples)

    def subjects(self) -> set[str]:
        return {s for s, _, _ in self.triples if s.startswith("<")}


@dataclass
class Model:
    base_quads: set[Statement]
    live: dict[str, Live] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)  # deleted ids, newest last

    @classmethod
    def from_build(cls, built: Path) -> Model:
        return cls(set(statements((built / "cakg.nq").read_bytes(), ox.RdfFormat.N_QUADS)))

    def default_graph(self) -> set[Statement]:
        merged = {q[:3] for q in self.base_quads}
        for live in self.live.values():
            merged |= live.stored()
        return merged

    def quads(self) -> set[Statement]:
        out = set(self.base_quads)
        for sid, live in self.live.items():
            out |= {(*t, f"<{SUBMISSION}{sid}>") for t in live.stored()}
        return out

    def provenance_subjects(self) -> set[str]:
        """What the server says about live submissions: their graphs and their curators."""
        return {f"<{SUBMISSION}{sid}>" for sid in self.live} | {
            f"<{CURATOR}{live.curator}>" for live in self.live.values()
        }

    def clashes(self, sid: str | None, curator: str, subjects: set[str]) -> bool:
        """Whether another curator's live submission describes one of these subjects."""
        return any(
            live.curator != curator and live.subjects() & subjects
            for other, live in self.live.items()
            if other != sid
        )


# ------------------------------------------------------------------ the service


class Service:
    """`kg serve` over one store, restartable on the same store, and the model beside it."""

    def __init__(self, mode: str, built: Path, logs: Path, settings: dict[str, Any]) -> None:
        self.mode = mode
        self.built = built
        self.logs = logs
        self.settings = settings
        self.model = Model.from_build(built)
        self.server = LiveServer(built, logs, **settings)
        self.http = requests.Session()

    @property
    def url(self) -> str:
        return self.server.url

    def restart(self, kill: bool) -> None:
        if kill:  # no clean shutdown
            self.server.process.kill()
            self.server.process.wait(timeout=30)
        self.server.stop()
        self.server = LiveServer(self.built, self.logs, **self.settings)

    def stop(self) -> None:
        self.server.stop()
        self.http.close()

    def request(
        self, method: str, path: str, curator: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if curator is not None:
            headers["Authorization"] = f"Bearer {CURATORS.get(curator, curator)}"
        return self.http.request(
            method, self.url + path, headers=headers, timeout=TIMEOUT, **kwargs
        )


#: The embedded store here; each remote store in a file of its own (test_write_path_<store>.py), so
#: that the parallel run takes the modes side by side.
pytest_generate_tests = in_modes("service", "embedded")


@pytest.fixture(scope="module")
def service(
    request: pytest.FixtureRequest, built: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """One server per mode, kept for every seed: the embedded store, then each remote one."""
    mode = str(request.param)
    settings = {**SETTINGS, "VAR_DIR": tmp_path_factory.mktemp(f"write-var-{mode}")}
    with mode_settings(mode, built, tmp_path_factory) as store:
        logs = tmp_path_factory.mktemp(f"write-logs-{mode}")
        made = Service(mode, built, logs, {**settings, **store})
        try:
            yield made
        finally:
            made.stop()


# ------------------------------------------------------------------ one run


@dataclass
class Failure:
    step: int
    action: str
    check: str
    detail: str


class Run:
    """One seed's sequence of steps against the service, and what disagreed."""

    def __init__(self, service: Service, seed: int) -> None:
        self.service = service
        self.model = service.model
        self.seed = seed
        self.rng = random.Random(seed)
        self.step = 0
        self.action = "start"
        self.log: list[str] = []
        self.failures: list[Failure] = []
        self.notes: Counter[str] = Counter()
        self.pending: list[Callable[[], None]] = []
        self.kind = "start"  # what a step's status failures are grouped by
        self.refusals: list[str] = []  # kinds of refused writes still to try, in order
        self.take_aways: list[str] = []  # ways to take a restating submission away, in order
        #: two restarts a seed, one stopped cleanly and one killed, in the first and second half
        self.steps = STEPS if service.mode == "embedded" else REMOTE_STEPS
        self.restarts = [
            (self.rng.randint(2, self.steps // 2), "stop"),
            (self.rng.randint(self.steps // 2 + 1, self.steps - 1), "kill"),
        ]
        self.timings: dict[str, float] = defaultdict(float)

    # -- bookkeeping

    def fail(self, check: str, detail: str) -> None:
        self.failures.append(Failure(self.step, self.action, check, detail))

    def slug(self) -> str:
        return f"w{self.seed}-{self.step}-{self.rng.randrange(16**4):04x}"

    def curator(self) -> str:
        return self.rng.choice(sorted(CURATORS))

    def other(self, curator: str) -> str:
        return next(c for c in sorted(CURATORS) if c != curator)

    def live_ids(self) -> list[str]:
        return sorted(self.model.live)

    def expect(self, response: requests.Response, expected: int) -> bool:
        """Whether the write did what the model expects; a difference is a failure."""
        if response.status_code != expected:
            self.fail(
                f"status of {self.kind}",
                f"expected {expected}, got {response.status_code}: {response.text[:400]}",
            )
        return 200 <= response.status_code < 300

    # -- writes

    def submit(self, body: Body, curator: str, allow_shared: bool = False) -> str | None:
        params = {"comment": f"step {self.step}"}
        if allow_shared:
            params["allow_shared"] = "true"
        r = self.service.request(
            "POST",
            "/submissions",
            curator,
            params=params,
            data=body.turtle.encode(),
            headers={
                "Content-Type": self.rng.choice(["text/turtle", "text/turtle; charset=utf-8"])
            },
        )
        subjects = {s for s, _, _ in body.triples if s.startswith("<")}
        clash = not allow_shared and self.model.clashes(None, curator, subjects)
        if not self.expect(r, 409 if clash else 201):
            return None
        sid = str(r.json().get("id", ""))
        if r.headers.get("Location") != f"/submissions/{sid}":
            self.fail("Location of a submission", f"{r.headers.get('Location')} for {sid}")
        self.model.live[sid] = Live(curator, set(body.triples), [body])
        self.log.append(f"    -> {sid}")
        return sid

    def gsp_write(
        self,
        method: str,
        sid: str,
        body: Body,
        curator: str,
        multipart: bool = False,
        allow_shared: bool = False,
    ) -> None:
        """A Graph Store PUT or POST of `body` to submission graph `sid`, in a format and (for
        POST) an envelope of the generator's choosing."""
        graph = SUBMISSION + sid
        params = {"graph": graph}
        if allow_shared:
            params["allow_shared"] = "true"
        media, data = self.encode(body)
        kwargs: dict[str, Any]
        if multipart:
            part = self.rng.choice(["file", "graph", "upload", "data-file"])
            name = self.rng.choice(["upload", "addition" + EXTENSIONS[media]])
            kwargs = {"files": {part: (name, data, media)}, "data": {"comment": "uploaded"}}
            self.log.append(f"    multipart part {part!r} file {name!r} type {media}")
        else:
            kwargs = {"data": data, "headers": {"Content-Type": media}}
            self.log.append(f"    body as {media}")
        r = self.service.request(method, "/rdf-graphs", curator, params=params, **kwargs)
        existing = self.model.live.get(sid)
        if existing is not None and existing.curator != curator:
            self.expect(r, 403)
            return
        merged = set(body.triples)
        if method == "POST" and existing is not None:
            merged |= existing.triples
        subjects = {s for s, _, _ in merged if s.startswith("<")}
        clash = not allow_shared and self.model.clashes(sid, curator, subjects)
        expected = 409 if clash else (204 if existing is not None else 201)
        if not self.expect(r, expected):
            return
        bodies = existing.bodies if existing is not None and method == "POST" else []
        self.model.live[sid] = Live(curator, merged, [*bodies, body])
        if sid in self.model.gone:
            self.model.gone.remove(sid)
        location = r.headers.get("Location", "")
        if expected == 201 and parse_qs(urlsplit(location).query).get("graph") != [graph]:
            self.fail("Location of a new graph", location)

    def encode(self, body: Body) -> tuple[str, bytes]:
        media = self.rng.choice(list(EXTENSIONS))
        if media == "text/turtle":
            return media, body.turtle.encode()
        fmt = {
            NT: ox.RdfFormat.N_TRIPLES,
            "application/ld+json": ox.RdfFormat.JSON_LD,
            "application/rdf+xml": ox.RdfFormat.RDF_XML,
        }[media]
        triples = ox.parse(body.turtle.encode(), format=ox.RdfFormat.TURTLE)
        return media, ox.serialize((q.triple for q in triples), format=fmt) or b""

    def delete(self, sid: str, curator: str, how: str) -> None:
        self.log.append(f"    {how} {sid} by {curator}")
        if how == "revert":
            r = self.service.request("DELETE", f"/submissions/{sid}", curator)
        else:
            r = self.service.request(
                "DELETE", "/rdf-graphs", curator, params={"graph": SUBMISSION + sid}
            )
        live = self.model.live.get(sid)
        expected = 404 if live is None else (403 if live.curator != curator else 204)
        if self.expect(r, expected) and sid in self.model.live:
            del self.model.live[sid]
            self.model.gone.append(sid)

    # -- the steps

    def do(self, action: str) -> None:
        self.action = action
        self.kind = action.split(" ")[0]
        self.log.append(f"step {self.step}: {action}")
        getattr(self, "step_" + action.split(" ")[0])()

    def step_submit(self) -> None:
        self.log.append("    submission")
        self.submit(make_body(self.rng, self.slug()), self.curator())

    def step_restate(self) -> None:
        """A submission restating base triples; the next step takes it away (or replaces
        it): the base triples must stay, in the served graph and in the validation context."""
        curator = self.curator()
        body = make_body(self.rng, self.slug(), restate=True)
        allow = self.rng.random() < 0.5
        self.log.append(f"    curator {curator}, allow_shared={allow}")
        sid = self.submit(body, curator, allow_shared=allow)
        if sid is not None:
            self.pending.append(lambda: self.do(f"take_away {sid}"))

    def step_take_away(self) -> None:
        sid = self.action.split(" ")[1]
        live = self.model.live.get(sid)
        if live is None:
            return
        if not self.take_aways:  # each way in turn, in an order of the seed's
            self.take_aways = self.rng.sample(TAKE_AWAYS, len(TAKE_AWAYS))
        how = self.take_aways.pop(0)
        self.log.append(f"    by {how}")
        if how in ("revert", "gsp_delete"):
            self.delete(sid, live.curator, how)
        else:
            body = make_body(self.rng, self.slug(), restate=how == "put_restating")
            self.gsp_write("PUT", sid, body, live.curator, allow_shared=True)

    def step_put_new(self) -> None:
        sid = self.slug()
        self.gsp_write("PUT", sid, make_body(self.rng, sid), self.curator())

    def step_put_replace(self) -> None:
        ids = self.live_ids()
        if not ids:
            return self.step_put_new()
        sid = self.rng.choice(ids)
        owner = self.model.live[sid].curator
        self.log.append(f"    graph {sid} of {owner}")
        self.gsp_write("PUT", sid, make_body(self.rng, self.slug()), owner)

    def step_post(self) -> None:
        ids = self.live_ids()
        multipart = self.rng.random() < 0.5
        if not ids or self.rng.random() < 0.25:
            sid = self.slug()
            self.log.append(f"    new graph {sid}")
            return self.gsp_write("POST", sid, make_body(self.rng, sid), self.curator(), multipart)
        sid = self.rng.choice(ids)
        live = self.model.live[sid]
        if self.rng.random() < 0.3:  # send again what is there: merged, nothing but blank nodes
            body = self.rng.choice(live.bodies)
            body = Body(body.turtle, parse_body(body.turtle), body.restates)
            self.log.append(f"    resending a body of {sid}")
        else:
            body = make_body(self.rng, self.slug())
        self.log.append(f"    graph {sid} of {live.curator}")
        self.gsp_write("POST", sid, body, live.curator, multipart)

    def step_gsp_delete(self) -> None:
        self.delete_live("gsp_delete")

    def step_revert(self) -> None:
        self.delete_live("revert")

    def delete_live(self, how: str) -> None:
        """A live submission taken away by its curator, `how` says (revert or gsp_delete)."""
        ids = self.live_ids()
        if not ids:  # nothing to delete: a submission instead
            return self.step_submit()
        sid = self.rng.choice(ids)
        return self.delete(sid, self.model.live[sid].curator, how)

    def step_refused(self) -> None:
        """Three writes the server must refuse, changing nothing. The kinds come round in an
        order of the seed's, so that each seed tries them all."""
        for _ in range(3):
            kind = self.next_refusal()
            self.kind = f"refused {kind}"
            self.log.append(f"    {kind}")
            self.refuse(kind)

    def next_refusal(self) -> str:
        if not self.refusals:
            self.refusals = self.rng.sample(REFUSALS, len(REFUSALS))
        for i, kind in enumerate(self.refusals):
            if kind not in NEEDS_LIVE or self.model.live:
                return self.refusals.pop(i)
        return "missing_delete"

    def refuse(self, kind: str) -> None:
        ids = self.live_ids()
        slug = self.slug()
        curator = self.curator()
        if kind in ("other_curator_put", "other_curator_delete"):
            sid = self.rng.choice(ids)
            other = self.other(self.model.live[sid].curator)
            self.log.append(f"    graph {sid} of {self.model.live[sid].curator}, by {other}")
            if kind == "other_curator_put":
                return self.gsp_write("PUT", sid, make_body(self.rng, slug), other)
            return self.delete(sid, other, self.rng.choice(["revert", "gsp_delete"]))
        if kind == "missing_delete":
            sid = self.rng.choice([*self.model.gone[-3:], "never-" + slug])
            return self.delete(sid, curator, self.rng.choice(["revert", "gsp_delete"]))
        if kind in ("invalid_merge", "invalid_replace"):
            sid = self.rng.choice(ids)
            owner = self.model.live[sid].curator
            self.log.append(f"    graph {sid} of {owner}")
            text = invalid_turtle(self.rng, "not_conforming", slug)
            r = self.service.request(
                "POST" if kind == "invalid_merge" else "PUT",
                "/rdf-graphs",
                owner,
                params={"graph": SUBMISSION + sid},
                data=text.encode(),
                headers={"Content-Type": "text/turtle"},
            )
            self.expect(r, 422)
            return None
        text = invalid_turtle(self.rng, kind, slug)
        headers = {"Content-Type": "text/turtle"}
        who: str | None = curator
        if kind == "no_token":
            who = None
        elif kind == "wrong_token":
            who = "not-a-token"
        elif kind == "unknown_media_type":
            headers = {"Content-Type": "text/x-unknown"}
        where = self.rng.choice(["submit", "put", "post"])
        if kind == "form_without_rdf":
            where = self.rng.choice(["submit", "post"])
        path, params = "/submissions", {}
        method = "POST"
        if where != "submit" or kind == "not_a_submission_graph":
            path = "/rdf-graphs"
            graph = SUBMISSION + slug
            if kind == "not_a_submission_graph":
                graph = BASE + self.rng.choice(["graph/gazetteer", "graph/ontology", "x"])
            params = {"graph": graph}
            method = "PUT" if where == "put" else "POST"
        self.log.append(f"    {method} {path} {params}")
        if kind == "form_without_rdf":
            r = self.service.request(
                method, path, who, params=params, files={"comment": (None, "no graph")}
            )
        else:
            r = self.service.request(
                method, path, who, params=params, data=text.encode(), headers=headers
            )
        self.expect(r, dict(INVALID)[kind])
        return None

    def step_restart(self) -> None:
        kill = self.action.endswith("kill")
        self.log.append(f"    {'killed' if kill else 'stopped'}, then started on the same store")
        self.service.restart(kill)

    WEIGHTS = {
        "submit": 5,
        "restate": 3,
        "put_new": 3,
        "put_replace": 3,
        "post": 5,
        "gsp_delete": 2,
        "revert": 2,
        "refused": 5,
    }

    def next_action(self) -> None:
        if self.pending:
            self.pending.pop(0)()
        elif self.restarts and self.step >= self.restarts[0][0]:
            self.do(f"restart {self.restarts.pop(0)[1]}")
        else:
            names = list(self.WEIGHTS)
            self.do(self.rng.choices(names, [self.WEIGHTS[n] for n in names])[0])

    # -- reset and checks

    def reset(self) -> None:
        """Revert every submission through the API: each seed starts from the base graph."""
        self.action = self.kind = "reset"
        r = self.service.request("GET", "/submissions")
        for item in r.json()["submissions"]:
            d = self.service.request("DELETE", f"/submissions/{item['id']}", item["curator"])
            if d.status_code != 204:
                self.fail("reset", f"DELETE /submissions/{item['id']}: {d.status_code} {d.text}")
        self.model.live.clear()
        self.model.gone.clear()

    def timed(self, name: str, fetch: Callable[[], requests.Response]) -> requests.Response:
        started = time.monotonic()
        try:
            return fetch()
        finally:
            self.timings["fetch " + name.split(" ")[0]] += time.monotonic() - started

    def check(self) -> None:
        started = time.monotonic()
        model = self.model
        request = self.service.request
        # its own generator: the steps do not depend on how many checks ran
        shape = random.Random(f"{self.seed}-{self.step}")
        probe = PREFIXES + event_ttl(shape, f"probe-{self.seed}-{self.step}", evidence_ttl(shape))
        one_query = threading.Lock()

        def sparql(query: str, accept: str) -> requests.Response:
            # one at a time: a client holds one query process of two (QUERY_WORKERS_PER_CLIENT)
            with one_query:
                return request(
                    "GET", "/sparql", params={"query": query}, headers={"Accept": accept}
                )

        fetches: dict[str, Callable[[], requests.Response]] = {
            "construct": lambda: sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", NT),
            "quads": lambda: sparql(
                "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                "application/sparql-results+json",
            ),
            "count": lambda: sparql(
                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "application/sparql-results+json"
            ),
            "gsp_default": lambda: request(
                "GET", "/rdf-graphs", params={"default": ""}, headers={"Accept": NT}
            ),
            "dump_nq": lambda: request("GET", "/dumps/cakg.nq"),
            "dump_nt": lambda: request("GET", "/dumps/cakg.nt"),
            "sums": lambda: request("GET", "/dumps/SHA256SUMS"),
            "list": lambda: request("GET", "/submissions"),
        }
        for sid in model.live:
            fetches[f"graph {sid}"] = lambda sid=sid: request(  # type: ignore[misc]
                "GET", "/rdf-graphs", params={"graph": SUBMISSION + sid}, headers={"Accept": NT}
            )
            fetches[f"json {sid}"] = lambda sid=sid: request(  # type: ignore[misc]
                "GET", f"/submissions/{sid}", headers={"Accept": "application/json"}
            )
            fetches[f"triples {sid}"] = lambda sid=sid: request(  # type: ignore[misc]
                "GET", f"/submissions/{sid}", headers={"Accept": NT}
            )
        for sid in model.gone[-3:]:
            fetches[f"gone-graph {sid}"] = lambda sid=sid: request(  # type: ignore[misc]
                "GET", "/rdf-graphs", params={"graph": SUBMISSION + sid}, headers={"Accept": NT}
            )
            fetches[f"gone-json {sid}"] = lambda sid=sid: request(  # type: ignore[misc]
                "GET", f"/submissions/{sid}"
            )
        pool = ThreadPoolExecutor(max_workers=6)
        try:
            # the probe first: it takes longest, and is compared with nothing
            probed = None
            if self.step % PROBE_EVERY == 0 or self.step == self.steps:
                probed = pool.submit(
                    self.timed,
                    "probe",
                    lambda: request(
                        "POST",
                        "/validate",
                        data=probe.encode(),
                        headers={"Content-Type": "text/turtle"},
                    ),
                )
            futures = {
                name: pool.submit(self.timed, name, fetch) for name, fetch in fetches.items()
            }
            got = {name: future.result() for name, future in futures.items()}
            self.timings["fetch"] += time.monotonic() - started
            self.compare(got)
            if probed is not None:
                self.check_probe(probed.result())
        finally:
            pool.shutdown()
        self.timings["check"] += time.monotonic() - started

    def check_probe(self, r: requests.Response) -> None:
        """(d) the validation context is the whole graph: a probe in Khiva conforms."""
        if r.status_code != 200:
            self.fail("probe answers", f"{r.status_code}: {r.text[:300]}")
            return
        report = r.json()
        if report.get("conforms") is not True:
            problems = sorted(
                {
                    f"{short('<' + x['focus_node'] + '>')}: {x['message'][:90]}"
                    for x in report.get("results", [])
                }
            )
            self.fail("(d) a probe in Khiva validates", "; ".join(problems[:4]))

    def compare(self, got: dict[str, requests.Response]) -> None:
        """(a), (b), (c), (e) and (f): what the server serves is what the model holds."""
        model = self.model
        for name, r in got.items():
            wanted = 404 if name.startswith("gone") else 200
            if r.status_code != wanted:
                self.fail(f"{name.split(' ')[0]} answers", f"{r.status_code}: {r.text[:300]}")
        ok = {name: r for name, r in got.items() if r.status_code == 200}

        hidden = model.provenance_subjects()
        default = canonical(model.default_graph())
        quads = canonical(model.quads())

        def without_provenance(found: list[Statement], check: str, named: bool) -> list[Statement]:
            """What the server says about live submissions must be there, and is left out."""
            present = set(found)
            for sid, live in model.live.items():
                g = f"<{SUBMISSION}{sid}>"
                for needed in (
                    (g, RDF_TYPE, f"<{KG}Submission>"),
                    (g, PROV_ATTRIBUTED, f"<{CURATOR}{live.curator}>"),
                ):
                    if ((*needed, g) if named else needed) not in present:
                        self.fail(f"{check}: provenance", f"{sid}: no {short(' '.join(needed))}")
            kept = [s for s in found if s[0] not in hidden]
            return [read_back(s) for s in kept] if self.service.mode == "virtuoso" else kept

        # (a) the default graph, by SPARQL; (b) by the Graph Store; the N-Triples dump
        for name, check in (
            ("construct", "(a) SPARQL default graph"),
            ("gsp_default", "(b) GSP default graph"),
            ("dump_nt", "(e) dumps/cakg.nt"),
        ):
            if name not in ok:
                continue
            lines = [line for line in ok[name].content.splitlines() if line.strip()]
            if len(lines) != len(set(lines)):
                self.notes[f"{check}: {len(lines) - len(set(lines))} repeated lines"] += 1
            found = statements(ok[name].content, ox.RdfFormat.N_TRIPLES)
            problem = diff(default, without_provenance(found, check, named=False))
            if problem:
                self.fail(check, problem)
            if name == "construct" and "count" in ok:
                # the default graph is the RDF merge: a triple several graphs state counts once
                rows = ok["count"].json()["results"]["bindings"]
                counted = int(rows[0]["n"]["value"])
                if counted != len(set(found)):
                    self.fail(
                        "(a) COUNT(*) over the default graph",
                        f"{counted} triples counted, {len(set(found))} distinct in CONSTRUCT",
                    )
        # (e) the N-Quads dump and the served quads
        if "dump_nq" in ok:
            found = statements(ok["dump_nq"].content, ox.RdfFormat.N_QUADS)
            if problem := diff(quads, without_provenance(found, "(e) dumps/cakg.nq", True)):
                self.fail("(e) dumps/cakg.nq", problem)
            if "sums" in ok:
                digest = hashlib.sha256(ok["dump_nq"].content).hexdigest()
                if f"{digest}  cakg.nq" not in ok["sums"].text.splitlines():
                    self.fail("(e) SHA256SUMS", "cakg.nq's digest is not the one listed")
        if "quads" in ok:
            rows = ok["quads"].json()["results"]["bindings"]
            found = [tuple(json_term(row[v]) for v in ("s", "p", "o", "g")) for row in rows]
            if len(found) != len(set(found)):
                self.notes[f"(e) SPARQL quads: {len(found) - len(set(found))} repeated"] += 1
            if problem := diff(quads, without_provenance(found, "(e) SPARQL quads", True)):
                self.fail("(e) SPARQL quads (GRAPH ?g)", problem)
        # (c) each live submission graph holds what its curator sent (and its years)
        for sid, live in model.live.items():
            if f"graph {sid}" in ok:
                found = statements(ok[f"graph {sid}"].content, ox.RdfFormat.N_TRIPLES)
                mine = [s for s in found if s[0] not in hidden]
                if problem := submission_graph_diff(live.triples, mine):
                    self.fail("(c) GSP GET of a submission graph", f"{sid}: {problem}")
            if f"triples {sid}" in ok:
                found = statements(ok[f"triples {sid}"].content, ox.RdfFormat.N_TRIPLES)
                if problem := submission_graph_diff(live.triples, found):
                    self.fail("(c) GET /submissions/<id> as N-Triples", f"{sid}: {problem}")
            if f"json {sid}" in ok:
                shown = ok[f"json {sid}"].json()
                if shown.get("curator") != live.curator:
                    self.fail(
                        "(f) GET /submissions/<id>: curator",
                        f"{shown.get('curator')}, expected {live.curator} (submission {sid})",
                    )
                if shown.get("triples") != len(live.triples):
                    self.fail(
                        "(f) GET /submissions/<id>: triples",
                        f"{shown.get('triples')} counted, the curator sent {len(live.triples)}"
                        f" (submission {sid})",
                    )
        # (f) the list of submissions is the live ones
        if "list" in ok:
            listed = {s["id"] for s in ok["list"].json()["submissions"]}
            if listed != set(model.live):
                self.fail(
                    "(f) GET /submissions",
                    f"missing {sorted(set(model.live) - listed)}, "
                    f"extra {sorted(listed - set(model.live))}",
                )

    def report(self) -> str:
        groups: dict[str, list[Failure]] = defaultdict(list)
        for f in self.failures:
            what = f.detail.split(" (submission ")[0]
            key = (
                f.check
                + " | "
                + (predicates_of(f.detail) or re.sub(r"[0-9a-f]{8,}|\d+", "#", what)[:120])
            )
            groups[key].append(f)
        out = [f"{self.service.mode}, seed {self.seed}: {len(self.failures)} disagreements"]
        for found in groups.values():
            first = found[0]
            steps = sorted({f.step for f in found})
            out.append(
                f"\n* {first.check} — at {len(steps)} step(s) {steps[:12]}"
                f"\n  first at step {first.step} ({first.action}):\n    "
                + first.detail.replace("\n", "\n    ")
            )
        for note, count in self.notes.items():
            out.append(f"\nnote: {note} (at {count} checks)")
        return "\n".join(out)


EXTENSIONS = {
    "text/turtle": ".ttl",
    NT: ".nt",
    "application/ld+json": ".jsonld",
    "application/rdf+xml": ".rdf",
}


@pytest.mark.parametrize("seed", SEEDS)
def test_write_path_against_a_model(service: Service, seed: int) -> None:
    run = Run(service, seed)
    started = time.monotonic()
    run.reset()
    run.check()
    for step in range(1, run.steps + 1):
        run.step = step
        run.next_action()
        run.check()
    print("\n".join(run.log))
    print(f"{service.mode} seed {seed}: {time.monotonic() - started:.1f} s, {dict(run.timings)}")
    print(run.report())
    assert not run.failures, run.report()


# ------------------------------------------------------------------ GET, then PUT it back

ROUND_TRIP_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    NT: ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


@pytest.mark.parametrize("media", sorted(ROUND_TRIP_FORMATS))
def test_graph_store_get_then_put_round_trip(service: Service, media: str) -> None:
    """What GSP GET gives of a submission graph is the curator's content, which a PUT of it
    to the same graph (same curator) takes back unchanged; the provenance is one link away
    (`Link: </submissions/<id>>; rel="describedby"`)."""
    rng = random.Random(media)
    sid = f"round-trip-{EXTENSIONS[media][1:]}-{service.mode}"
    graph = SUBMISSION + sid
    body = make_body(rng, sid)
    put = service.request(
        "PUT",
        "/rdf-graphs",
        "alice",
        params={"graph": graph},
        data=body.turtle.encode(),
        headers={"Content-Type": "text/turtle"},
    )
    assert put.status_code == 201, put.text
    fmt = ROUND_TRIP_FORMATS[media]
    problems: list[str] = []
    try:
        got = service.request(
            "GET", "/rdf-graphs", params={"graph": graph}, headers={"Accept": media}
        )
        assert got.status_code == 200, got.text
        before = statements(got.content, fmt)
        if problem := submission_graph_diff(body.triples, before):
            problems.append(f"GET gives more or less than the curator's content: {problem}")
        link = got.links.get("describedby", {}).get("url")
        if link is None:
            problems.append(f"no Link rel=describedby (Link: {got.headers.get('Link')})")
        elif urljoin(service.url + "/", link) != f"{service.url}/submissions/{sid}":
            problems.append(f"Link rel=describedby is {link}, not /submissions/{sid}")
        again = service.request(
            "PUT",
            "/rdf-graphs",
            "alice",
            params={"graph": graph},
            data=got.content,
            headers={"Content-Type": got.headers["Content-Type"]},
        )
        if not 200 <= again.status_code < 300:
            problems.append(f"PUT of what GET gave: {again.status_code} {again.text[:300]}")
        after = service.request(
            "GET", "/rdf-graphs", params={"graph": graph}, headers={"Accept": media}
        )
        assert after.status_code == 200, after.text
        if problem := diff(before, statements(after.content, fmt)):
            problems.append(f"the graph changed: {problem}")
    finally:
        service.request("DELETE", f"/submissions/{sid}", "alice")
    assert not problems, "\n".join(problems)
