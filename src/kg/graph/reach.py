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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef, Variable
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

#: Parts of SHACL (and SHACL-AF) whose reading this analysis does not follow.
_NOT_FOLLOWED = (
    SH.rule,
    SH.target,
    SH.targetNode,
    SH.expression,
    SH.validator,
    SH.nodeValidator,
    SH.propertyValidator,
)

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
    #: predicates whose objects a shape targets (a subject's own statements are always read)
    objects_of: frozenset[Node]
    #: a shape is sh:closed: the nodes it checks are read whole, every predicate
    closed: bool = False

    @classmethod
    def of(cls, shapes: Graph) -> Reach | None:
        component = (None, RDF.type, SH.ConstraintComponent) in shapes
        if component or any((None, p, None) in shapes for p in _NOT_FOLLOWED):
            return None  # rules, SPARQL targets and components: read anything
        reader = _ShapesReader(shapes)
        try:
            depth = max((reader.depth(shape, ()) for shape in reader.shapes()), default=0)
        except Unbounded:
            return None
        return cls(
            frozenset(reader.steps | {(RDF.type, False)}),
            frozenset(reader.free | {(RDFS.subClassOf, False)}),
            # a focus node's own type is one step, whatever its shapes read; and one step of
            # margin, cheap beside a node missed
            max(depth, 1) + 1,
            frozenset(shapes.objects(None, SH.targetObjectsOf)),
            reader.closed,
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
        nodes = set(self._walk(graph, seeds, backwards=True)) | touched
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
        # a literal is no subject, but the object of what reads it (a shared file name)
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
            if self.closed:
                for triple in graph.triples((node, None, None)):
                    read.add(triple)
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
        self.closed = False
        self._depths: dict[Node, int] = {}

    def shapes(self) -> set[Node]:
        """Every shape: those with targets, and those declared (a class may be its own)."""
        targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
        declared = (SH.NodeShape, SH.PropertyShape)
        return {s for t in targets for s in self.graph.subjects(t, None)} | {
            s for t in declared for s in self.graph.subjects(RDF.type, t)
        }

    def depth(self, shape: Node, stack: tuple[Node, ...]) -> int:
        """How many steps from its focus node the validation of `shape` may read."""
        if shape in stack:
            raise Unbounded(f"{shape} refers back to itself")
        if shape not in self._depths:
            self._depths[shape] = self._depth(shape, (*stack, shape))
        return self._depths[shape]

    def _depth(self, shape: Node, stack: tuple[Node, ...]) -> int:
        g = self.graph
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
        if (shape, SH.closed, None) in g:
            self.closed = True
        if (shape, SH.qualifiedValueShapesDisjoint, None) in g:
            # the siblings' qualified shapes are checked on this shape's values too
            for sibling in set(g.objects(None, SH.qualifiedValueShape)):
                here = max(here, self.depth(sibling, stack))
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
                self.repeated(lambda probe: probe.path(inner, inverse))
                return 0
        raise Unbounded(f"unknown path {path}")

    def repeated(self, follow: Callable[[_ShapesReader], object]) -> None:
        """Record every step `follow` takes as free: a repeated path's, whatever its length."""
        probe = _ShapesReader(self.graph)
        follow(probe)
        self.free |= probe.steps | probe.free

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
        try:
            algebra = prepareQuery(str(text), initNs=namespaces).algebra
        except Exception as exc:  # e.g. a prefix pySHACL finds where this reading does not
            raise Unbounded(f"a query this analysis cannot read: {exc}") from None
        outer, exists = _group(algebra)
        joined = _joined(outer, {Variable("this"): 0}, self)
        deepest = max(joined.values())
        while exists:  # each EXISTS shares only the variables its enclosing group binds
            patterns, inner, enclosing = exists.pop()
            start: dict[Node, int] = {
                n: d for n, d in (enclosing or joined).items() if isinstance(n, Variable)
            }
            scope = _joined(patterns, start, self)
            deepest = max(deepest, *scope.values())
            exists += [(p, i, scope) for p, i, _ in inner]
        return deepest + 1


#: What a query's algebra may hold for its reading to be followed: one group of patterns (its
#: joins and optional parts), filters, and the modifiers of its answer.
_GROUP = {"SelectQuery", "AskQuery", "Project", "Distinct", "Reduced", "Slice", "OrderBy"}
_JOINED = {"Join", "LeftJoin"}
_EXISTS = {"Builtin_EXISTS", "Builtin_NOTEXISTS"}
Exists = tuple[list[Any], list[Any], dict[Node, int] | None]


def _group(node: Any) -> tuple[list[tuple[Node, Any, Node]], list[Exists]]:
    """The triple patterns of a query's one group, and its EXISTS groups (each with its own
    patterns and EXISTS); a UNION, MINUS, sub-select, BIND, VALUES or GRAPH is not followed:
    their variables are not those of the group, whatever their names."""
    if not isinstance(node, CompValue):
        raise Unbounded(f"unknown part of a query: {node!r}")
    if node.name == "BGP":
        return list(node["triples"]), []
    if node.name == "Filter":
        patterns, exists = _group(node["p"])
        return patterns, exists + _exists_in(node["expr"])
    if node.name in _JOINED:
        (left, left_exists), (right, right_exists) = _group(node["p1"]), _group(node["p2"])
        exists = left_exists + right_exists + _exists_in(node.get("expr"))
        return left + right, exists
    if node.name in _GROUP:
        return _group(node["p"])
    raise Unbounded(f"{node.name} in a SPARQL constraint")


def _exists_in(expression: Any) -> list[Exists]:
    """The EXISTS groups of a filter's expression, as the parser left them."""
    found: list[Exists] = []
    if isinstance(expression, CompValue):
        if expression.name in _EXISTS:
            patterns: list[Any] = []
            inner: list[Exists] = []
            for part in expression["graph"]["part"]:
                if part.name == "TriplesBlock":
                    for terms in part["triples"]:
                        patterns += [tuple(terms[i : i + 3]) for i in range(0, len(terms), 3)]
                elif part.name == "Filter":
                    inner += _exists_in(part["expr"])
                else:
                    raise Unbounded(f"{part.name} inside EXISTS")
            return [(patterns, inner, None)]
        for value in expression.values():
            found += _exists_in(value)
    elif isinstance(expression, (list, tuple)):
        for value in expression:
            found += _exists_in(value)
    return found


def _joined(
    patterns: list[Any], depth_of: dict[Node, int], reader: _ShapesReader
) -> dict[Node, int]:
    """Join the patterns to the terms of `depth_of` one step at a time, recording each step's
    direction; every term's depth, blank nodes and constants too."""
    depth_of = dict(depth_of)
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
    return depth_of


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
        reader.repeated(lambda probe: _sparql_path(p.path, inverse, probe))
        return 0
    if isinstance(p, Path) or isinstance(p, Variable):
        raise Unbounded(f"a predicate this analysis cannot follow: {p}")
    raise Unbounded(f"unknown predicate {p!r}")
