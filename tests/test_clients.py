"""Real clients against the real server: SPARQLWrapper, rdflib's SPARQLStore, pandas."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from helpers import LiveServer
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

KG = "https://w3id.org/cakg/ontology#"
TWINNINGS = f"""
PREFIX kg: <{KG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?twinning ?year WHERE {{ ?twinning a kg:CityTwinning ; kg:year ?year }} ORDER BY ?year
"""


def test_sparqlwrapper_with_default_parameters(server: LiveServer) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(TWINNINGS)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    years = [int(b["year"]["value"]) for b in result["results"]["bindings"]]  # type: ignore[index]
    assert years == [2019, 2019, 2021, 2022]


@pytest.mark.parametrize("fmt", [XML, CSV, TSV], ids=["xml", "csv", "tsv"])
def test_sparqlwrapper_other_formats(server: LiveServer, fmt: str) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(TWINNINGS)
    client.setReturnFormat(fmt)
    raw = client.query().response.read()
    assert b"twinning/tashkent-nagoya" in raw


def test_sparqlwrapper_post_and_construct(server: LiveServer) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setMethod("POST")
    client.setQuery(
        f"PREFIX kg: <{KG}> CONSTRUCT {{ ?c a kg:Country }} WHERE {{ ?c a kg:Country }}"
    )
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    graph = Graph().parse(data=data, format="turtle")
    assert len(graph) == 4


def test_sparqlwrapper_ask(server: LiveServer) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(f"PREFIX kg: <{KG}> ASK {{ ?p a kg:Plan }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore(server: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint, returnFormat="json"))
    rows = list(graph.query(TWINNINGS))
    assert len(rows) == 4
    khiva = URIRef("https://w3id.org/cakg/city/khiva")
    assert (khiva, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in graph


def test_pandas_read_csv(server: LiveServer) -> None:
    import requests

    query = f"""PREFIX kg: <{KG}>
    SELECT ?year (COUNT(?s) AS ?visitors) WHERE {{
      ?s kg:measure <https://w3id.org/cakg/vocab/measure/japanese-visitors> ; kg:year ?year ;
         kg:value ?v }} GROUP BY ?year ORDER BY ?year"""
    response = requests.get(
        server.endpoint, params={"query": query}, headers={"Accept": "text/csv"}, timeout=10
    )
    frame = pd.read_csv(io.StringIO(response.text))
    assert list(frame.columns) == ["year", "visitors"]
    assert frame["year"].tolist()[:6] == [2019, 2020, 2021, 2022, 2023, 2024]


def test_pandas_read_csv_from_url(server: LiveServer) -> None:
    from urllib.parse import urlencode

    url = (
        server.endpoint
        + "?"
        + urlencode(
            {
                "query": f"PREFIX kg: <{KG}> SELECT ?code "
                "WHERE {{ ?c kg:iso3166Code ?code }} ORDER BY ?code",
                "format": "csv",
            }
        )
    )
    frame = pd.read_csv(url)
    assert frame["code"].tolist()[:4] == ["JP", "JP-21", "JP-29", "KG"]
