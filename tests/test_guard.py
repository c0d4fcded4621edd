"""Queries that would leave the machine or exhaust the parser are refused before evaluation."""

from __future__ import annotations

import contextlib
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from helpers import contacts

from kg.errors import QueryRefused
from kg.store.guard import check, query_form

ROOT = Path(__file__).resolve().parents[1]

LOCAL = ["https://w3id.org/cakg/graph/"]

REFUSED = [
    pytest.param(
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SERVICE",
        id="service",
    ),
    pytest.param(
        "select * where { service silent <http://x/> { ?s ?p ?o } }",
        "SERVICE",
        id="service-silent-lowercase",
    ),
    pytest.param(
        "PREFIX e: <http://evil/>\nSELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        "SERVICE",
        id="service-prefixed",
    ),
    pytest.param(
        "SELECT * { BIND(<http://x/> AS ?u) SERVICE ?u { ?s ?p ?o } }",
        "SERVICE",
        id="service-variable",
    ),
    pytest.param("SELECT * FROM <http://example.org/data.ttl> { ?s ?p ?o }", "FROM", id="from"),
    pytest.param(
        "SELECT * FROM NAMED <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }",
        "FROM",
        id="from-named",
    ),
    # Oxigraph reads ASKFROM<g> as ASK FROM <g>: the scan took one word (a review's fuzzing)
    pytest.param("ASKFROM<http://example.org/g>{ ?s ?p ?o }", "FROM", id="from-glued-to-ask"),
    pytest.param(
        "CONSTRUCTFROM<http://example.org/g>WHERE{ ?s ?p ?o }", "FROM", id="from-glued-to-construct"
    ),
    pytest.param("SELECT * WHERE " + "{" * 200 + "?s ?p ?o" + "}" * 200, "nests", id="deep-braces"),
    pytest.param(
        "SELECT * WHERE { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }",
        "nests",
        id="deep-parentheses",
    ),
]


@pytest.mark.parametrize(("query", "word"), REFUSED)
def test_refused(query: str, word: str) -> None:
    with pytest.raises(QueryRefused, match=word) as info:
        check(query, max_depth=64, local_graph_prefixes=LOCAL)
    assert info.value.line is not None


ALLOWED = [
    pytest.param("SELECT * WHERE { ?s ?p ?o }", id="plain"),
    pytest.param('SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }', id="keyword-in-string"),
    pytest.param("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>", id="keyword-in-comment"),
    pytest.param("SELECT * WHERE { ?s <http://x/SERVICE> ?o }", id="keyword-in-iri"),
    pytest.param(
        "SELECT * FROM <https://w3id.org/cakg/graph/gazetteer> { ?s ?p ?o }", id="from-local-graph"
    ),
    pytest.param("SELECT ?service WHERE { ?service ?p ?o }", id="variable-named-service"),
]


@pytest.mark.parametrize("query", ALLOWED)
def test_allowed(query: str) -> None:
    check(query, max_depth=64, local_graph_prefixes=LOCAL)


def test_operator_can_allow_a_service_prefix() -> None:
    query = "SELECT * { SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }"
    check(query, max_depth=64, allowed_service_prefixes=["http://127.0.0.1:9999/"])


# ---------------------------------------------------------------- issue 11: read as Oxigraph reads

ALLOWED_SERVICES = ["http://allowed.example/"]

