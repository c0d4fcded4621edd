"""What the review page shows of a draft: the article with its mentions and evidence marked,
and each fact as a card with its values named by their labels and the pickers of its edit form.

The article is written here, not in the template, because its characters must come out exactly
as they are (it is shown ``white-space: pre-wrap``) and the marks nest across the mentions'
and the facts' spans; everything in it is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from ..assist.draft import KIND_CLASSES
from ..assist.facts import REQUIRED
from .describe import link_for
from .reviewing import ENTITY_FIELDS, STATUSES
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


@dataclass(frozen=True)
class Entity:
    iri: str
    label: str
    cls: str  # the kg class's local name


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


def cards(review: Mapping[str, Any], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each fact as its card shows it."""
    return [_card(index, fact, labels) for index, fact in enumerate(review["facts"])]


def _card(index: int, fact: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
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
        "pickers": _pickers(index, fact, labels),
    }


def _pickers(
    index: int, fact: Mapping[str, Any], labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The entity fields of the edit form: one input a value, and one more to add a value."""
    props = [p for p in fact["fields"] if _pickable(p)]
    props += [p for p in REQUIRED.get(fact["class"], ()) if _pickable(p) and p not in props]
    found = []
    for prop in props:
        group = FIELD_GROUPS.get(prop, "agent")
        values = [*fact["fields"].get(prop, []), ""]
        inputs = [
            {
                "id": f"f{index + 1}-{_safe(prop)}-{n + 1}",
                "value": value,
                "label": labels.get(value, ""),
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


def statuses(labels: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"iri": iri, "label": labels.get(iri, iri.rsplit("/", 1)[-1])} for iri in STATUSES]


# ------------------------------------------------------------------------------ the pickers


def datalists(review: Mapping[str, Any], entities: Sequence[Entity]) -> dict[str, list[Entity]]:
    """The options of each picker: the draft's own mentions first, then the graph's entities."""
    drafted = [
        Entity(
            str(m["iri"]),
            f"{m['text']} (in this article{', new' if m.get('new') else ''})",
            KIND_CLASSES.get(str(m["kind"]), "Organization"),
        )
        for m in review["mentions"]
        if m.get("iri")
    ]
    unique: dict[str, Entity] = {}
    for entity in [*drafted, *entities]:
        unique.setdefault(entity.iri, entity)
    return {
        group: [e for e in unique.values() if e.cls in classes] for group, classes in GROUPS.items()
    }
