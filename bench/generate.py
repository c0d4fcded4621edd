"""Generate a synthetic cakg dataset (N-Quads) of a given size, deterministically.

The graph is shaped like the real one (ontology/cakg.ttl, docs/modelling.md): the same
namespaces and named graphs (graph/ontology, graph/gazetteer, graph/sources, one graph per
source document, graph/derived for kg:year), countries, regions and cities with coordinates,
persons with kg:role nodes, organizations, event series, cultural events with event types,
places, participating countries, participants and dates at every precision, plans with a
status, twinnings of two places, agreements and statistics. Every fact resource carries
kg:evidence blank nodes (kg:source and a verbatim-looking kg:quote), and a person or an
organization mentioned by another document is typed and labelled again in that document's
graph, as the real data does (so the same triple sits in several named graphs).

Every entity draws its attributes from a random stream seeded by (seed, kind, index), so
entity N is the same at every size except for what it links to, and its IRI (event:ev-000042,
person:pe-000042, ...) exists at every size.

    python bench/generate.py --size 100k --out /tmp/cakg.nq
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

BASE = "https://w3id.org/cakg/"
KG = "https://w3id.org/cakg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"

GRAPH = BASE + "graph/"
ETYPE = BASE + "vocab/event-type/"
ATYPE = BASE + "vocab/agreement-type/"
STATUS = BASE + "vocab/status/"
QUAL = BASE + "vocab/qualifier/"
MEASURE = BASE + "vocab/measure/"

N_DOCS = 6
FIRST_YEAR, LAST_YEAR = 1992, 2025

COUNTRIES = [  # code, label, alt label, adjective
    ("uz", "Uzbekistan", "Republic of Uzbekistan", "Uzbek"),
    ("kz", "Kazakhstan", "Republic of Kazakhstan", "Kazakh"),
    ("kg", "Kyrgyzstan", "Kyrgyz Republic", "Kyrgyz"),
    ("jp", "Japan", "Nippon", "Japanese"),
    ("tj", "Tajikistan", "Republic of Tajikistan", "Tajik"),
    ("tm", "Turkmenistan", "Turkmenia", "Turkmen"),
    ("cn", "China", "People's Republic of China", "Chinese"),
    ("kr", "South Korea", "Republic of Korea", "Korean"),
    ("ru", "Russia", "Russian Federation", "Russian"),
    ("tr", "Turkey", "Republic of Türkiye", "Turkish"),
    ("mn", "Mongolia", "Mongol Uls", "Mongolian"),
    ("in", "India", "Republic of India", "Indian"),
]
# Central Asia and Japan are the focus: most facts involve them.
FOCUS = ["uz", "kz", "kg", "jp"]
COUNTRY_WEIGHTS = [30, 22, 16, 24, 3, 2, 1, 1, 1, 1, 1, 1]
# fmt: off
CENTRES = {  # rough centre (lat, long) of each country, for coordinates
    "uz": (41.3, 64.5), "kz": (48.0, 67.0), "kg": (41.2, 74.7), "jp": (36.2, 138.2),
    "tj": (38.8, 71.2), "tm": (38.9, 59.5), "cn": (35.8, 104.1), "kr": (36.5, 127.9),
    "ru": (55.7, 37.6), "tr": (39.0, 35.2), "mn": (46.8, 103.8), "in": (20.6, 78.9),
}
SYLLABLES = {
    "jp": [
        "na", "ka", "to", "mi", "ya", "sa", "ki", "ta", "ha", "shi", "ro", "ku", "mo", "fu", "ga",
        "wa", "ne", "hi", "yo", "tsu",
    ],
    "default": [
        "sa", "mar", "kand", "bu", "kha", "ra", "tash", "ka", "ter", "mez", "an", "di", "jan",
        "nam", "gan", "fer", "ghan", "kho", "rez", "ast", "al", "ma", "ty", "osh", "bish", "kek",
        "tal", "as", "tur", "kis", "tan", "shym", "kent",
    ],
}
GIVEN = [
    "Aziz", "Dilnoza", "Rustam", "Gulnara", "Timur", "Madina", "Askar", "Aigerim", "Nurlan",
    "Zarina", "Bakhtiyor", "Nodira", "Erlan", "Aida", "Chingiz", "Gulzada", "Kamil", "Saida",
    "Hiroshi", "Yuki", "Takeshi", "Akiko", "Kenji", "Naoko", "Haruto", "Sakura", "Daisuke", "Emi",
    "Shavkat", "Ozoda", "Jalil", "Farrukh", "Sanjar", "Laylo", "Bolat", "Dana",
]
SURNAMES = [
    "Karimov", "Sultanov", "Nazarbekov", "Abdullayeva", "Ryskulova", "Mamadaliyev", "Aitmatov",
    "Tokayev", "Yusupov", "Khidirov", "Ismoilov", "Zhumabayev", "Omurbekova", "Tanaka", "Suzuki",
    "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida",
    "Yamada", "Sasaki", "Matsumoto", "Inoue", "Kimura", "Rakhimov", "Ergashev", "Saidova", "Bekov",
    "Alimova", "Kasymov", "Usmonov",
]
ROLES = [
    "Minister of Culture and Tourism", "Ambassador", "Deputy Minister of Foreign Affairs",
    "Rector", "Director", "Chairman", "singer", "conductor", "film director", "writer",
    "artistic director", "Consul General", "Governor", "Mayor", "professor", "dancer", "President",
    "Secretary General", "curator", "manaschy",
]
ORG_KINDS = [
    "State Conservatory", "Institute of Oriental Studies", "Japan Center", "Friendship Society",
    "State Philharmonic", "University", "Drama Theatre", "Museum of Fine Arts",
    "Academy of Sciences", "Film Studio", "Youth Association", "Chamber of Commerce",
    "Ministry of Culture", "Embassy", "Folk Ensemble", "National Library",
    "Opera and Ballet Theatre", "Foundation",
]
ETYPES = [
    ("festival", "festival"), ("concert", "concert"), ("culture-days", "culture days"),
    ("premiere", "premiere"), ("exhibition", "exhibition"), ("forum", "forum"), ("tour", "tour"),
    ("visit", "visit"), ("ceremony", "ceremony"), ("film-screening", "film screening"),
    ("conference", "conference"), ("masterclass", "master class"), ("competition", "competition"),
    ("lecture", "lecture"), ("performance", "performance"),
    ("diplomatic-relations", "establishment of diplomatic relations"),
]
STATUSES = [
    "happened", "planned", "proposed", "arranged", "announced", "hoped",
]
ATYPES = [
    "joint-statement", "cooperation-agreement", "memorandum", "programme", "declaration",
]
MEASURES = [
    ("japanese-visitors", "arrivals of Japanese citizens"),
    ("students", "students studying abroad"), ("companies", "companies operating"),
    ("trade-volume", "volume of trade"), ("grants", "grants awarded"),
    ("flights", "direct flights per week"), ("events-held", "cultural events held"),
    ("language-learners", "learners of the Japanese language"),
]
THEMES = [
    "Silk Road", "Great Silk Road", "Sakura", "Navruz", "Lazgi", "Sharq Taronalari",
    "Nomad Spirit", "Heavenly Mountains", "Samurai and Steppe", "Caravanserai", "Golden Horde",
    "Kimono and Ikat", "Manas", "Tea Ceremony", "Ikebana", "Suzani", "Aral Sea", "Pamir",
    "Issyk-Kul", "Bukhara Nights",
]
GENRES = [
    "Music", "Dance", "Film", "Theatre", "Crafts", "Folk Art", "Poetry", "Photography", "Jazz",
    "Puppet Theatre", "Calligraphy", "Anime",
]
VERBS = [
    "took part in", "attended", "organized", "presented", "opened", "hosted", "performed at",
    "spoke at",
]
# fmt: on

Quad = tuple[str, str, str, str]


def iri(value: str) -> str:
    return f"<{value}>"


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str, lang: str | None = "en") -> str:
    return f'"{esc(text)}"@{lang}' if lang else f'"{esc(text)}"'


def typed(text: str, datatype: str) -> str:
    return f'"{esc(text)}"^^<{XSD}{datatype}>'


def integer(value: int) -> str:
    return typed(str(value), "integer")


def decimal(value: float) -> str:
    # canonical lexical form, and never a trailing zero, so every engine prints it alike
    text = f"{value:.5f}"
    if text.endswith("0"):
        text = text[:-1] + "1"
    return typed(text, "decimal")


def size_of(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2500' -> 2500."""
    t = text.strip().lower()
    factor = 1
    if t.endswith("k"):
        factor, t = 1_000, t[:-1]
    elif t.endswith("m"):
        factor, t = 1_000_000, t[:-1]
    return int(float(t) * factor)


