"""What the review page shows of a draft: the article with its mentions and evidence marked,
and each fact as a card with its values named by their labels and the pickers of its edit form.

A picker shows an entity's name, never its IRI: its options are the entities' names, each
unique in its list (a class or the IRI's last segment added where two share one), and the page
keeps the IRI of the name chosen (review.js). A concept field (status, event type, agreement
type, qualifier) is a choice among the concepts of its scheme, named by their prefLabel.

The article is written here, not in the template, because its characters must come out exactly
as they are (it is shown ``white-space: pre-wrap``) and the marks nest across the mentions'
and the facts' spans; everything in it is escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from ..assist.draft import KIND_CLASSES
from ..assist.facts import REQUIRED
from .describe import link_for
from .reviewing import CONCEPT_SCHEMES, ENTITY_FIELDS
from .state import cached, get_state, get_store

#: The pickers: which classes of entity each one offers.
GROUPS: dict[str, tuple[str, ...]] = {
    "place": ("City", "Venue", "Region", "Country"),
    "country": ("Country",),
    "person": ("Person",),
    "series": ("EventSeries",),
    "agent": ("Person", "Organization", "Group", "Country", "City", "Region"),
}
#: The picker of each entity field (participations and the rest: agents).
FIELD_GROUPS = {
    "location": "place",
    "twinnedPlace": "place",
    "participatingCountry": "country",
    "person": "person",
    "signatory": "person",
    "partOfSeries": "series",
}
ENTITIES = """SELECT ?s ?type (SAMPLE(?l) AS ?label) WHERE {
  VALUES ?type { kg:City kg:Venue kg:Region kg:Country kg:Person kg:Organization kg:Group
                 kg:EventSeries }
  ?s a ?type ; rdfs:label ?l . FILTER (lang(?l) = "en" || lang(?l) = "")
} GROUP BY ?s ?type ORDER BY ?label"""
#: The concepts of the schemes the form offers, by their English prefLabel (deprecated ones,
#: kept for old IRIs, are not offered).
CONCEPTS = """SELECT ?scheme ?c (SAMPLE(?l) AS ?label) WHERE {
  VALUES ?scheme { %s }
  ?c <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme ;
     <http://www.w3.org/2004/02/skos/core#prefLabel> ?l . FILTER (lang(?l) = "en")
  FILTER NOT EXISTS { ?c <http://www.w3.org/2002/07/owl#deprecated> true }
} GROUP BY ?scheme ?c ORDER BY ?scheme ?label"""


@dataclass(frozen=True)
class Entity:
    iri: str
    label: str
    cls: str  # the kg class's local name


@dataclass(frozen=True)
class Option:
    """A picker's option: the name shown (unique in its list) and the IRI kept behind it."""

    shown: str
    iri: str


@dataclass(frozen=True)
class Concept:
    iri: str
    label: str


@dataclass
class Piece:
    """A run of the article's text that the same marks cover."""

    start: int
    end: int
    facts: list[int] = field(default_factory=list)  # whose evidence covers it
    mention: int | None = None


# ------------------------------------------------------------------------------ the graph's side


def graph_entities() -> list[Entity]:
    """The entities of the served graph a picker offers, once per version of the data."""

    def fetch() -> list[Entity]:
        rows = get_store().select(ENTITIES)
        return [Entity(r["s"], r["label"], r["type"].rsplit("#", 1)[-1]) for r in rows]

    found: list[Entity] = cached("review-entities", fetch)
    return found


def scheme_concepts() -> dict[str, list[Concept]]:
    """The concepts each concept field may take, from the ontology the store holds."""

    def fetch() -> dict[str, list[Concept]]:
        schemes = " ".join(f"<{iri}>" for iri in CONCEPT_SCHEMES.values())
        rows = get_store().select(CONCEPTS % schemes)
        found: dict[str, list[Concept]] = {prop: [] for prop in CONCEPT_SCHEMES}
        for prop, scheme in CONCEPT_SCHEMES.items():
            found[prop] = [Concept(r["c"], r["label"]) for r in rows if r["scheme"] == scheme]
        return found

    concepts: dict[str, list[Concept]] = cached("review-concepts", fetch)
    return concepts


def concept_sets() -> dict[str, frozenset[str]]:
    """The IRIs each concept field may take: what a submit's edits are checked against."""
    return {prop: frozenset(c.iri for c in found) for prop, found in scheme_concepts().items()}


def labels_for(review: Mapping[str, Any], entities: Sequence[Entity]) -> dict[str, str]:
    """A label for every IRI the page may show: the graph's, the ontology's terms', and for a
    new entity the words of its mention."""
    labels = {str(term): text for term, text in get_state().term_labels.items()}
    labels.update({e.iri: e.label for e in entities})
    for mention in review["mentions"]:
        if mention.get("iri"):
            labels.setdefault(mention["iri"], mention["text"])
    return labels


# ------------------------------------------------------------------------------ the article


def pieces(
    text: str, mentions: Sequence[Mapping[str, Any]], facts: Sequence[Mapping[str, Any]]
) -> list[Piece]:
    """The text cut wherever a mention or an evidence span starts or ends."""
    cuts = {0, len(text)}
    for span in [*mentions, *facts]:
        cuts |= {int(span["start"]), int(span["end"])}
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    found = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = Piece(start, end)
        piece.facts = [i for i, f in enumerate(facts) if f["start"] <= start and end <= f["end"]]
        piece.mention = next(
            (i for i, m in enumerate(mentions) if m["start"] <= start and end <= m["end"]), None
        )
        found.append(piece)
    return found


def article_html(review: Mapping[str, Any]) -> Markup:
    """The article with every mention and every fact's evidence marked."""
    text, mentions, facts = review["text"], review["mentions"], review["facts"]
    opened: set[int] = set()
    out: list[str] = []
    for piece in pieces(text, mentions, facts):
        for index in piece.facts:
            if index not in opened:  # where a fact's evidence starts: its number, a link back
                opened.add(index)
                out.append(
                    f'<a class="fact-ref" id="evidence-{index + 1}" href="#fact-{index + 1}">'
                    f"[{index + 1}]</a>"
                )
        words = _mention_html(text[piece.start : piece.end], piece, mentions)
        if piece.facts:
            numbers = " ".join(str(i + 1) for i in piece.facts)
            words = f'<mark class="evidence" data-facts="{numbers}">{words}</mark>'
        out.append(words)
    return Markup("".join(out))


def _mention_html(words: str, piece: Piece, mentions: Sequence[Mapping[str, Any]]) -> str:
    escaped = str(escape(words))
    if piece.mention is None:
        return escaped
    mention = mentions[piece.mention]
    ends_here = mention["end"] == piece.end
    if mention.get("iri") is None:  # ambiguous: marked, with a link to its note
        tag = (
            f'<sup class="tag"><a href="#mention-{piece.mention + 1}">ambiguous</a></sup>'
            if ends_here
            else ""
        )
        return f'<span class="mention ambiguous">{escaped}</span>{tag}'
    if mention.get("new"):
        tag = '<sup class="tag">new</sup>' if ends_here else ""
        return f'<span class="mention new">{escaped}</span>{tag}'
    href = escape(link_for(str(mention["iri"])))
    return f'<a class="mention" href="{href}">{escaped}</a>'


def notes(review: Mapping[str, Any], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The mentions that need a decision, with their note and the entities to choose from."""
    found = []
    for number, mention in enumerate(review["mentions"], start=1):
        if mention.get("iri") is None or mention.get("note"):
            choices = [_value(iri, labels) for iri in mention.get("candidates") or ()]
            found.append({"number": number, "mention": mention, "choices": choices})
    return found


# ------------------------------------------------------------------------------ the facts


def cards(
    review: Mapping[str, Any],
    labels: Mapping[str, str],
    concepts: Mapping[str, Sequence[Concept]],
    options: Mapping[str, Sequence[Option]],
) -> list[dict[str, Any]]:
    """Each fact as its card shows it."""
    shown = {group: {o.iri: o.shown for o in found} for group, found in options.items()}
    return [
        _card(index, fact, labels, concepts, shown) for index, fact in enumerate(review["facts"])
    ]


def _card(
    index: int,
    fact: Mapping[str, Any],
    labels: Mapping[str, str],
    concepts: Mapping[str, Sequence[Concept]],
    shown: Mapping[str, Mapping[str, str]],
) -> dict[str, Any]:
    fields = [
        {"name": _field_name(prop), "shown": [_value(v, labels) for v in values]}
        for prop, values in fact["fields"].items()
        if values and prop != "measureLabel"
    ]
    return {
        "index": index,
        "number": index + 1,
        "fact": fact,
        "cls": fact["class"],
        "status": _value(fact["status"], labels) if fact.get("status") else None,
        "fields": fields,
        "dates": [_date_text(d) for d in fact["dates"]],
        "choices": _choices(index, fact, concepts, labels),
        "pickers": _pickers(index, fact, labels, shown),
    }


def _choices(
    index: int,
    fact: Mapping[str, Any],
    concepts: Mapping[str, Sequence[Concept]],
    labels: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The concept fields of the edit form: a choice among its scheme's concepts each. A
    drafted value the scheme lacks is offered too, so that the choice shows it as it is (the
    page sends a choice only when the curator changes it)."""
    values = {prop: list(fact["fields"].get(prop, [])) for prop in CONCEPT_SCHEMES}
    values["status"] = [fact["status"]] if fact.get("status") else []
    props = [p for p in CONCEPT_SCHEMES if values[p]]
    props += [p for p in REQUIRED.get(fact["class"], ()) if p in CONCEPT_SCHEMES and p not in props]
    found = []
    for prop in props:
        current = values[prop][0] if values[prop] else ""
        options = list(concepts.get(prop, []))
        if current and current not in {c.iri for c in options}:
            options.insert(0, Concept(current, _value(current, labels)["label"]))
        found.append(
            {
                "prop": prop,
                # the status keeps its id: the page's tests and links name it
                "id": f"f{index + 1}-{'status' if prop == 'status' else _safe(prop)}",
                "name": _field_name(prop),
                "value": current,
                "options": options,
            }
        )
    return found


def _pickers(
    index: int,
    fact: Mapping[str, Any],
    labels: Mapping[str, str],
    shown: Mapping[str, Mapping[str, str]],
) -> list[dict[str, Any]]:
    """The entity fields of the edit form: one input a value, and one more to add a value;
    each shows the entity's name, the one its picker's list gives it."""
    props = [p for p in fact["fields"] if _pickable(p)]
    props += [p for p in REQUIRED.get(fact["class"], ()) if _pickable(p) and p not in props]
    found = []
    for prop in props:
        group = FIELD_GROUPS.get(prop, "agent")
        values = [*fact["fields"].get(prop, []), ""]
        inputs = [
            {
                "id": f"f{index + 1}-{_safe(prop)}-{n + 1}",
                "iri": value,
                "shown": shown[group].get(value) or labels.get(value) or value,
                "caption": f"{_field_name(prop)} {n + 1}"
                if value
                else f"Add a {_field_name(prop)}",
            }
            for n, value in enumerate(values)
        ]
        found.append({"prop": prop, "group": group, "inputs": inputs})
    return found


def _pickable(prop: str) -> bool:
    return prop in ENTITY_FIELDS or prop.startswith("participation/")


def _safe(prop: str) -> str:
    return prop.replace("/", "-")


def _field_name(prop: str) -> str:
    """A field's name for people: participatingCountry -> participating country."""
    if prop.startswith("participation/"):
        return "participant (" + prop.split("/", 1)[1].replace("-", " ") + ")"
    words = "".join(" " + c.lower() if c.isupper() else c for c in prop)
    return words.strip()


def _value(iri: str, labels: Mapping[str, str]) -> dict[str, str]:
    """A value as shown: its label, linked where the IRI may be linked."""
    label = labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return {"iri": iri, "label": label, "href": link_for(iri) if iri.startswith("http") else ""}


def _date_text(date: Mapping[str, Any]) -> str:
    value = date.get("value")
    if not value:
        return f"“{date['text']}” (unresolved{': ' + date['note'] if date.get('note') else ''})"
    shown = value + (f" to {date['endValue']}" if date.get("endValue") else "")
    how = "derived from the document's date" if date.get("derived") else "stated"
    return f"{shown} (“{date['text']}”, {how})"


# ------------------------------------------------------------------------------ the pickers


def picker_options(
    review: Mapping[str, Any], entities: Sequence[Entity]
) -> dict[str, list[Option]]:
    """The options of each picker: the draft's own mentions first, then the graph's entities,
    each shown by a name unique in its list."""
    drafted = [
        Entity(
            str(m["iri"]),
            f"{m['text']} (new, in this article)" if m.get("new") else str(m["text"]),
            KIND_CLASSES.get(str(m["kind"]), "Organization"),
        )
        for m in review["mentions"]
        if m.get("iri")
    ]
    unique: dict[str, Entity] = {e.iri: e for e in entities}  # the graph's own names first
    for entity in drafted:
        unique.setdefault(entity.iri, entity)
    return {
        group: _unique_names([e for e in unique.values() if e.cls in classes])
        for group, classes in GROUPS.items()
    }


def _unique_names(entities: Sequence[Entity]) -> list[Option]:
    """Each entity's name, told apart from another of the same name by its class, then by
    its IRI's last segment: a name shown must lead to one IRI."""
    named = [(e, e.label) for e in entities]
    for tell in (lambda e: _field_name(e.cls), lambda e: e.iri.rstrip("/").rsplit("/", 1)[-1]):
        counts = Counter(name for _, name in named)
        named = [(e, f"{name} ({tell(e)})" if counts[name] > 1 else name) for e, name in named]
    return sorted((Option(name, e.iri) for e, name in named), key=lambda o: o.shown.casefold())
