"""Quick self-check for a document's Turtle file while it is being written.

Usage: .venv/bin/python docs/curator-check.py data/001_827a15a1c1169bd2.ttl
Parses the file and reports every kg:quote that is not a verbatim substring of its document.
"""

import sys
from pathlib import Path

from rdflib import Graph, Namespace

KG = Namespace("https://w3id.org/cakg/ontology#")
path = Path(sys.argv[1])
graph = Graph().parse(path)
bad = 0
for ev in graph.subjects(KG.quote, None):
    source = graph.value(ev, KG.source)
    quote = str(graph.value(ev, KG.quote))
    text = (path.parent / (str(source).rsplit("/", 1)[1] + ".txt")).read_text("utf-8")
    if quote not in text:
        bad += 1
        print("NOT VERBATIM:", source, repr(quote))
print(f"{len(graph)} triples, {bad} bad quotes")
