"""The drafter keeps intentions apart from what happened, and one clause gives one fact (issue
#14): agreements still to be concluded, invitations to an event, a named day as an event, an
event word and its name drafted once, a meeting's place and weekday.

Every sentence here is written for the test, not taken from any document.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from test_assist_facts import draft, graph_names, local

from kg.assist.facts import Candidate


@pytest.fixture(scope="module")
def names(graph: Graph) -> list[tuple[str, str, str, str]]:
    return graph_names(graph)


def facts(candidates: list[Candidate], *classes: str) -> list[Candidate]:
    return [c for c in candidates if c.cls in classes]


@pytest.mark.parametrize(
    "sentence",
    [
        "We consider it necessary to conclude an agreement on cultural exchange, the rector noted.",
        "The two universities need to sign a memorandum on student exchange, the dean noted.",
        "The ministries should sign a protocol on museum loans, the minister stressed.",
        "The partners intend to conclude a memorandum of intent on tourism, he noted.",
        "It is necessary to sign a cooperation agreement between the two theatres, she noted.",
        "The sides discussed the possibility to sign an agreement on tourism, the dean noted.",
        "The rectors gathered in Tashkent to sign a memorandum on joint degrees.",
    ],
)
def test_an_agreement_still_to_be_concluded_is_a_plan(
    sentence: str, names: list[tuple[str, str, str, str]]
) -> None:
    candidates = draft(sentence, names)
    assert not facts(candidates, "Agreement"), [(c.cls, c.label) for c in candidates]
    plans = facts(candidates, "Plan")
    assert plans and all(local(p.status) != "happened" for p in plans)


def test_a_signed_agreement_still_happened(names: list[tuple[str, str, str, str]]) -> None:
    candidates = draft("The two museums signed a memorandum on joint research in 2024.", names)
    assert [c.cls for c in facts(candidates, "Agreement")] == ["Agreement"]


def test_an_invitation_to_an_event_is_not_the_event(
    names: list[tuple[str, str, str, str]],
) -> None:
    text = (
        "The guests from Nagoya were invited to a gala reception "
        "for the celebration of Harvest Day."
    )
    candidates = draft(text, names)
    events = facts(candidates, "CulturalEvent", "Plan")
    assert len(events) == 1, [(c.cls, c.label) for c in candidates]
    assert events[0].cls == "Plan"
    assert local(events[0].status) in ("planned", "proposed")
    assert "Harvest Day" in events[0].label


def test_an_event_word_and_its_name_give_one_event(
    names: list[tuple[str, str, str, str]],
) -> None:
    text = (
        "Visitors will see the international EXPO exhibition, "
        "which will run from March 3 to May 9 in Tokyo."
    )
    candidates = draft(text, names, "2026-01-10")
    plans = facts(candidates, "Plan", "CulturalEvent")
    assert len(plans) == 1, [(c.cls, c.label) for c in candidates]
    assert "EXPO" in plans[0].label
    [date] = plans[0].dates
    assert (date.start, date.end) == ("2026-03-03", "2026-05-09")
    assert any("2026-05-09" in n for n in plans[0].needs)


@pytest.mark.parametrize(
    ("sentence", "cls", "status"),
    [
        ("Tashkent Day will be held in Nagoya on 9 March 2027.", "Plan", "planned"),
        ("Samarkand Day was celebrated in Osaka on 2 October 2019.", "CulturalEvent", "happened"),
    ],
)
def test_a_named_day_is_an_event(
    sentence: str, cls: str, status: str, names: list[tuple[str, str, str, str]]
) -> None:
    candidates = draft(sentence, names, "2025-01-01")
    [event] = facts(candidates, "Plan", "CulturalEvent")
    assert (event.cls, local(event.status)) == (cls, status)
    assert event.label.startswith(sentence.split(" Day")[0] + " Day")


def test_a_day_of_the_week_or_a_holiday_named_in_passing_is_no_event(
    names: list[tuple[str, str, str, str]],
) -> None:
    candidates = draft("The museum is closed on the Independence Day holiday.", names)
    assert not facts(candidates, "Plan", "CulturalEvent")


def test_a_place_in_a_title_is_not_where_a_meeting_was(
    names: list[tuple[str, str, str, str]],
) -> None:
    text = (
        "Tashkent, 14 June 2023. A meeting was held on Tuesday between the deputy mayor "
        "Timur Rakhimov and the consul of Japan in Nagoya Aiko Tanaka."
    )
    candidates = draft(text, names, "2023-06-14")
    [meeting] = facts(candidates, "CulturalEvent", "Plan")
    assert local(meeting.status) == "happened"
    assert [local(p) for p in meeting.fields.get("location", [])] != ["nagoya"]
    assert "forum" not in " ".join(meeting.fields.get("eventType", []))
    assert any("type" in n for n in meeting.needs)
    [date] = meeting.dates
    assert (date.start, date.derived, date.rule) == ("2023-06-13", True, "document-date")
    # the dateline's town, where the text places it nowhere else: quoted, and to be checked
    assert [local(p) for p in meeting.fields["location"]] == ["tashkent"]
    assert any(n.startswith("location:") for n in meeting.needs)
    assert [text[s.start : s.end] for s in meeting.also] == ["Tashkent, 14 June 2023."]


def test_a_dateline_place_is_no_place_for_an_event_placed_elsewhere(
    names: list[tuple[str, str, str, str]],
) -> None:
    text = "Tashkent, 14 June 2023. A concert of folk music was held in Nagoya on Tuesday."
    [concert] = facts(draft(text, names, "2023-06-14"), "CulturalEvent")
    assert [local(p) for p in concert.fields["location"]] == ["nagoya"]


def test_a_headline_event_takes_the_date_the_text_gives_it(
    names: list[tuple[str, str, str, str]],
) -> None:
    text = (
        "Tashkent Day to be held in Nagoya for the first time\n\n"
        "Tashkent Day will be held in Nagoya on March 9. Guests will taste the local cuisine."
    )
    [plan] = facts(draft(text, names, "2027-01-20"), "Plan", "CulturalEvent")
    assert plan.label.startswith("Tashkent Day")
    assert [(d.start, d.derived) for d in plan.dates] == [("2027-03-09", True)]
    assert [text[s.start : s.end] for s in plan.also] == [
        "Tashkent Day will be held in Nagoya on March 9."
    ]


def test_a_planned_weekday_is_the_next_one(names: list[tuple[str, str, str, str]]) -> None:
    text = "A concert of folk music will be held in Nagoya on Friday."
    [plan] = facts(draft(text, names, "2023-06-14"), "Plan")
    assert [(d.start, d.derived, d.rule) for d in plan.dates] == [
        ("2023-06-16", True, "document-date")
    ]
    assert any("2023-06-16" in n for n in plan.needs)


def test_no_one_has_signed_an_agreement_still_to_be_concluded(
    names: list[tuple[str, str, str, str]],
) -> None:
    text = "We consider it necessary to sign a memorandum on tourism, Timur Rakhimov noted."
    [plan] = facts(draft(text, names), "Plan")
    assert local(plan.status) == "proposed"
    assert "signatory" not in plan.fields
    assert any("Timur Rakhimov" in n for n in plan.needs)
    assert "no party named: who is to conclude it?" in plan.needs


def test_a_place_in_a_title_is_not_where_a_plan_is(names: list[tuple[str, str, str, str]]) -> None:
    text = "The consul of Japan in Nagoya proposed to open a language school in Tashkent."
    [plan] = facts(draft(text, names), "Plan")
    assert [local(p) for p in plan.fields["location"]] == ["tashkent"]


def test_where_participants_come_from_is_not_where_it_was(
    names: list[tuple[str, str, str, str]],
) -> None:
    text = "A festival of folk music was held in Nagoya, where most performers were from Tashkent."
    [event] = facts(draft(text, names), "CulturalEvent")
    assert [local(p) for p in event.fields["location"]] == ["nagoya"]