#: Queries the guard once let through although Oxigraph 0.5 connects to TARGET when it evaluates
#: them (test_each_bypass_reaches_the_network_without_the_guard proves it on pyoxigraph).
BYPASSES = [
    pytest.param(
        "PREFIX e: <TARGET/> SELECT ?x { FILTER(1<2)SERVICE#>\ne:x { } }",
        id="less-than-read-as-an-iri",
    ),
    pytest.param(
        "PREFIX e: <TARGET/> PREFIX x: <http://www.w3.org/2001/XMLSchema#>\n"
        "SELECT ?x { FILTER x:boolean(1<2)SERVICE#>\ne:x { } }",
        id="less-than-in-a-function-call-read-as-an-iri",
    ),
    pytest.param(
        "SELECT * { ?s ?p <http://a/\\u0041#> . SERVICE <TARGET/x> { } }",
        id="uchar-in-an-iri-read-as-code-so-its-hash-as-a-comment",
    ),
    pytest.param(
        "SELECT * { ?s ?p <http://a/\\u+041#> . SERVICE <TARGET/x> { } }",
        id="uchar-with-a-plus-sign-in-an-iri",
    ),
    pytest.param("SELECT * { ?s ?p trueSERVICE<TARGET/x>{ } }", id="service-glued-to-true"),
    pytest.param("SELECT * { ?s ?p 1e5SERVICE<TARGET/x>{ } }", id="service-glued-to-a-double"),
    pytest.param("PREFIX e: <TARGET/> SELECT * { SERVICEe:x { } }", id="service-glued-to-its-iri"),
    pytest.param("PREFIX : <TARGET/> SELECT * { SERVICE:x { } }", id="service-glued-to-:x"),
    pytest.param(
        "PREFIX e: <TARGET/> SELECT * { SERVICESILENTe:x { } }", id="service-silent-glued"
    ),
    pytest.param("SELECT * { servicesilent<TARGET/x>{ } }", id="service-silent-glued-lowercase"),
    pytest.param(
        "PREFIX service: <http://allowed.example/> PREFIX : <TARGET/>\nSELECT * { service:x { } }",
        id="prefix-named-service",
    ),
    pytest.param(
        "PREFIX silent: <http://allowed.example/> PREFIX : <TARGET/>\n"
        "SELECT * { SERVICE silent:x { } }",
        id="prefix-named-silent",
    ),
    pytest.param(
        "PREFIX e: <http://allowed.example/> PREFIXe:<TARGET/>\nSELECT * { SERVICE e:x { } }",
        id="prefix-redeclared-glued",
    ),
    pytest.param(
        "PREFIX e: <http://x/> SELECT * { ?s ?p e:a.b.SERVICE<TARGET/x>{ } }",
        id="prefixed-name-ends-at-its-second-dot",
    ),
    pytest.param(
        "PREFIX e: <http://x/#> PREFIX f: <TARGET/> SELECT * { ?s ?p e:SERVICEf:x\\# { } }",
        id="prefixed-name-with-a-bad-iri-is-its-prefix-then-code",
    ),
    pytest.param(
        "PREFIX e: <http://x:1> PREFIX f: <TARGET/> SELECT * { ?s ?p e:SERVICEf:x { } }",
        id="prefixed-name-whose-local-part-breaks-the-port",
    ),
    pytest.param(
        "PREFIX e: <http://x:1> PREFIX f: <TARGET/>\n"
        "SELECT * { ?s ?p e:FILTER(?s<2)SERVICE#>\nf:x { } }",
        id="prefixed-name-fallback-turns-a-collection-into-a-filter",
    ),
    pytest.param(
        "SELECT * { VALUES ?x { '''a' } SERVICE <TARGET/x> { } # \\q'''\n}",
        id="long-string-with-a-bad-escape-is-two-short-ones",
    ),
    pytest.param(
        "SELECT * { VALUES ?x { '''a' } SERVICE <TARGET/x> { } # \\uD800'''\n}",
        id="long-string-with-a-surrogate-escape-is-two-short-ones",
    ),
]


@pytest.mark.parametrize("query", BYPASSES)
def test_bypass_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused) as info:
        check(
            query.replace("TARGET", "http://127.0.0.1:9"),
            max_depth=64,
            allowed_service_prefixes=ALLOWED_SERVICES,
        )
    assert info.value.line is not None


