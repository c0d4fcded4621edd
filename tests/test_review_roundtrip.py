"""What the review page sends back is what the assistant drafted (issue 14): each fact read
from its review JSON (``kg.web.reviewing.candidate``) has the drafted fact's quotes and dates,
with the rule a derived date follows, so an accepted fact loses nothing on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import draft_article

from kg.assist.extract import Draft
from kg.web.reviewing import candidate

#: Written for this test, in general English (not from the five documents); a paragraph
#: per line, as articles come
ARTICLE = (
    "Music between two capitals\n\n"
    "In 2016, the two countries widened their exchanges. On 12 May a folk concert was held in "
    "Tashkent, and an exhibition of prints opened in Almaty on 20 May.\n\n"
    "The 30th anniversary of the establishment of diplomatic relations between Uzbekistan and "
    "Japan will be celebrated with a gala concert in Tashkent in 2024.\n"
)


@pytest.fixture(scope="module")
def drafted(built: Path) -> Draft:
    made: Draft = draft_article(built, ARTICLE, date="2023-01-10")
    return made


def test_every_fact_comes_back_with_its_quotes_and_dates(drafted: Draft) -> None:
    facts = drafted.review["facts"]
    assert len(facts) == len(drafted.candidates)
    assert any(c.also for c in drafted.candidates), "the article should carry a year forward"
    rules = {d.rule for c in drafted.candidates for d in c.dates if d.derived}
    assert "anniversary" in rules, rules
    for fact, original in zip(facts, drafted.candidates, strict=True):
        back = candidate(fact)
        assert (back.cls, back.span, back.also) == (original.cls, original.span, original.also)
        for got, want in zip(back.dates, original.dates, strict=True):
            assert (got.span, got.start, got.end, got.qualifier, got.derived) == (
                want.span,
                want.start,
                want.end,
                want.qualifier,
                want.derived,
            )
            if want.derived:
                assert (got.rule, got.year_from) == (want.rule, want.year_from)
