"""Which nodes a change to the data can make valid or invalid, read from the shapes.

Validating the whole stored graph for every addition took over a second at 10k triples, and
grows with the graph. The stored graph conformed before the change, so only a focus node whose
validation reads a changed statement can change its verdict. A shape reads the data along its
paths (forward or inverse), through the value nodes its nested shapes check, and through the
triple patterns of its SPARQL constraints, each anchored at ``$this``. :class:`Reach` reads,
once per shapes graph, which predicates are followed in which direction and how many steps
deep, and :meth:`Reach.focus` gives the nodes a change can affect together with every
statement their validation can read. Where the shapes read the data in a way this analysis
cannot bound (a pattern not joined to ``$this``, a variable predicate, a recursive shape),
:meth:`Reach.of` returns ``None`` and callers validate the whole graph.

https://www.w3.org/TR/shacl/#value-nodes-property-paths
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from ..namespaces import SH

Triple = tuple[Node, Node, Node]
#: a predicate and whether it is followed from object to subject
Step = tuple[Node, bool]

#: Nested shapes checked on the same node (no step taken).
_SAME_NODE = (SH.node, SH["not"], SH.qualifiedValueShape)
_LISTS = (SH["and"], SH["or"], SH.xone)
#: Constraints comparing a node's values with those of another property of the same node.
_PAIRWISE = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


class Unbounded(Exception):
    """The shapes read the data in a way this analysis does not bound."""


@dataclass(frozen=True)
class Reach:
    """The steps the shapes take from a focus node: `steps` count towards `depth`, `free`
    ones (paths with ``*`` or ``+``, and the class hierarchy) do not."""

    steps: frozenset[Step]
    free: frozenset[Step]
    depth: int
    #: predicates whose subjects (or objects) a shape targets
    subjects_of: frozenset[Node]
    objects_of: frozenset[Node]

    @classmethod
    def of(cls, shapes: Graph) -> Reach | None:
        if (None, SH.rule, None) in shapes:
            return None  # SHACL rules add statements any node's validation may read
        reader = _ShapesReader(shapes)
        try:
            depth = max((reader.depth(shape, ()) for shape in reader.shapes()), default=0)
        except Unbounded:
            return None
        return cls(
            frozenset(reader.steps | {(RDF.type, False)}),
            frozenset(reader.free | {(RDFS.subClassOf, False)}),
            depth + 1,  # a step of margin: cheap beside a node missed
            frozenset(shapes.objects(None, SH.targetSubjectsOf)),
            frozenset(shapes.objects(None, SH.targetObjectsOf)),
        )

    def focus(self, graph: Graph, changed: Iterable[Triple]) -> tuple[set[Node], Graph]:
        """The nodes whose verdict `changed` (statements added to `graph`, or taken out of
        it) can change, and the statements of `graph` their validation can read."""
        seeds: dict[Node, int] = {}
        touched: set[Node] = set()
        for s, p, o in changed:
            touched |= {s, o}
            seeds[s] = 0
            if (p, True) in self.steps or (p, True) in self.free or p in self.objects_of:
                seeds[o] = 0
        nodes = set(self._walk(graph, seeds, backwards=True)) | {
            n for n in touched if not isinstance(n, Literal)
        }
        return nodes, self._read_by(graph, nodes)

    def _walk(self, graph: Graph, start: dict[Node, int], backwards: bool) -> dict[Node, int]:
        """Nodes within `depth` steps of `start` (0-1 breadth first: free steps cost 0)."""
        seen = dict(start)
        queue = deque(start.items())
        while queue:
            node, cost = queue.popleft()
            if cost > seen.get(node, cost):
                continue
            for step_free, nxt in self._neighbours(graph, node, backwards):
                new = cost + (0 if step_free else 1)
                if new < self.depth and new < seen.get(nxt, self.depth):
                    seen[nxt] = new
                    if step_free:
                        queue.appendleft((nxt, new))
                    else:
                        queue.append((nxt, new))
        return seen

    def _neighbours(self, graph: Graph, node: Node, backwards: bool) -> Iterator[tuple[bool, Node]]:
        if isinstance(node, Literal):
            return
        for free, steps in ((False, self.steps), (True, self.free)):
            for predicate, inverse in steps:
                # a forward step from x to y reads (x p y); walking backwards finds x from y
                if inverse == backwards:
                    for nxt in graph.objects(node, predicate):
                        yield free, nxt
                else:
                    for nxt in graph.subjects(predicate, node):
                        yield free, nxt

    def _read_by(self, graph: Graph, nodes: set[Node]) -> Graph:
        """What validating `nodes` can read: each one's own statements (its targets), those
        its shapes reach, and the class hierarchy."""
        read = Graph()
        for prefix, namespace in graph.namespaces():  # pySHACL's messages name nodes with them
            read.bind(prefix, namespace, override=True, replace=True)
        reached = self._walk(graph, dict.fromkeys(nodes, 0), backwards=False)
        steps = self.steps | self.free
        for node in reached:
            if isinstance(node, Literal):
                continue
            for predicate, inverse in steps:
                pattern = (None, predicate, node) if inverse else (node, predicate, None)
                for triple in graph.triples(pattern):
                    read.add(triple)
        for node in nodes:
            for triple in graph.triples((node, None, None)):
                read.add(triple)
            for predicate in self.objects_of:
                for triple in graph.triples((None, predicate, node)):
                    read.add(triple)
        for triple in graph.triples((None, RDFS.subClassOf, None)):
            read.add(triple)
        return read


class _ShapesReader:
    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self.steps: set[Step] = set()
        self.free: set[Step] = set()
        self._depths: dict[Node, int] = {}

    def shapes(self) -> set[Node]:
        targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
        return {s for t in targets for s in self.graph.subjects(t, None)}

    def depth(self, shape: Node, stack: tuple[Node, ...]) -> int:
        """How many steps from its focus node the validation of `shape` may read."""
        if shape in stack:
            raise Unbounded(f"{shape} refers back to itself")
        if shape not in self._depths:
            self._depths[shape] = self._depth(shape, (*stack, shape))
        return self._depths[shape]

    def _depth(self, shape: Node, stack: tuple[Node, ...]) -> int:
        g = self.graph
        if (shape, SH.targetNode, None) in g or (shape, SH.target, None) in g:
            raise Unbounded("sh:targetNode and SHACL-AF targets are not followed")
        depth = 0
        path = g.value(shape, SH.path)
        if path is not None:
            depth = self.path(path)
        here = 0
        if (shape, SH["class"], None) in g:
            here = 1  # the value's rdf:type; its superclasses are free steps
        for nested in (o for p in _SAME_NODE for o in g.objects(shape, p)):
            here = max(here, self.depth(nested, stack))
        for members in (o for p in _LISTS for o in g.objects(shape, p)):
            for nested in Collection(g, members):
                here = max(here, self.depth(nested, stack))
        for nested in g.objects(shape, SH.property):
            here = max(here, self.depth(nested, stack))
        for other in (o for p in _PAIRWISE for o in g.objects(shape, p)):
            here = max(here, self.path(other))
        for constraint in g.objects(shape, SH.sparql):
            here = max(here, self.sparql(constraint))
        return depth + here

    def path(self, path: Node, inverse: bool = False) -> int:
        """Steps of a SHACL property path, recorded; its length."""
        g = self.graph
        if isinstance(path, URIRef):
            self.steps.add((path, inverse))
            return 1
        if (path, RDF.first, None) in g:
            return sum(self.path(p, inverse) for p in Collection(g, path))
        if (inner := g.value(path, SH.inversePath)) is not None:
            return self.path(inner, not inverse)
        if (inner := g.value(path, SH.alternativePath)) is not None:
            return max(self.path(p, inverse) for p in Collection(g, inner))
        if (inner := g.value(path, SH.zeroOrOnePath)) is not None:
            return self.path(inner, inverse)
        for repeat in (SH.zeroOrMorePath, SH.oneOrMorePath):
            if (inner := g.value(path, repeat)) is not None:
                self.free.update(_free_steps(self, inner, inverse))
                return 0
        raise Unbounded(f"unknown path {path}")

    def sparql(self, constraint: Node) -> int:
        """Steps of a SPARQL constraint's patterns, joined to ``$this``; its depth."""
        g = self.graph
        text = g.value(constraint, SH.select) or g.value(constraint, SH.ask)
        if text is None:
            raise Unbounded("a SPARQL constraint without sh:select or sh:ask")
        namespaces = {
            str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace))
            for owner in g.objects(constraint, SH.prefixes)
            for d in g.objects(owner, SH.declare)
        }
        algebra = prepareQuery(str(text), initNs=namespaces).algebra
        return _joined_depth(list(_patterns(algebra)), self)


