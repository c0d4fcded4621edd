"""What an entity page lists that grows with the data (what points to a thing, the facts
citing a document, what a named graph describes), asked of the store a page at a time: each
list counted, its first PAGE_ITEMS chosen by name, and only those described, so that a page
never fetches a country's 20,000 links. The queries are run by the caller's `select` and
`construct` (a page's, within its deadline); :mod:`describe` turns what they answer into
what the page shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from string import Template

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from ..namespaces import KG, OA, SCHEMA
from ..store.interface import OWN, OWN_PATTERN, OWN_TEMPLATE, sparql_iri

#: Incoming links: a heading per property, said from the page's side; other properties read
#: "<property> of". Evidence pointing at a document is shown as "Cited by" instead.
INCOMING: dict[Node, str] = {
    KG.location: "Events held here",
    KG.inCity: "In this city",
    KG.inRegion: "In this region",
    KG.country: "In this country",
    KG.twinnedPlace: "Twinnings",
    KG.about: "Statistics about this",
    KG.partOfSeries: "Editions",
    KG.subEventOf: "Parts of this event",
    KG.roleIn: "Roles in this",
    KG.recipient: "Awards received",
    KG.party: "Party to",
    KG.signatory: "Signed",
    KG.participatingCountry: "Took part in",
    KG.featuredWork: "Featured in",
    KG.concludedAt: "Agreements concluded here",
    KG.partner: "Partner of",
    KG.partOf: "Parts",
    KG.participant: "Took part in",
    KG.organizer: "Organised",
    KG.founder: "Founded",
    KG.builtBy: "Built",
    KG.conferredBy: "Awards conferred",
    KG.dateDerivedFrom: "Dates derived from this",
    KG.evidence: "Facts it supports",
    KG.status: "Facts with this status",
    KG.eventType: "Events of this type",
    KG.agreementType: "Agreements of this type",
    KG.measure: "Statistics of this measure",
    DCTERMS.publisher: "Published",
    DCTERMS.creator: "Wrote",
}
INCOMING_HIDDEN = {KG.source, OA.hasSource, KG.countryDerivedFrom, KG.derivedProperty}
#: The facts that cite a document (through one of its quotes, the fact's or a blank node's of
#: it: a participation), one row each, by name: the query a document's page links to list
#: them all, and picks the first PAGE_ITEMS by.
CITING_FACTS = Template("""SELECT ?fact (MIN(STR(?name)) AS ?label) WHERE {
  ?ev kg:source $doc ; kg:quote ?quote .
  { ?fact kg:evidence ?ev } UNION { ?fact ?via ?node . ?node kg:evidence ?ev FILTER isBlank(?node) }
  FILTER isIRI(?fact)
  OPTIONAL { VALUES ?np { rdfs:label kg:roleName } ?fact ?np ?name }
} GROUP BY ?fact ORDER BY ?label ?fact""")
CITING_COUNT = Template("""SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE {
  ?ev kg:source $doc ; kg:quote ?quote .
  { ?fact kg:evidence ?ev } UNION { ?fact ?via ?node . ?node kg:evidence ?ev FILTER isBlank(?node) }
  FILTER isIRI(?fact)
}""")
#: The chosen facts with the quotes they cite the document by, their names and types. The
#: chosen IRIs are written in each branch: joined with a subquery or an outer VALUES, Oxigraph
#: evaluated the second branch over the whole store (30 s at 1M quads, not 0.04).
CITING = Template("""
CONSTRUCT { ?fact kg:evidence ?ev . ?ev kg:quote ?quote ; kg:source $doc .
  ?fact ?lp ?label . ?fact a ?type }
