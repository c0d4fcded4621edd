"""The landing page, the timeline and the map name places in the reader's language too
(issue #13: "HTML pages choose the label by Accept-Language, falling back to English"), as
entity pages do (tests/test_languages.py); everything else on them stays English."""

from __future__ import annotations

import re

import pytest
import requests
from helpers import LiveServer

HTML = {"Accept": "text/html"}


def names(html: str, language: str) -> set[str]:
    """The texts the page marks as being in `language`."""
    return set(re.findall(rf'lang="{language}"[^>]*>([^<]+)<', html))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/", {"日本", "ウズベキスタン", "東京", "タシケント"}, id="landing"),
        pytest.param("/map", {"東京", "タシケント", "日本", "ウズベキスタン"}, id="map"),
        pytest.param("/timeline", {"日本", "ウズベキスタン"}, id="timeline"),
    ],
)
def test_places_are_named_in_the_readers_language(
    server: LiveServer, path: str, expected: set[str]
) -> None:
    r = requests.get(
        server.url + path, headers={**HTML, "Accept-Language": "ja, en;q=0.5"}, timeout=30
    )
    assert r.status_code == 200
    assert expected <= names(r.text, "ja")
    assert "Accept-Language" in r.headers["Vary"]


@pytest.mark.parametrize("path", ["/", "/map", "/timeline"])
def test_without_a_language_the_page_is_english(server: LiveServer, path: str) -> None:
    english = requests.get(server.url + path, headers=HTML, timeout=30)
    german = requests.get(server.url + path, headers={**HTML, "Accept-Language": "de"}, timeout=30)
    assert english.status_code == german.status_code == 200
    assert "Uzbekistan" in english.text and "ウズベキスタン" not in english.text
    assert re.search(r'lang="(uz|kk|ky|ru|ja)"', english.text) is None
    assert german.text == english.text  # no names in German: English, the same page


def test_each_language_has_its_own_etag(server: LiveServer) -> None:
    tags = {
        requests.get(
            server.url + "/", headers={**HTML, "Accept-Language": language}, timeout=30
        ).headers["ETag"]
        for language in ("en", "ja", "ru", "de")
    }
    assert len(tags) == 3  # German falls back to English


def test_the_landing_page_lists_the_new_classes(server: LiveServer) -> None:
    html = requests.get(server.url + "/", headers=HTML, timeout=30).text
    for cls in ("HistoricalEvent", "SportsEvent", "Facility", "Group", "Programme"):
        found = re.search(rf'href="/ontology#{cls}">{cls}</a></td><td>(\d+)</td>', html)
        assert found is not None and int(found[1]) > 0, cls