@pytest.mark.parametrize("query", BYPASSES)
def test_each_bypass_reaches_the_network_without_the_guard(query: str, listener: Any) -> None:
    """Oxigraph, in this process with no sandbox, does connect: the bypasses are real. Its
    store holds what their patterns need to match, so that the SERVICE after them is called."""
    store = ox.Store()
    s, p = ox.NamedNode("http://s/"), ox.NamedNode("http://p/")
    for o in ("http://o/", "http://x/#", "http://x:1"):
        store.add(ox.Quad(s, p, ox.NamedNode(o)))
    with contextlib.suppress(Exception):  # the listener is no SPARQL endpoint
        answer = store.query(query.replace("TARGET", listener[0]))
        list(answer) if not isinstance(answer, ox.QueryBoolean) else None
    assert contacts(listener)


REFUSED_TOO = [
    pytest.param(
        "SELECT * { SERVIC\\u0045 <http://evil/> { } }",
        id="keyword-spelt-with-an-escape-for-a-sparql-1.1-store",
    ),
    pytest.param(
        "SELECT * { # \\u000ASERVICE <http://evil/> { } }\n}",
        id="escaped-line-end-ends-a-comment-for-a-sparql-1.1-store",
    ),
    pytest.param(
        "SELECT * { SERVICE <http://allowed.example\\u002Eevil/> { } }",
        id="escaped-dot-makes-another-host",
    ),
    pytest.param(
        "SELECT * { SERVICE <http\\u003A//evil/> { } }", id="escaped-colon-to-another-host"
    ),
    pytest.param(
        "SELECT * { ?s ?p (?a <http://x/#y> ) . SERVICE <http://evil/> { } }",
        id="iri-after-a-value-in-a-collection",
    ),
    pytest.param(
        "SELECT * { BIND(<<( ?s <http://p/#> ?o )>> AS ?t) SERVICE <http://evil/> { } }",
        id="iri-in-a-triple-term",
    ),
    pytest.param("SELECT * { BIND(<http://evil/> AS $u) SERVICE $u { } }", id="service-dollar"),
    pytest.param("SELECT * { SERVICE\t<http://evil/>\t{ } }", id="tabs"),
    pytest.param("SELECT * { SERVICE SILENT:x { } }", id="silent-glued-to-an-unbound-name"),
]


@pytest.mark.parametrize("query", REFUSED_TOO)
def test_refused_too(query: str) -> None:
    with pytest.raises(QueryRefused):
        check(query, max_depth=64, allowed_service_prefixes=ALLOWED_SERVICES)


@pytest.mark.parametrize(
    ("prefix", "iri"),
    [
        ("http://ok.example", "http://ok.example.evil/"),
        ("http://ok.example", "http://ok.example@evil/"),
        ("http://ok.example:80", "http://ok.example:8080/"),
        ("http://ok.example/", "http://ok.example.evil/"),
    ],
)
def test_an_allowed_prefix_covers_its_host_only(prefix: str, iri: str) -> None:
    with pytest.raises(QueryRefused):
        check(
            f"SELECT * {{ SERVICE <{iri}> {{ }} }}", max_depth=64, allowed_service_prefixes=[prefix]
        )