WHERE {
  { VALUES ?fact { $facts } ?fact kg:evidence ?ev . ?ev kg:source $doc ; kg:quote ?quote }
  UNION
  { VALUES ?fact { $facts } ?fact ?via ?node . ?node kg:evidence ?ev FILTER isBlank(?node)
    ?ev kg:source $doc ; kg:quote ?quote }
  OPTIONAL { VALUES ?lp { rdfs:label skos:prefLabel kg:roleName } ?fact ?lp ?label }
  OPTIONAL { ?fact a ?type }
}""")

#: How many things (IRIs, as DESCRIBE's) point here by each property.
LINK_COUNTS = Template(
    "SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p $thing FILTER isIRI(?s) } GROUP BY ?p"
)
#: Those that point here by one of a heading's properties, one row each, by name: the query a
#: page links to list them all, and picks the first PAGE_ITEMS by.
LINKS_BY = Template("""SELECT ?s (MIN(STR(?name)) AS ?label) WHERE {
  VALUES ?p { $props } ?s ?p $thing FILTER isIRI(?s)
  OPTIONAL { VALUES ?np { rdfs:label kg:roleName } ?s ?np ?name }
} GROUP BY ?s ORDER BY ?label ?s""")
#: A heading's total when it gathers several properties: a thing may point here by two.
LINKS_COUNT = Template(
    "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES ?p { $props } ?s ?p $thing FILTER isIRI(?s) }"
)
#: The chosen things, each under its heading's properties only (a branch each, as CITING's),
#: with their names in every language and their classes: DESCRIBE's part on what points
#: here, for those.
LINKS_NAMED = Template("""CONSTRUCT { ?s ?p $thing . ?s ?slp ?sl . ?s a ?st } WHERE {
  $branches
  OPTIONAL { VALUES ?slp { rdfs:label skos:prefLabel kg:roleName } ?s ?slp ?sl }
  OPTIONAL { ?s a ?st }
}""")
#: The things a named graph describes (IRIs other than its page's), one row each, the facts by
#: name and then the quotes by their text, as its page lists them.
GRAPH_THINGS = Template("""SELECT ?thing (MIN(LCASE(STR(COALESCE(?quote, ?name)))) AS ?label)
  (MAX(IF(BOUND(?quote), 1, 0)) AS ?quoted)
