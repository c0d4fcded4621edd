"""Pages name things in the reader's language (issue #13, "Links and languages"): the
``Accept-Language`` of the request chooses among a place's names, quality-ordered, falling
back to English; Turtle and JSON-LD carry every name whatever the request asks."""

from __future__ import annotations

import re

import pytest
import requests
from flask.testing import FlaskClient
from helpers import LiveServer, cldr_country_name
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg import formats
from kg.graph.parsing import quiet_rdflib_deprecations

HTML = {"Accept": "text/html"}
JAPAN = URIRef("https://w3id.org/cakg/country/jp")


def heading(html: str) -> tuple[str | None, str]:
    """The language attribute and the text of the page's one h1."""
    found = re.search(r'<h1(?: lang="([^"]+)")?>([^<]*)</h1>', html)
    assert found is not None, html[:500]
    return found[1], found[2]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(None, [], id="none"),
        pytest.param("", [], id="empty"),
        pytest.param("ja", ["ja"], id="one"),
        pytest.param("ru;q=0.5, ja, en;q=0.8", ["ja", "en", "ru"], id="quality-order"),
        pytest.param("kk, ky", ["kk", "ky"], id="ties-keep-order"),
        pytest.param("ja;q=0, ru", ["ru"], id="q0-not-acceptable"),
        pytest.param("*, uz;q=0.5", ["uz"], id="wildcard-left-to-the-default"),
        pytest.param("ja-JP,ja;q=0.9", ["ja-jp", "ja"], id="regional-lower-case"),
    ],
)
def test_language_ranges(header: str | None, expected: list[str]) -> None:
    assert formats.language_ranges(header) == expected


@pytest.mark.parametrize(
    ("ranges", "available", "expected"),
    [
        pytest.param(["ja"], ["en", "ja"], "ja", id="exact"),
        pytest.param(["ja-jp"], ["en", "ja"], "ja", id="lookup-truncates"),
        pytest.param(["de", "ru"], ["en", "ru"], "ru", id="first-that-fits"),
        pytest.param(["zh"], ["en", "zh-Hant"], "zh-Hant", id="prefix-of-a-longer-tag"),
        pytest.param(["de"], ["en", "ru"], None, id="nothing-fits"),
        pytest.param(["j"], ["ja"], None, id="no-partial-subtag"),
    ],
)
def test_choose_language(ranges: list[str], available: list[str], expected: str | None) -> None:
    assert formats.choose_language(ranges, available) == expected


@pytest.mark.parametrize(
    ("accept_language", "lang", "name"),
    [
        pytest.param(None, None, "Japan", id="no-header-english"),
        pytest.param("ja", "ja", cldr_country_name("JP", "ja"), id="ja"),
        pytest.param("ja-JP,ja;q=0.9,en;q=0.8", "ja", "日本", id="browser-ja-JP"),
        pytest.param("ru;q=0.5, kk;q=0.9", "kk", cldr_country_name("JP", "kk"), id="kk-q"),
        pytest.param("uz, ru", "uz", cldr_country_name("JP", "uz"), id="uz-first"),
        pytest.param("de, en;q=0.1", None, "Japan", id="unknown-falls-back-to-english"),
        pytest.param("ja;q=0, ky", "ky", cldr_country_name("JP", "ky"), id="q0-refused"),
        pytest.param("en, ja", None, "Japan", id="english-preferred"),
    ],
)
def test_page_heading_in_the_preferred_language(
    client: FlaskClient, accept_language: str | None, lang: str | None, name: str
) -> None:
    headers = dict(HTML)
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    r = client.get("/country/jp", headers=headers)
    assert r.status_code == 200
    assert heading(r.text) == (lang, name)


def test_linked_places_are_named_in_the_preferred_language(client: FlaskClient) -> None:
    r = client.get("/event/lazgi-festival-2022", headers={**HTML, "Accept-Language": "ru"})
    kazakhstan = cldr_country_name("KZ", "ru")
    assert f'<a href="/country/kz" lang="ru">{kazakhstan}</a>' in r.text
    # the event itself has no Russian name: its heading stays English
    assert heading(r.text) == (None, "“Lazgi” International Dance Festival 2022")


def test_a_place_without_a_name_in_the_language_stays_english(client: FlaskClient) -> None:
    r = client.get("/city/nagoya", headers={**HTML, "Accept-Language": "ja"})
    assert heading(r.text) == (None, "Nagoya")


def test_pages_vary_by_language_and_so_do_their_etags(client: FlaskClient) -> None:
    ja = client.get("/country/jp", headers={**HTML, "Accept-Language": "ja"})
    ru = client.get("/country/jp", headers={**HTML, "Accept-Language": "ru"})
    assert "Accept-Language" in ja.headers["Vary"]
    assert ja.headers["ETag"] != ru.headers["ETag"]
    again = client.get(
        "/country/jp",
        headers={**HTML, "Accept-Language": "ja", "If-None-Match": ja.headers["ETag"]},
    )
    assert again.status_code == 304
    other = client.get(
        "/country/jp",
        headers={**HTML, "Accept-Language": "ru", "If-None-Match": ja.headers["ETag"]},
    )
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        pytest.param("text/turtle", "turtle", id="turtle"),
        pytest.param("application/ld+json", "json-ld", id="json-ld"),
    ],
)
def test_rdf_keeps_every_name_whatever_the_language(
    client: FlaskClient, accept: str, rdflib_format: str
) -> None:
    r = client.get("/country/jp", headers={"Accept": accept, "Accept-Language": "ja"})
    with quiet_rdflib_deprecations():  # rdflib's JSON-LD parser makes a ConjunctiveGraph
        graph = Graph().parse(data=r.text, format=rdflib_format)
    names = {o.language: str(o) for o in graph.objects(JAPAN, SKOS.prefLabel)}
    assert names == {lang: cldr_country_name("JP", lang) for lang in names}
    assert set(names) == {"uz", "kk", "ky", "ru", "ja"}
    assert "Accept-Language" not in r.headers["Vary"]


def test_linked_names_in_every_language_are_in_the_description(client: FlaskClient) -> None:
    """What a page chooses from is in the RDF too: the names of the places it links to."""
    r = client.get("/city/tokyo", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=r.text, format="turtle")
    assert Literal("日本", lang="ja") in set(graph.objects(JAPAN, SKOS.prefLabel))


@pytest.mark.parametrize(
    ("path", "language", "code"),
    [
        pytest.param("/country/kz", "kk", "KZ", id="kazakhstan-kk"),
        pytest.param("/country/uz", "uz", "UZ", id="uzbekistan-uz"),
        pytest.param("/country/kg", "ky", "KG", id="kyrgyzstan-ky"),
    ],
)
def test_a_real_server_answers_by_accept_language(
    server: LiveServer, path: str, language: str, code: str
) -> None:
    r = requests.get(
        server.url + path,
        headers={**HTML, "Accept-Language": f"{language}, en;q=0.5"},
        timeout=30,
    )
    assert r.status_code == 200
    assert heading(r.text) == (language, cldr_country_name(code, language))
    assert r.headers["Vary"] == "Accept, Accept-Language"


def test_pages_show_our_terms_not_the_derived_schema_org_ones(client: FlaskClient) -> None:
    """graph:schema-org repeats our types and properties for clients without a reasoner; a
    page for people shows each once, in our terms."""
    r = client.get("/country/kz", headers=HTML)
    assert "containedInPlace" not in r.text
    types = re.search(r'<p class="types">(.*?)</p>', r.text, re.S)
    assert types is not None and "schema.org" not in types[1] and types[1].count(">Country<") == 1