def _free_steps(reader: _ShapesReader, path: Node, inverse: bool) -> set[Step]:
    """The steps of a repeated path: recorded as free, whatever their length."""
    probe = _ShapesReader(reader.graph)
    probe.path(path, inverse)
    return probe.steps | probe.free


def _patterns(node: Any) -> Iterator[tuple[Node, Any, Node]]:
    """Every triple pattern of a query's algebra, in FILTER (NOT) EXISTS too."""
    if isinstance(node, CompValue):
        if node.name == "BGP":
            yield from node["triples"]
        elif node.name == "TriplesBlock":  # inside EXISTS: the parser's flat lists of terms
            for terms in node["triples"]:
                for i in range(0, len(terms), 3):
                    yield terms[i], terms[i + 1], terms[i + 2]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _patterns(value)


def _joined_depth(patterns: list[tuple[Node, Any, Node]], reader: _ShapesReader) -> int:
    """Join the patterns to ``$this`` one step at a time, recording each step's direction."""
    depth_of: dict[Node, int] = {Variable("this"): 0}
    left = list(patterns)
    while left:
        joined = []
        for s, p, o in left:
            if s in depth_of or o in depth_of:
                inverse = s not in depth_of
                here, there = (o, s) if inverse else (s, o)
                length = _sparql_path(p, inverse, reader)
                depth_of.setdefault(there, depth_of[here] + length)
                joined.append((s, p, o))
        if not joined:
            raise Unbounded(f"a pattern not joined to $this: {left[0]}")
        left = [t for t in left if t not in joined]
    return max(d for n, d in depth_of.items() if isinstance(n, Variable)) + 1


def _sparql_path(p: Any, inverse: bool, reader: _ShapesReader) -> int:
    if isinstance(p, URIRef):
        reader.steps.add((p, inverse))
        return 1
    if isinstance(p, InvPath):
        return _sparql_path(p.arg, not inverse, reader)
    if isinstance(p, SequencePath):
        return sum(_sparql_path(a, inverse, reader) for a in p.args)
    if isinstance(p, AlternativePath):
        return max(_sparql_path(a, inverse, reader) for a in p.args)
    if isinstance(p, MulPath) and p.mod == "?":
        return _sparql_path(p.path, inverse, reader)
    if isinstance(p, MulPath):
        probe = _ShapesReader(reader.graph)
        _sparql_path(p.path, inverse, probe)
        reader.free.update(probe.steps | probe.free)
        return 0
    if isinstance(p, Path) or isinstance(p, Variable):
        raise Unbounded(f"a predicate this analysis cannot follow: {p}")
    raise Unbounded(f"unknown predicate {p!r}")