WHERE {
  { SELECT DISTINCT ?thing WHERE {
      GRAPH $graph { ?thing ?p ?o } FILTER(isIRI(?thing) && ?thing != $page) } }
  OPTIONAL { GRAPH $graph { VALUES ?np { rdfs:label kg:roleName } ?thing ?np ?name } }
  OPTIONAL { GRAPH $graph { ?thing kg:quote ?quote } }
} GROUP BY ?thing ORDER BY ?quoted ?label ?thing""")
GRAPH_COUNTS = Template("""SELECT ?statements ?things WHERE {
  { SELECT (COUNT(*) AS ?statements) WHERE { GRAPH $graph { ?s ?p ?o } } }
  { SELECT (COUNT(DISTINCT ?s) AS ?things) WHERE {
      GRAPH $graph { ?s ?p ?o } FILTER(isIRI(?s) && ?s != $page) } }
}""")
#: The chosen things as the graph names and types them (the IRIs in each branch, as CITING's).
GRAPH_NAMED = Template("""CONSTRUCT { ?thing ?np ?name . ?thing kg:quote ?quote . ?thing a ?type }
WHERE {
  GRAPH $graph {
    { VALUES ?thing { $things } VALUES ?np { rdfs:label skos:prefLabel kg:roleName }
      ?thing ?np ?name }
    UNION { VALUES ?thing { $things } ?thing kg:quote ?quote }
    UNION { VALUES ?thing { $things } ?thing a ?type } }
}""")
#: What a named graph says of its own IRI (its page's statements).
GRAPH_OWN = Template(
    "CONSTRUCT {" + OWN_TEMPLATE + "\n} WHERE { GRAPH $graph {" + OWN_PATTERN + "\n} }"
)

Select = Callable[[str], list[dict[str, str]]]
Construct = Callable[[str], Graph]


@dataclass(frozen=True)
class Listing:
    """A list a page shows the first few of: how many there are in all, and the query that
    lists every one (a row each), for the page to link."""

    total: int
    query: str


@dataclass
class Incoming:
    """What points to a thing: the first few under each heading (the graph, as DESCRIBE gives
    it) and each heading's listing, by heading: its name, or the property INCOMING has none
    for (its name is said on the page, in the reader's language)."""

    graph: Graph
    listings: dict[str, Listing]
    found: bool  # whether anything points here at all, shown or not


@dataclass
class Chosen:
    """The first few of a list, described (their names, classes, quotes), and its listing."""

    graph: Graph
    listing: Listing


@dataclass
class Contents(Chosen):
    """The first few things a named graph describes, as the graph names and types them, and
    how many statements it holds."""

    statements: int


def heading_key(prop: URIRef) -> str | None:
    """The heading a property's links are listed under (a property INCOMING does not name is
    its own), or None for links a page does not show."""
    if str(prop).startswith(SCHEMA) or prop in INCOMING_HIDDEN:
        return None
    return INCOMING.get(prop, prop)


def incoming(iri: str, select: Select, construct: Construct, most: int) -> Incoming:
    """The first `most` things, by name, under each heading of what points to `iri`: counted
    and chosen by the store, so that a page never fetches a country's 20,000 links."""
    thing = sparql_iri(iri)
    counts = {URIRef(r["p"]): int(r["n"]) for r in select(LINK_COUNTS.substitute(thing=thing))}
    groups: dict[str, list[URIRef]] = {}
    for prop in sorted(counts):
        key = heading_key(prop)
        if key is not None:
            groups.setdefault(key, []).append(prop)
    listings, branches = {}, []
    for key, props in groups.items():
        values = " ".join(p.n3() for p in props)
        if len(props) == 1:
            total = counts[props[0]]
        else:  # a thing may point here by two of them
            counted = select(LINKS_COUNT.substitute(props=values, thing=thing))
            total = int(counted[0]["n"])
        query = LINKS_BY.substitute(props=values, thing=thing)
        listings[key] = Listing(total, query)
        chosen = first(select, query, "s", most)
        branches.append(f"{{ VALUES ?s {{ {chosen} }} VALUES ?p {{ {values} }} ?s ?p {thing} }}")
    if not branches:
        return Incoming(Graph(), {}, bool(counts))
    graph = construct(LINKS_NAMED.substitute(thing=thing, branches=" UNION ".join(branches)))
    return Incoming(graph, listings, True)


def first(select: Select, query: str, var: str, most: int) -> str:
    """The first `most` IRIs `var` takes in the rows of a listing, as SPARQL VALUES."""
    return " ".join(sparql_iri(row[var]) for row in select(f"{query} LIMIT {most}"))


def citing(document: str, select: Select, construct: Construct, most: int) -> Chosen | None:
    """The first `most` facts citing a document, by name, with the quotes they cite it by;
    None when none does."""
    doc = sparql_iri(document)
    query = CITING_FACTS.substitute(doc=doc)
    total = int(select(CITING_COUNT.substitute(doc=doc))[0]["n"])
    if not total:
        return None
    graph = construct(CITING.substitute(doc=doc, facts=first(select, query, "fact", most)))
    return Chosen(graph, Listing(total, query))


def contents(name: str, page: str, select: Select, construct: Construct, most: int) -> Contents:
    """The first `most` things the named graph describes, as its page (the IRI `page`, the
    graph's own but for a whole graph served at a path of its own) lists them."""
    graph, shown = sparql_iri(name), sparql_iri(page)
    counted = select(GRAPH_COUNTS.substitute(graph=graph, page=shown))[0]
    query = GRAPH_THINGS.substitute(graph=graph, page=shown)
    listing = Listing(int(counted["things"]), query)
    named = Graph()
    if listing.total:
        things = first(select, query, "thing", most)
        named = construct(GRAPH_NAMED.substitute(graph=graph, things=things))
    return Contents(named, listing, statements=int(counted["statements"]))


def own_description(iri: str, construct: Construct, graph: str | None = None) -> Graph:
    """What `iri` says itself (DESCRIBE without what points to it), in the union of the
    graphs or in one named `graph`."""
    thing = sparql_iri(iri)
    if graph is None:
        return construct(OWN.replace("?x", thing))
    return construct(GRAPH_OWN.substitute(graph=sparql_iri(graph)).replace("?x", thing))
