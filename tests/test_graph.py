"""The assembled graph: layout, conformance, identity, dates and the plan/event split."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.graph.dataset import derive_years
from kg.graph.validate import validate
from kg.namespaces import BASE, KG, STATUS

ENTITY_CLASSES = [
    KG.Country,
    KG.Region,
    KG.City,
    KG.Venue,
    KG.Person,
    KG.Organization,
    KG.CulturalEvent,
    KG.HistoricalEvent,
    KG.SportsEvent,
    KG.Facility,
    KG.Group,
    KG.Programme,
    KG.EventSeries,
    KG.Plan,
    KG.Agreement,
    KG.CityTwinning,
    KG.Award,
    KG.Statistic,
    KG.CreativeWork,
    KG.Document,
]


def test_whole_graph_conforms(graph: Graph, shapes: Graph, settings: dict[str, Any]) -> None:
    report = validate(graph, shapes, settings["DATA_DIR"])
    assert report.conforms, report.to_text()
    assert [r for r in report.results if r.severity != "Info"] == []


def test_every_iri_we_mint_is_described(graph: Graph) -> None:
    """No dangling references: every IRI of our namespace used as an object has a type."""
    dangling = {
        o
        for o in graph.objects()
        if isinstance(o, URIRef)
        and o.startswith(BASE)
        and "/graph/" not in o
        and (o, RDF.type, None) not in graph
        and not o.startswith(BASE + "ontology")
    }
    assert dangling == set()


@pytest.mark.parametrize("cls", ENTITY_CLASSES, ids=lambda c: str(c).rsplit("#", 1)[-1])
def test_one_node_per_real_thing(graph: Graph, cls: URIRef) -> None:
    """Two resources of a class with the same label are almost always one thing split in two."""
    labels = Counter(str(graph.value(s, RDFS.label)) for s in set(graph.subjects(RDF.type, cls)))
    assert [label for label, n in labels.items() if n > 1] == []


@pytest.mark.parametrize("cls", ENTITY_CLASSES, ids=lambda c: str(c).rsplit("#", 1)[-1])
def test_every_class_is_populated(graph: Graph, cls: URIRef) -> None:
    assert (None, RDF.type, cls) in graph


def test_plans_are_never_events(graph: Graph) -> None:
    plans = set(graph.subjects(RDF.type, KG.Plan))
    assert plans, "the documents state plans"
    assert plans.isdisjoint(graph.subjects(RDF.type, KG.CulturalEvent))
    assert all(graph.value(p, KG.status) != STATUS.happened for p in plans)


def test_happened_classes_say_so(graph: Graph) -> None:
    for cls in (
        KG.CulturalEvent,
        KG.HistoricalEvent,
        KG.SportsEvent,
        KG.Agreement,
        KG.Programme,
        KG.CityTwinning,
        KG.Award,
    ):
        for s in graph.subjects(RDF.type, cls):
            assert graph.value(s, KG.status) == STATUS.happened, s


@pytest.mark.parametrize(
    ("dates", "years"),
    [
        pytest.param(
            [(KG.startDate, "2022-04-25", XSD.date), (KG.endDate, "2022-04-30", XSD.date)],
            [2022],
            id="day-range",
        ),
        pytest.param([(KG.date, "2024-08", XSD.gYearMonth)], [2024], id="month"),
        pytest.param([(KG.date, "2019", XSD.gYear)], [2019], id="year"),
        pytest.param(
            [(KG.startDate, "1947", XSD.gYear), (KG.endDate, "1950", XSD.gYear)],
            [1947, 1948, 1949, 1950],
            id="year-span",
        ),
        pytest.param([(KG.dateText, "next year", XSD.string)], [], id="no-calendar-date"),
    ],
)
def test_year_is_derived_at_every_precision(
    dates: list[tuple[URIRef, str, URIRef]], years: list[int]
) -> None:
    node = URIRef(BASE + "event/x")
    graph = Graph()
    for prop, value, datatype in dates:
        graph.add((node, prop, Literal(value, datatype=datatype)))
    derived = sorted(int(o) for _, _, o in derive_years(graph))
    assert derived == years


def test_derived_years_sit_beside_their_dates(dataset: Dataset) -> None:
    """Each kg:year is in the graph of the date it comes from, blank-node roles included."""
    years = 0
    for graph in dataset.graphs():
        for subject in graph.subjects(KG.year):
            dated = [graph.value(subject, p) for p in (KG.date, KG.startDate, KG.endDate)]
            assert any(d is not None for d in dated), subject
            years += 1
    assert years > 100


def test_dates_keep_their_precision(graph: Graph) -> None:
    """August 2024 stays a month: no date is padded to a first day of month or year."""
    month = graph.value(predicate=KG.date, object=Literal("2024-08", datatype=XSD.gYearMonth))
    assert month is not None
    for prop in (KG.date, KG.startDate, KG.endDate):
        for value in graph.objects(None, prop):
            assert value.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear), value


def test_every_unit_is_a_described_qudt_unit(graph: Graph) -> None:
    """Issue #13: units are QUDT IRIs, each described in the ontology (label, type)."""
    units = set(graph.objects(None, KG.unitOfMeasure))
    assert units, "the documents state amounts of money and percentages"
    assert all(str(u).startswith("http://qudt.org/vocab/unit/") for u in units)
    assert [u for u in units if graph.value(u, RDFS.label) is None] == []


def test_currency_codes_are_iso_4217(graph: Graph) -> None:
    """Issue #13: each currency unit's qudt:currencyCode and number are ISO 4217's (pycountry)."""
    import pycountry

    qudt = "http://qudt.org/schema/qudt/"
    codes = list(graph.subject_objects(URIRef(qudt + "currencyCode")))
    assert codes
    for unit, code in codes:
        currency = pycountry.currencies.get(alpha_3=str(code))
        assert currency is not None, code
        assert str(graph.value(unit, URIRef(qudt + "currencyNumber"))) == currency.numeric
