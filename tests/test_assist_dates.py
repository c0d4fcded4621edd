"""A day and month without a year ("on 12 May") take the year the text stated last before them
in the same paragraph, else earlier in the document, else the document's date (issue #14).

A year from the text is stated, not derived: the draft quotes the sentence that names it as a
second evidence, so that a reader sees where the year comes from; only the document's own date
makes a derived value, marked rule:document-date.

Every sentence is written for the test, not taken from the five source documents.
"""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD
from test_assist_facts import DOCUMENT, draft, graph_names

from kg.assist.dates import find_dates
from kg.assist.draft import to_graph
from kg.assist.facts import Candidate
from kg.assist.model import Span
from kg.namespaces import KG


@pytest.fixture(scope="module")
def names(graph: Graph) -> list[tuple[str, str, str, str]]:
    return graph_names(graph)


def the_concert(text: str, names: Any, date: str | None) -> Candidate:
    (concert,) = [c for c in draft(text, names, date) if c.label.startswith("Concert")]
    return concert


def last_sentence(text: str) -> Span:
    start = max(text.rfind(". ", 0, len(text) - 2) + 2, text.rfind("\n") + 1)
    return Span(start, len(text))


def test_the_year_of_the_paragraph(names: Any) -> None:
    text = "The festival opened in Osaka in 2019. On 12 May, a concert was held in Nara."
    concert = the_concert(text, names, "2025-01-01")
    (date,) = concert.dates
    assert (date.start, date.derived) == ("2019-05-12", False)
    assert "2019" in date.note
    # the sentence that names the year is quoted too
    assert [text[s.start : s.end] for s in concert.also] == [
        "The festival opened in Osaka in 2019."
    ]
    graph = to_graph([concert], DOCUMENT, text)
    (subject,) = graph.subjects(KG.eventType, None)
    assert graph.value(subject, KG.date) == Literal("2019-05-12", datatype=XSD.date)
    assert graph.value(subject, KG.dateDerivedBy) is None
    quotes = {str(graph.value(e, KG.quote)) for e in graph.objects(subject, KG.evidence)}
    assert quotes == {"On 12 May, a concert was held in Nara.", text.split(" On")[0]}


def test_the_year_of_an_earlier_paragraph(names: Any) -> None:
    text = "In 2018 a new theatre opened in Tokyo.\n\nOn 3 June, a concert was held in Nagoya."
    (date,) = the_concert(text, names, "2025-01-01").dates
    assert (date.start, date.derived) == ("2018-06-03", False)


def test_the_paragraph_s_year_before_an_earlier_one(names: Any) -> None:
    text = (
        "In 2016 a new theatre opened in Tokyo.\n\n"
        "A school opened in Osaka in 2020. On 3 June, a concert was held in Nagoya."
    )
    (date,) = the_concert(text, names, "2025-01-01").dates
    assert date.start == "2020-06-03"


def test_a_later_year_is_not_carried_back(names: Any) -> None:
    text = "On 12 May, a concert was held in Nara. The next festival is planned for 2027."
    (date,) = the_concert(text, names, "2024-06-01").dates
    assert (date.start, date.derived, date.rule) == ("2024-05-12", True, "document-date")


def test_the_document_s_year_when_the_text_names_none(names: Any) -> None:
    text = "On 12 May, a concert was held in Nara."
    concert = the_concert(text, names, "2024-06-01")
    (date,) = concert.dates
    assert (date.start, date.derived) == ("2024-05-12", True)
    assert not concert.also
    graph = to_graph([concert], DOCUMENT, text)
    (subject,) = graph.subjects(KG.eventType, None)
    assert str(graph.value(subject, KG.dateDerivedBy)).endswith("derivation-rule/document-date")


def test_no_year_anywhere_stays_unresolved() -> None:
    text = "On 12 May, a concert was held in Nara."
    (date,) = find_dates(text, Span(0, len(text)), None)
    assert date.start is None


def test_a_count_is_not_a_year(names: Any) -> None:
    text = "The fair drew 2000 visitors. On 12 May, a concert was held in Nara."
    (date,) = the_concert(text, names, "2024-06-01").dates
    assert date.start == "2024-05-12"


def test_last_year_in_the_sentence_still_wins() -> None:
    text = "The hall opened in 2015. Last year, on 13 September, a concert was held in Nara."
    sentence = last_sentence(text)
    dates = [d for d in find_dates(text, sentence, "2024-06-01") if d.text.endswith("September")]
    assert [(d.start, d.derived) for d in dates] == [("2023-09-13", True)]


# ---------------------------------------------------------------- a paragraph's year

FRAMES = [
    pytest.param(
        "In 2016, a festival of folk music was held in Bukhara. Within the framework of this "
        "festival, three concerts took place in Khiva.",
        "2016",
        id="in-year-opens-the-paragraph",
    ),
    pytest.param(
        "During 2027, the theatre will tour Japan. It is also planned to hold a concert in Osaka.",
        "2027",
        id="during-year-and-a-plan",
    ),
    pytest.param(
        "In May 2016, a festival was held in Bukhara. A concert then took place in Khiva.",
        "2016",
        id="month-and-year-opens-it:-its-year",
    ),
    pytest.param(
        "In 2016, a festival was held in Bukhara.\nA concert took place in Khiva.",
        None,
        id="another-paragraph",
    ),
    pytest.param(
        "A festival was held in Bukhara in 2016. A concert took place in Khiva.",
        None,
        id="a-year-that-opens-nothing",
    ),
    pytest.param(
        "In 2016, a festival was held in Bukhara. In 2018 a concert took place in Khiva.",
        "2018",
        id="its-own-year-wins",
    ),
]


@pytest.mark.parametrize(("text", "year"), FRAMES)
def test_a_year_that_opens_a_paragraph_dates_what_follows(
    text: str, year: str | None, names: Any
) -> None:
    """News writing sets the time of a paragraph once ("In 2016, …"); what its later sentences
    tell without a date of their own is of that year (stated, so quoted: a second evidence)."""
    (concert,) = [c for c in draft(text, names) if c.label.startswith("Concert")]
    assert [d.start for d in concert.dates if d.start] == ([year] if year else [])
    if year and year != "2018":
        assert [text[s.start : s.end].split(",")[0] for s in concert.also] == [text.split(",")[0]]
        assert not concert.dates[0].derived


@pytest.mark.parametrize(
    ("text", "document_date", "value"),
    [
        ("The talks were held on Tuesday in the capital.", "2023-06-14", "2023-06-13"),
        ("The talks were held on Wednesday in the capital.", "2023-06-14", "2023-06-14"),
        ("The talks were held on Friday in the capital.", "2023-06-14", "2023-06-09"),
        ("The talks were held on Friday in the capital.", None, None),
    ],
)
def test_a_weekday_is_the_last_such_day_before_the_document(
    text: str, document_date: str | None, value: str | None
) -> None:
    """News writing's "on Tuesday": derived from the document's date (rule:document-date)."""
    (date,) = find_dates(text, Span(0, len(text)), document_date)
    assert date.start == value
    if value:
        assert (date.derived, date.rule) == (True, "document-date")
        assert date.text.startswith("on ") and date.text in text
