"""How long a curator's addition takes to validate: the whole graph judged (what the server did
before, and what pySHACL alone does) against the nodes the addition can affect
(`kg.graph.reach`, what the server does now), on the built graph, in one process.

    .venv/bin/python bench/validation.py [--runs 7]

Each addition is validated as the validation process does (`kg.store.checking`: the stored
graph's merge with the addition put in); printed per addition: median seconds of each way,
their ratio, the nodes judged and the statements read, and whether both reports agree.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from kg import config
from kg.graph.dataset import assemble
from kg.graph.parsing import keep_literals_as_sent, parse_text
from kg.graph.reach import Reach
from kg.graph.validate import load_shapes, validate
from kg.store.checking import Context

PREFIXES = """@prefix kg: <https://w3id.org/cakg/ontology#> .
@prefix doc: <https://w3id.org/cakg/doc/> .
@prefix city: <https://w3id.org/cakg/city/> .
@prefix status: <https://w3id.org/cakg/vocab/status/> .
@prefix etype: <https://w3id.org/cakg/vocab/event-type/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
QUOTE = "Representatives of Kazakhstan also participated in the “Lazgi” festival"
EVENT = """<https://w3id.org/cakg/event/bench-{n}> a kg:CulturalEvent ;
    rdfs:label "Bench festival {n}"@en ; kg:eventType etype:festival ;
    kg:status status:happened ; kg:location city:khiva ; kg:date "2024"^^xsd:gYear ;
    kg:evidence [ a kg:Evidence ; kg:source doc:000_74681c818d2b02ab ; kg:quote "{quote}" ] .
"""
ADDITIONS = {
    "one event": PREFIXES + EVENT.format(n=1, quote=QUOTE),
    "ten events": PREFIXES + "".join(EVENT.format(n=n, quote=QUOTE) for n in range(10)),
    "one event, misquoted": PREFIXES + EVENT.format(n=1, quote="not in the text"),
    "a label on a stored event": PREFIXES
    + '<https://w3id.org/cakg/event/lazgi-festival-2022> rdfs:label "Lazgi"@de .\n',
}


def timed(runs: int, work: object) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    keep_literals_as_sent()
    settings = config.load({})
    shapes = load_shapes(settings["SHAPES_DIR"])
    dataset = assemble(settings["DATA_DIR"], settings["ONTOLOGY_DIR"], settings["SHAPES_DIR"])
    with tempfile.TemporaryDirectory() as folder:
        snapshot = Path(folder) / "context.nq"
        snapshot.write_bytes(dataset.serialize(format="nquads", encoding="utf-8"))
        context = Context(snapshot, shapes)
    reach = Reach.of(shapes)
    print(f"stored graph: {len(context.merge)} statements; shapes' depth: {reach and reach.depth}")
    print(
        f"{'addition':28} {'whole s':>8} {'focused s':>10} {'ratio':>6} "
        f"{'nodes':>6} {'read':>6}  same"
    )
    for name, turtle in ADDITIONS.items():
        addition = parse_text(turtle, "turtle", source="bench")
        with context.changed(None, addition) as (graph, changed):
            whole_s, whole = timed(
                args.runs, lambda: validate(Graph() + graph, shapes, settings["DATA_DIR"])
            )
            focused_s, focused = timed(
                args.runs,
                lambda: validate(graph, shapes, settings["DATA_DIR"], changed=(reach, changed)),
            )
            nodes, read = reach.focus(graph, changed) if reach else (set(), Graph())
        same = {str(r) for r in whole.results} == {str(r) for r in focused.results}  # type: ignore[attr-defined]
        print(
            f"{name:28} {whole_s:8.3f} {focused_s:10.3f} {whole_s / focused_s:6.1f} "
            f"{len(nodes):6} {len(read):6}  {same}"
        )


if __name__ == "__main__":
    main()