ALLOWED_TOO = [
    pytest.param("SELECT * { SERVICE <http\\u003A//allowed.example/x> { } }", id="escaped-colon"),
    pytest.param("SELECT * { SERVICE <http://allowed.example\\u002Fx> { } }", id="escaped-slash"),
    pytest.param(
        "PREFIX a: <http://allowed.example/> SELECT * { SERVICE a:x\\/y { } }",
        id="allowed-prefixed-name-with-an-escape",
    ),
    pytest.param("SELECT * { ?s ?p ?o FILTER(?o<3) }", id="less-than"),
    pytest.param("SELECT * { ?s ?p ?o FILTER(?a<?b&&?c>?d) }", id="less-than-looks-like-an-iri"),
    pytest.param(
        "SELECT * { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?o }", id="iri-with-hash"
    ),
    pytest.param(
        "SELECT * { VALUES (?a ?b) { (1 <http://x/#y>) } }", id="iri-with-hash-after-a-value"
    ),
    pytest.param("DESCRIBE <http://a/> <http://b/#c>", id="two-iris"),
    pytest.param(
        "SELECT * { ?s ?p ?o } ORDER BY ?s <http://www.w3.org/2001/XMLSchema#string>(?o)",
        id="order-by-a-function",
    ),
    pytest.param("SELECT * { ?s ?p '''it''s''' , 'a\\'b' , \"\\u0041\" }", id="strings"),
    pytest.param("SELECT * { ?s ?p 'SERVICE <http://x/>' }", id="service-in-a-string"),
    pytest.param("SELECT ?service ?from { ?service ?p ?from }", id="variables"),
    pytest.param("PREFIX ex: <http://x/> SELECT * { ?s ex:hasService ex:from }", id="local-names"),
    pytest.param(
        "PREFIX service: <http://x/> SELECT * { service:a ?p ?o }", id="prefix-named-service"
    ),
    pytest.param(
        "SELECT * { ?s ?p ?o FILTER(?o = <http://x/>) }\n# SERVICE <http://evil/>",
        id="comment-at-the-end",
    ),
]


@pytest.mark.parametrize("query", ALLOWED_TOO)
def test_allowed_too(query: str) -> None:
    check(
        query, max_depth=64, allowed_service_prefixes=ALLOWED_SERVICES, local_graph_prefixes=LOCAL
    )


#: Chains that crash Oxigraph (a stack overflow) with no bracket nested: each operator or
#: UNION is one more level of its parser's recursion or of the tree it builds.
CHAINS = [
    pytest.param("SELECT (" + "+".join(["1"] * 30_000) + " AS ?x) {}", id="sum"),
    pytest.param("SELECT (" + "!" * 60_000 + "true AS ?x) {}", id="negations"),
    pytest.param("SELECT * {" + "UNION".join(["{}"] * 13_000) + "}", id="union"),
]


@pytest.mark.parametrize("query", CHAINS)
def test_long_chains_are_refused(query: str) -> None:
    assert len(query.encode()) < 100_000  # within MAX_QUERY_BYTES
    with pytest.raises(QueryRefused, match="chains"):
        check(query, max_depth=64)


@pytest.mark.parametrize("query", CHAINS)
def test_long_chains_crash_the_engine(query: str) -> None:
    """In a process of its own with an 8 MB stack, as a query process has."""
    code = "import sys, pyoxigraph as ox\nlist(ox.Store().query(sys.stdin.read()))\n"

    def small_stack() -> None:
        resource.setrlimit(resource.RLIMIT_STACK, (8 << 20, 8 << 20))

    done = subprocess.run(
        [sys.executable, "-c", code],
        input=query,
        text=True,
        capture_output=True,
        preexec_fn=small_stack,
        timeout=60,
        check=False,
    )
    assert done.returncode < 0, done.stderr  # killed by a signal


def test_a_long_but_ordinary_query_is_allowed() -> None:
    alternatives = " || ".join(f"?o = {i}" for i in range(200))
    check(f"SELECT * {{ ?s ?p ?o FILTER({alternatives}) }}", max_depth=64)


def test_the_quick_path_reads_the_same_form_as_the_scan() -> None:
    """Most queries spell no SERVICE, FROM or LOAD anywhere and skip the full scan; the form
    they are answered in must still be the one the scan reads."""
    folders = [ROOT / "tests" / "cq", ROOT / "bench" / "queries"]
    for path in sorted(p for folder in folders for p in folder.glob("*.rq")):
        text = path.read_text("utf-8")
        assert check(text, max_depth=64).form == query_form(text), path.name


def test_the_quick_path_does_not_backtrack_on_a_long_prologue() -> None:
    query = "PREFIX a: <x>" + " \n" * 40_000 + "#" * 10 + "!"
    assert check(query, max_depth=64).form is None