class Writer:
    """Collects quads as N-Quads lines; counts them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.bnodes = 0

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} {p} {o} {g} .\n")

    def bnode(self, prefix: str = "b") -> str:
        self.bnodes += 1
        return f"_:{prefix}{self.bnodes}"

    def __len__(self) -> int:
        return len(self.lines)


class Generator:
    def __init__(self, target: int, seed: int) -> None:
        self.target = target
        self.seed = seed
        self.w = Writer()
        # Counts per kind, proportional to the target size (tuned so the total lands near it).
        t = int(target * 1.17)
        self.n_cities = max(40, t // 250)
        self.n_regions_per_country = 6
        self.n_persons = max(30, t // 130)
        self.n_orgs = max(15, t // 420)
        self.n_series = max(5, t // 2500)
        self.n_events = max(50, t // 34)
        self.n_plans = max(8, t // 700)
        self.n_twinnings = max(8, t // 550)
        self.n_agreements = max(4, t // 2200)
        self.n_stats = max(8, t // 550)
        self.docs = [
            f"{900 + i:03d}_{hashlib.sha256(f'{seed}-doc-{i}'.encode()).hexdigest()[:16]}"
            for i in range(N_DOCS)
        ]
        self.mentioned: set[tuple[str, int]] = set()
        self.person_names: list[str] = []
        self.person_home: list[int] = []
        self.org_names: list[str] = []
        self.org_home: list[int] = []
        self.org_country: list[str] = []
        self.city_names: list[str] = []
        self.city_country: list[str] = []
        self.region_names: dict[str, list[str]] = {}
        self.series_labels: list[str] = []
        self.series_etype: list[str] = []

    # ------------------------------------------------------------------ helpers
    def rng(self, kind: str, index: int) -> random.Random:
        return random.Random(f"{self.seed}/{kind}/{index}")

    def g(self, name: str) -> str:
        return iri(GRAPH + name)

    def doc_graph(self, d: int) -> str:
        return self.g(self.docs[d])

    def doc_iri(self, d: int) -> str:
        return iri(f"{BASE}doc/{self.docs[d]}")

    def country(self, r: random.Random, focus_only: bool = False) -> str:
        if focus_only:
            return r.choice(FOCUS)
        return r.choices([c[0] for c in COUNTRIES], weights=COUNTRY_WEIGHTS)[0]

    @staticmethod
    def place_name(r: random.Random, code: str) -> str:
        syl = SYLLABLES["jp" if code == "jp" else "default"]
        name = "".join(r.choice(syl) for _ in range(r.randint(2, 3)))
        return name.capitalize()

    def year(self, r: random.Random) -> int:
        # more cooperation in recent years
        return FIRST_YEAR + int((LAST_YEAR - FIRST_YEAR) * (r.random() ** 0.6))

    def evidence(self, subject: str, d: int, quote: str) -> None:
        w, g = self.w, self.doc_graph(d)
        b = w.bnode("ev")
        w.add(subject, iri(KG + "evidence"), b, g)
        w.add(b, iri(RDF + "type"), iri(KG + "Evidence"), g)
        w.add(b, iri(KG + "source"), self.doc_iri(d), g)
        w.add(b, iri(KG + "quote"), lit(quote, None), g)

    def mention(self, kind: str, index: int, d: int) -> None:
        """Type and label a person or organization again in another document's graph."""
        home = self.person_home if kind == "person" else self.org_home
        key = (f"{kind}{index}", d)
        if home[index] == d or key in self.mentioned:
            return
        self.mentioned.add(key)
        if kind == "person":
            s, cls, label = self.person(index), "Person", self.person_names[index]
        else:
            s, cls, label = self.org(index), "Organization", self.org_names[index]
        self.w.add(s, iri(RDF + "type"), iri(KG + cls), self.doc_graph(d))
        self.w.add(s, iri(RDFS + "label"), lit(label), self.doc_graph(d))

    def dates(self, s: str, r: random.Random, g: str, year: int) -> tuple[list[int], str]:
        """Dates at the precision a text would give; returns the years touched and a phrase."""
        w = self.w
        month, day = r.randint(1, 12), r.randint(1, 28)
        pick = r.random()
        if pick < 0.35:  # a span of days
            end_day = min(28, day + r.randint(1, 6))
            w.add(s, iri(KG + "startDate"), typed(f"{year}-{month:02d}-{day:02d}", "date"), g)
            w.add(s, iri(KG + "endDate"), typed(f"{year}-{month:02d}-{end_day:02d}", "date"), g)
            return [year], f"on {month:02d}/{day:02d}–{end_day:02d}, {year}"
        if pick < 0.40:  # a span of years
            end = min(LAST_YEAR, year + r.randint(1, 3))
            w.add(s, iri(KG + "startDate"), typed(str(year), "gYear"), g)
            w.add(s, iri(KG + "endDate"), typed(str(end), "gYear"), g)
            return list(range(year, end + 1)), f"from {year} to {end}"
        if pick < 0.70:
            w.add(s, iri(KG + "date"), typed(f"{year}-{month:02d}-{day:02d}", "date"), g)
            return [year], f"on {month:02d}/{day:02d}/{year}"
        if pick < 0.90:
            w.add(s, iri(KG + "date"), typed(f"{year}-{month:02d}", "gYearMonth"), g)
            return [year], f"in {month:02d}/{year}"
        w.add(s, iri(KG + "date"), typed(str(year), "gYear"), g)
        return [year], f"in {year}"

    def years(self, s: str, years: list[int]) -> None:
        for y in years:
            self.w.add(s, iri(KG + "year"), integer(y), self.g("derived"))

    # IRIs
    @staticmethod
    def country_iri(code: str) -> str:
        return iri(f"{BASE}country/{code}")

    @staticmethod
    def region(code: str, i: int) -> str:
        return iri(f"{BASE}region/{code}-r{i:02d}")

    @staticmethod
    def city(i: int) -> str:
        return iri(f"{BASE}city/ci-{i:05d}")

    @staticmethod
    def person(i: int) -> str:
        return iri(f"{BASE}person/pe-{i:06d}")

    @staticmethod
    def org(i: int) -> str:
        return iri(f"{BASE}org/or-{i:05d}")

    @staticmethod
    def series(i: int) -> str:
        return iri(f"{BASE}series/se-{i:04d}")

    @staticmethod
    def event(i: int) -> str:
        return iri(f"{BASE}event/ev-{i:06d}")

    def skewed(self, r: random.Random, n: int, power: float = 2.2) -> int:
        """An index in [0, n) with a long tail: a few are picked very often."""
        return min(n - 1, int(n * (r.random() ** power)))

    # ------------------------------------------------------------------ sections
    def ontology(self) -> None:
        w, g = self.w, self.g("ontology")
        a, label = iri(RDF + "type"), iri(RDFS + "label")
        onto = iri(BASE + "ontology")
        w.add(onto, a, iri(OWL + "Ontology"), g)
        w.add(onto, label, lit("Central Asia – Japan cultural cooperation ontology"), g)
        w.add(onto, iri(OWL + "versionInfo"), lit("1.0.0", None), g)
        classes = [
            ("Place", SCHEMA + "Place"),
            ("Country", KG + "Place"),
            ("Region", KG + "Place"),
            ("City", KG + "Place"),
            ("Venue", KG + "Place"),
            ("Person", FOAF + "Person"),
            ("Organization", FOAF + "Organization"),
            ("CulturalEvent", SCHEMA + "Event"),
            ("EventSeries", SCHEMA + "EventSeries"),
            ("Agreement", SCHEMA + "CreativeWork"),
            ("CityTwinning", SCHEMA + "Intangible"),
            ("Award", SCHEMA + "Intangible"),
            ("Statistic", SCHEMA + "Observation"),
            ("Plan", PROV + "Plan"),
            ("Role", SCHEMA + "Role"),
            ("CreativeWork", SCHEMA + "CreativeWork"),
            ("Document", FOAF + "Document"),
            ("Evidence", PROV + "Entity"),
        ]
        for name, parent in classes:
            c = iri(KG + name)
            w.add(c, a, iri(OWL + "Class"), g)
            w.add(c, iri(RDFS + "subClassOf"), iri(parent), g)
            w.add(c, label, lit(name), g)
        w.add(iri(KG + "Region"), iri(RDFS + "subClassOf"), iri(SCHEMA + "AdministrativeArea"), g)
        w.add(iri(KG + "Person"), iri(RDFS + "subClassOf"), iri(PROV + "Agent"), g)
        w.add(iri(KG + "Organization"), iri(RDFS + "subClassOf"), iri(PROV + "Agent"), g)
        props = [
            "evidence",
            "source",
            "quote",
            "status",
            "eventType",
            "location",
            "country",
            "participatingCountry",
            "participant",
            "partOfSeries",
            "startDate",
            "endDate",
            "date",
            "year",
            "role",
            "roleName",
            "roleIn",
            "inCity",
            "inRegion",
            "partner",
            "foundingDate",
            "twinnedPlace",
            "measure",
            "value",
            "unit",
            "qualifier",
            "about",
            "agreementType",
            "party",
            "iso3166Code",
            "geonamesId",
            "description",
            "fileName",
            "sha256",
        ]
        literal_props = {
            "quote",
            "startDate",
            "endDate",
            "date",
            "year",
            "roleName",
            "foundingDate",
            "value",
            "unit",
            "iso3166Code",
            "geonamesId",
            "description",
            "fileName",
            "sha256",
        }
        for name in props:
            p = iri(KG + name)
            kind = "DatatypeProperty" if name in literal_props else "ObjectProperty"
            w.add(p, a, iri(OWL + kind), g)
            w.add(p, label, lit(name), g)
        w.add(iri(KG + "source"), iri(RDFS + "subPropertyOf"), iri(PROV + "wasQuotedFrom"), g)
        w.add(iri(KG + "evidence"), iri(RDFS + "subPropertyOf"), iri(PROV + "wasDerivedFrom"), g)
        schemes = [
            (ETYPE, [(slug, text) for slug, text in ETYPES]),
            (STATUS, [(s, s) for s in STATUSES]),
            (ATYPE, [(s, s.replace("-", " ")) for s in ATYPES]),
            (QUAL, [("more-than", "more than"), ("approximately", "approximately")]),
            (MEASURE, MEASURES),
        ]
        for ns, concepts in schemes:
            scheme = iri(ns + "scheme")
            w.add(scheme, a, iri(SKOS + "ConceptScheme"), g)
            for slug, text in concepts:
                c = iri(ns + slug)
                w.add(c, a, iri(SKOS + "Concept"), g)
                w.add(c, iri(SKOS + "inScheme"), scheme, g)
                w.add(c, iri(SKOS + "prefLabel"), lit(text), g)

    def gazetteer(self) -> None:
        w, g = self.w, self.g("gazetteer")
        a, label = iri(RDF + "type"), iri(RDFS + "label")
        for code, name, alt, _adj in COUNTRIES:
            c = self.country_iri(code)
            w.add(c, a, iri(KG + "Country"), g)
            w.add(c, label, lit(name), g)
            w.add(c, iri(SKOS + "altLabel"), lit(alt), g)
            w.add(c, iri(KG + "iso3166Code"), lit(code.upper(), None), g)
            names = []
            for i in range(self.n_regions_per_country):
                r = self.rng(f"region-{code}", i)
                rname = self.place_name(r, code)
                names.append(rname)
                reg = self.region(code, i)
                kind = "prefecture" if code == "jp" else "region"
                w.add(reg, a, iri(KG + "Region"), g)
                w.add(reg, label, lit(f"{rname} {kind}"), g)
                w.add(reg, iri(KG + "country"), c, g)
                w.add(reg, iri(KG + "iso3166Code"), lit(f"{code.upper()}-{i:02d}", None), g)
            self.region_names[code] = names
        for i in range(self.n_cities):
            r = self.rng("city", i)
            code = self.country(r)
            name = self.place_name(r, code)
            self.city_names.append(name)
            self.city_country.append(code)
            c = self.city(i)
            w.add(c, a, iri(KG + "City"), g)
            w.add(c, label, lit(name), g)
            w.add(c, iri(KG + "country"), self.country_iri(code), g)
            if r.random() < 0.8:
                w.add(
                    c,
                    iri(KG + "inRegion"),
                    self.region(code, r.randrange(self.n_regions_per_country)),
                    g,
                )
            if r.random() < 0.7:
                w.add(
                    c, iri(KG + "geonamesId"), lit(str(1_000_000 + r.randrange(9_000_000)), None), g
                )
            lat0, long0 = CENTRES[code]
            w.add(c, iri(GEO + "lat"), decimal(lat0 + r.uniform(-3, 3)), g)
            w.add(c, iri(GEO + "long"), decimal(long0 + r.uniform(-5, 5)), g)

    def sources(self) -> None:
        w, g = self.w, self.g("sources")
        a = iri(RDF + "type")
        for d, stem in enumerate(self.docs):
            r = self.rng("doc", d)
            s = self.doc_iri(d)
            title = (
                f"{r.choice(THEMES)}: {r.choice(GENRES)} and cultural cooperation, report {d + 1}"
            )
            w.add(s, a, iri(KG + "Document"), g)
            w.add(s, iri(RDFS + "label"), lit(title), g)
            w.add(s, iri(DCT + "title"), lit(title.upper()), g)
            w.add(s, iri(DCT + "language"), lit("en", None), g)
            w.add(s, iri(KG + "fileName"), lit(f"{stem}.txt", None), g)
            w.add(s, iri(KG + "sha256"), lit(hashlib.sha256(stem.encode()).hexdigest(), None), g)

    def persons(self) -> None:
        w, a = self.w, iri(RDF + "type")
        for i in range(self.n_persons):
            r = self.rng("person", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            name = f"{r.choice(GIVEN)} {r.choice(SURNAMES)}"
            self.person_names.append(name)
            self.person_home.append(d)
            s = self.person(i)
            w.add(s, a, iri(KG + "Person"), g)
            w.add(s, iri(RDFS + "label"), lit(name), g)
            for _ in range(1 if r.random() < 0.6 else 2):
                role = w.bnode("role")
                role_name = r.choice(ROLES)
                code = self.country(r)
                year, month = self.year(r), r.randint(1, 12)
                w.add(s, iri(KG + "role"), role, g)
                w.add(role, a, iri(KG + "Role"), g)
                w.add(role, iri(KG + "roleName"), lit(role_name), g)
                w.add(role, iri(KG + "roleIn"), self.country_iri(code), g)
                w.add(role, iri(KG + "date"), typed(f"{year}-{month:02d}", "gYearMonth"), g)
                country_name = COUNTRIES[[c[0] for c in COUNTRIES].index(code)][1]
                self.evidence(
                    role, d, f"In {month:02d}/{year}, the {role_name} of {country_name} {name}"
                )
            self.evidence(s, d, f"{name}, {r.choice(ROLES).lower()}")

    def orgs(self) -> None:
        w, a = self.w, iri(RDF + "type")
        for i in range(self.n_orgs):
            r = self.rng("org", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            city = r.randrange(self.n_cities)
            code = self.city_country[city]
            name = f"{self.city_names[city]} {r.choice(ORG_KINDS)}"
            self.org_names.append(name)
            self.org_home.append(d)
            self.org_country.append(code)
            s = self.org(i)
            w.add(s, a, iri(KG + "Organization"), g)
            w.add(s, iri(RDFS + "label"), lit(name), g)
            founded = FIRST_YEAR - 60 + r.randrange(90)
            if r.random() < 0.8:
                w.add(s, iri(KG + "foundingDate"), typed(str(founded), "gYear"), g)
            w.add(s, iri(KG + "inCity"), self.city(city), g)
            w.add(s, iri(KG + "country"), self.country_iri(code), g)
            for _ in range(r.choice([0, 1, 1, 2])):  # partners, a sparse network
                if i:
                    w.add(s, iri(KG + "partner"), self.org(r.randrange(i)), g)
            self.evidence(
                s, d, f"In {founded}, the {name} was established in {self.city_names[city]}."
            )

    def series_(self) -> None:
        w, a = self.w, iri(RDF + "type")
        for i in range(self.n_series):
            r = self.rng("series", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            slug, text = r.choice(ETYPES[:7])
            label = f"“{r.choice(THEMES)}” International {r.choice(GENRES)} {text.title()}"
            city = r.randrange(self.n_cities)
            self.series_labels.append(label)
            self.series_etype.append(slug)
            s = self.series(i)
            w.add(s, a, iri(KG + "EventSeries"), g)
            w.add(s, iri(RDFS + "label"), lit(label), g)
            w.add(s, iri(KG + "eventType"), iri(ETYPE + slug), g)
            w.add(s, iri(KG + "location"), self.city(city), g)
            self.evidence(s, d, f"the {label} held in {self.city_names[city]}")

    def events(self) -> None:
        w, a = self.w, iri(RDF + "type")
        codes = [c[0] for c in COUNTRIES]
        for i in range(self.n_events):
            r = self.rng("event", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            s = self.event(i)
            year = self.year(r)
            city = self.skewed(r, self.n_cities, 1.5)
            host = self.city_country[city]
            series = self.skewed(r, self.n_series, 1.5) if r.random() < 0.3 else None
            if series is not None:
                etype = self.series_etype[series]
                label = f"{self.series_labels[series]} {year}"
            else:
                etype, text = r.choice(ETYPES[:15])
                guest = COUNTRIES[codes.index(self.country(r, focus_only=True))][3]
                pattern = r.randrange(4)
                if pattern == 0 and etype == "culture-days":
                    label = f"Days of {guest} Culture in {self.city_names[city]} {year}"
                elif pattern == 1:
                    label = f"{guest} {r.choice(GENRES).lower()} {text} “{r.choice(THEMES)}”"
                elif pattern == 2:
                    genre = r.choice(GENRES).lower()
                    label = f"{text.capitalize()} of {guest} {genre} in {self.city_names[city]}"
                else:
                    label = f"“{r.choice(THEMES)}” {text} in {self.city_names[city]}, {year}"
            w.add(s, a, iri(KG + "CulturalEvent"), g)
            w.add(s, iri(RDFS + "label"), lit(label), g)
            w.add(s, iri(KG + "eventType"), iri(ETYPE + etype), g)
            w.add(s, iri(KG + "status"), iri(STATUS + "happened"), g)
            if series is not None:
                w.add(s, iri(KG + "partOfSeries"), self.series(series), g)
            if r.random() < 0.9:
                w.add(s, iri(KG + "location"), self.city(city), g)
            if r.random() < 0.8:
                w.add(s, iri(KG + "country"), self.country_iri(host), g)
            participating = {
                self.country(r, focus_only=r.random() < 0.7)
                for _ in range(r.choice([1, 1, 2, 2, 3]))
            }
            for code in sorted(participating - {host}):
                w.add(s, iri(KG + "participatingCountry"), self.country_iri(code), g)
            people = {self.skewed(r, self.n_persons) for _ in range(r.choice([0, 1, 2, 3, 4]))}
            for p in sorted(people):
                w.add(s, iri(KG + "participant"), self.person(p), g)
                self.mention("person", p, d)
            orgs = {self.skewed(r, self.n_orgs) for _ in range(r.choice([0, 0, 1, 1, 2]))}
            for o in sorted(orgs):
                w.add(s, iri(KG + "participant"), self.org(o), g)
                self.mention("org", o, d)
            years, when = self.dates(s, r, g, year)
            self.years(s, years)
            if r.random() < 0.3:
                w.add(
                    s,
                    iri(KG + "description"),
                    lit(
                        f"A {etype.replace('-', ' ')} with {len(people)} named participants, "
                        f"reported as part of the {r.choice(THEMES)} programme."
                    ),
                    g,
                )
            who = ", ".join(self.person_names[p] for p in sorted(people)[:2]) or "delegations"
            self.evidence(s, d, f"{when.capitalize()}, {who} {r.choice(VERBS)} the {label}")
            if r.random() < 0.3:
                self.evidence(s, d, f"The {label} was held in {self.city_names[city]} {when}.")

    def plans(self) -> None:
        w, a = self.w, iri(RDF + "type")
        for i in range(self.n_plans):
            r = self.rng("plan", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            s = iri(f"{BASE}plan/pl-{i:05d}")
            status = r.choice(STATUSES[1:])
            etype, text = r.choice(ETYPES[:15])
            city = r.randrange(self.n_cities)
            label = f"{status.capitalize()} {text} in {self.city_names[city]}"
            w.add(s, a, iri(KG + "Plan"), g)
            w.add(s, iri(RDFS + "label"), lit(label), g)
            w.add(s, iri(KG + "status"), iri(STATUS + status), g)
            w.add(s, iri(KG + "eventType"), iri(ETYPE + etype), g)
            w.add(s, iri(KG + "location"), self.city(city), g)
            year = LAST_YEAR + r.randint(0, 3)
            w.add(s, iri(KG + "date"), typed(str(year), "gYear"), g)
            self.years(s, [year])
            self.evidence(
                s, d, f"It is {status} to hold a {text} in {self.city_names[city]} in {year}."
            )

    def twinnings(self) -> None:
        w, a = self.w, iri(RDF + "type")
        for i in range(self.n_twinnings):
            r = self.rng("twinning", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            s = iri(f"{BASE}twinning/tw-{i:05d}")
            places: list[tuple[str, str, str]] = []
            for _ in range(2):  # a city, or sometimes a region, each in a different country
                while True:
                    if r.random() < 0.8:
                        c = r.randrange(self.n_cities)
                        place = (self.city(c), self.city_names[c], self.city_country[c])
                    else:
                        code = self.country(r)
                        k = r.randrange(self.n_regions_per_country)
                        place = (self.region(code, k), f"{self.region_names[code][k]} region", code)
                    if not places or place[2] != places[0][2]:
                        break
                places.append(place)
            year = self.year(r)
            label = f"{places[0][1]} – {places[1][1]}"
            w.add(s, a, iri(KG + "CityTwinning"), g)
            w.add(s, iri(RDFS + "label"), lit(label), g)
            for place in places:
                w.add(s, iri(KG + "twinnedPlace"), place[0], g)
            if r.random() < 0.5:
                w.add(s, iri(KG + "date"), typed(str(year), "gYear"), g)
            else:
                w.add(
                    s,
                    iri(KG + "date"),
                    typed(f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", "date"),
                    g,
                )
            w.add(s, iri(KG + "status"), iri(STATUS + "happened"), g)
            self.years(s, [year])
            self.evidence(
                s, d, f"In {year}, {places[0][1]} and {places[1][1]} became sister cities."
            )

    def agreements(self) -> None:
        w, a = self.w, iri(RDF + "type")
        for i in range(self.n_agreements):
            r = self.rng("agreement", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            s = iri(f"{BASE}agreement/ag-{i:04d}")
            atype = r.choice(ATYPES)
            parties = sorted({self.country(r, focus_only=True), self.country(r)})
            year = self.year(r)
            kind = atype.replace("-", " ").capitalize()
            label = f"{kind} on cultural cooperation ({', '.join(parties)}) {year}"
            w.add(s, a, iri(KG + "Agreement"), g)
            w.add(s, iri(RDFS + "label"), lit(label), g)
            w.add(s, iri(KG + "agreementType"), iri(ATYPE + atype), g)
            for p in parties:
                w.add(s, iri(KG + "party"), self.country_iri(p), g)
            w.add(s, iri(KG + "status"), iri(STATUS + "happened"), g)
            w.add(s, iri(KG + "date"), typed(str(year), "gYear"), g)
            self.years(s, [year])
            self.evidence(s, d, f"In {year}, a {atype.replace('-', ' ')} was signed.")

    def statistics(self) -> None:
        w, a = self.w, iri(RDF + "type")
        for i in range(self.n_stats):
            r = self.rng("stat", i)
            d = r.randrange(N_DOCS)
            g = self.doc_graph(d)
            s = iri(f"{BASE}stat/st-{i:05d}")
            slug, text = r.choice(MEASURES)
            code = self.country(r, focus_only=True)
            year = self.year(r)
            value = r.randrange(10, 100_000)
            country_name = COUNTRIES[[c[0] for c in COUNTRIES].index(code)][1]
            w.add(s, a, iri(KG + "Statistic"), g)
            w.add(s, iri(RDFS + "label"), lit(f"{text.capitalize()}, {country_name}, {year}"), g)
            w.add(s, iri(KG + "measure"), iri(MEASURE + slug), g)
            w.add(s, iri(KG + "value"), integer(value), g)
            w.add(s, iri(KG + "date"), typed(str(year), "gYear"), g)
            w.add(s, iri(KG + "about"), self.country_iri(code), g)
            if slug == "trade-volume":
                w.add(s, iri(KG + "unit"), lit("USD", None), g)
            if r.random() < 0.2:
                w.add(
                    s,
                    iri(KG + "qualifier"),
                    iri(QUAL + r.choice(["more-than", "approximately"])),
                    g,
                )
            self.years(s, [year])
            self.evidence(s, d, f"In {year}, {value} {text} were recorded in {country_name}.")

    def run(self) -> Writer:
        self.ontology()
        self.gazetteer()
        self.sources()
        self.persons()
        self.orgs()
        self.series_()
        self.events()
        self.plans()
        self.twinnings()
        self.agreements()
        self.statistics()
        return self.w


def generate(target: int, seed: int = 42) -> list[str]:
    """The N-Quads lines of a dataset of about `target` quads."""
    return Generator(target, seed).run().lines


def write(path: Path, target: int, seed: int = 42) -> int:
    """Write the dataset to `path` (atomically); return the number of quads."""
    lines = generate(target, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.writelines(lines)
    tmp.replace(path)
    return len(lines)


def iter_sizes(values: list[str]) -> Iterator[tuple[str, int]]:
    for v in values:
        yield v, size_of(v)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="about how many quads: 10k, 100k, 1m, 2500")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="the N-Quads file to write")
    args = parser.parse_args(argv)
    started = time.monotonic()
    n = write(args.out, size_of(args.size), args.seed)
    print(f"wrote {n} quads to {args.out} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
