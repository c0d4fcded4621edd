"""Draft candidate facts from an article's sentences, in the project's vocabulary, for review.

Every candidate cites its evidence (the sentence, or the clause of it that states the fact) and
says what is left for the curator to decide. The rules are general English and general cues of
the domain ("festival", "was held", "will", "signed a memorandum"); the names come from the
mentions, which the linker makes from the graph's own labels (docs/modelling.md for the classes).

The one rule that matters most (docs/modelling.md, "Status"): a drafted event has happened only
where the text says it happened (a past or ongoing tense); a future, modal or intention cue makes
it a kg:Plan with the status the cue states; when the text does not say, it is a plan whose
status is left to the curator ("status unclear"). Nothing is ever drafted as happened from a
plan cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pycountry
import spacy
from spacy.language import Language

from ..namespaces import BASE, ETYPE, STATUS
from .dates import DateMention, find_dates
from .model import Mention, Span

ATYPE = BASE + "vocab/agreement-type/"
MEASURE = BASE + "vocab/measure/"
QUAL = BASE + "vocab/qualifier/"
UNIT = "http://qudt.org/vocab/unit/"
PLACES = ("city", "venue", "region")
AGENTS = ("person", "organization", "group")


@dataclass
class Candidate:
    """A fact drafted from the text, waiting for a curator's decision.

    ``cls`` is the local name of the kg class; ``fields`` maps a property's local name to its
    values (IRIs or literals as strings; ``participation/<role>`` lists the agents of a
    qualified participation in that role, ``person`` the holder of a role, ``measureLabel`` the
    name of a statistic's measure). ``status`` is a status IRI, or "" for a class without status
    (statistics, roles). ``needs`` lists what the curator still has to decide.
    """

    cls: str
    span: Span
    label: str
    status: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    dates: list[DateMention] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    confidence: float = 0.5
    cue: str = ""

    def add(self, prop: str, *values: str) -> None:
        """Add values to a field, once each, in order."""
        present = self.fields.setdefault(prop, [])
        present.extend(v for v in values if v and v not in present)

    @property
    def complete(self) -> bool:
        """Whether every property the class's shape requires is drafted."""
        return all(self.fields.get(p) for p in REQUIRED.get(self.cls, ())) and (
            self.cls != "CityTwinning" or (len(self.fields["twinnedPlace"]) == 2 and self.dated)
        )

    @property
    def dated(self) -> bool:
        return any(d.start for d in self.dates)


#: What the shapes require of each class beyond label, evidence and status.
REQUIRED: dict[str, tuple[str, ...]] = {
    "CulturalEvent": ("eventType",),
    "SportsEvent": ("eventType",),
    "Agreement": ("agreementType", "party"),
    "CityTwinning": ("twinnedPlace",),
    "Award": ("recipient", "awardName"),
    "Statistic": ("measure", "value"),
    "Role": ("person", "roleName"),
}

# ---------------------------------------------------------------- cues (general English)


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


#: Event words and the event type they give; the longest alternative is tried first.
EVENT_TYPES: list[tuple[str, str]] = [
    (r"film (?:days|weeks?)|films? days|days of (?:\w+ )?(?:cinema|films?)|screenings?", "film-days"),
    (r"(?:cross-)?cultur(?:e|al) (?:days?|years?|weeks?)|days of (?:\w+ ){0,2}culture", "culture-days"),
    (r"years? of (?:\w+ ){0,2}culture|(?:[A-Z][\w’'-]+ )+Days", "culture-days"),
    (r"(?:film |music |dance |art |theatre |theater )?festivals?|festivities", "festival"),
    (r"lecture-concerts?|concerts?-lectures?|lectures?|master ?class(?:es)?|workshops?", "lecture"),
    (r"concerts?|recitals?|performed|performances?", "concert"),
    (r"(?:world )?premi[eè]res?|premiered", "premiere"),
    (r"exhibitions?|exhibited|pavilions?|expo|exposition|presentation of", "exhibition"),
    (r"forums?|conferences?|congress(?:es)?|symposi(?:um|a)|seminars?|meetings?", "forum"),
    (r"summits?|talks|negotiations", "talks"),
    (r"tours?|toured", "tour"),
    (r"(?:state |official |working )?visits?|visited", "visit"),
    (r"competitions?|contests?|olympiads?", "competition"),
    (r"ceremon(?:y|ies)|ceremonial opening|inaugurat(?:ion|ed)|unveil(?:ing|ed)|installed", "ceremony"),
    (r"(?:anniversary )?celebrations?|celebrated|receptions?|commemorations?", "celebration"),
    (r"(?:language |training )?courses", "course"),
    (r"events?", "other"),
]
SPORTS = _words(r"tournaments?", r"championships?", r"olympic games", r"olympics", r"the match")
_EVENTS = re.compile(
    "|".join(rf"(?P<t{i}>\b(?:{p})\b)" for i, (p, _) in enumerate(EVENT_TYPES)),
    re.IGNORECASE,
)
#: "this event", "such events", "a diplomatic event": a reference, not a new event.
_REFERENCE = re.compile(
    r"\b(?:this|that|these|those|such|same|diplomatic|historic|political|current|"
    r"(?:during|following|after|before|on the eve of|in preparation for) the)\s+$",
    re.IGNORECASE,
)

#: Cues of intention, most specific first, each with the status it gives a plan.
PLAN_CUES: list[tuple[re.Pattern[str], str]] = [
    (_words(r"plans? (?:was|were|has been|have been) announced", r"announc(?:e|es|ed|ing|ement)"), "announced"),
    (
        _words(
            r"agreed (?:to|on|that)",
            r"(?:agreements?|arrangements?|an understanding|consensus) (?:was|were|has been|have been) reached",
            r"reached (?:an? )?(?:agreements?|arrangements?|understanding|consensus)",
        ),
        "arranged",
    ),
    (_words(r"propos(?:e|es|ed|al|als)", r"suggest(?:s|ed)?", r"put forward", r"called for"), "proposed"),
    (
        _words(
            r"hop(?:e|es|ed|ing)", r"hopefully", r"wish(?:es|ed)?", r"dreams?", r"desirable",
            r"fingers crossed", r"look(?:s|ing)? forward to", r"would (?:like|love) to",
            r"aspires? to", r"potential to", r"need to",
        ),
        "hoped",
    ),
    (
        _words(
            r"will", r"shall", r"(?:is|are|was|were) (?:planned|scheduled|expected|set|due|going) to",
            r"plans? to", r"planned (?:to|for)", r"(?:is|are|was|were|been) planned", r"the planned",
            r"it(?:’s|'s| is) planned", r"planning to", r"intends?", r"intended", r"intention",
            r"aims? to", r"aimed at", r"pledged?", r"upcoming", r"forthcoming", r"prepar(?:es|ing) for",
            r"to be (?:held|organi[sz]ed|opened|launched|signed|built|established|arranged)",
        ),
        "planned",
    ),
]
#: Modal verbs: a weak plan cue (hoped) used only where nothing else gives a status.
MODAL = _words(r"could", r"might", r"would", r"should", r"may")
#: Past tense: the text says it took place.
PAST = _words(
    r"(?:was|were|has been|have been|had been)\s+(?:\w+ly\s+)?\w+(?:ed|en|held|built|made|shown|won|given|led|met|seen|begun|sung|drawn|brought|done|run)",
    r"(?:has|have|had)\s+(?:\w+ly\s+)?\w+ed", r"took (?:place|part)", r"held", r"opened", r"performed", r"visited", r"toured", r"participated",
    r"attended", r"organi[sz]ed", r"hosted", r"presented", r"premiered", r"celebrated", r"staged",
    r"screened", r"signed", r"concluded", r"adopted", r"awarded", r"conferred", r"received",
    r"installed", r"unveiled", r"launched", r"inaugurated", r"arranged", r"gathered", r"welcomed",
    r"conducted", r"completed", r"started", r"began", r"marked", r"met", r"discussed", r"exchanged",
    r"established", r"founded", r"showcased", r"featured", r"won", r"fought", r"competed", r"played",
    r"exhibited", r"displayed", r"delivered", r"gave", r"led", r"joined", r"travell?ed", r"flew",
    r"came", r"went", r"amazed", r"attracted", r"honou?red", r"commemorated", r"called", r"noted",
    r"greeted", r"recogni[sz]ed", r"created", r"produced", r"built", r"made", r"saw", r"showed",
    r"enjoyed", r"managed", r"witnessed", r"brought", r"included", r"recorded", r"achieved",
    r"accompanied", r"supported", r"funded", r"sponsored", r"emphasi[sz]ed", r"did", r"was", r"were",
)
#: Present tense that says it happens ("regularly conducts", "is being implemented", "now take part").
ONGOING = _words(
    r"regularly", r"annually", r"every year", r"each year", r"traditionally", r"now", r"currently",
    r"(?:is|are) being \w+ed", r"(?:is|are) under way", r"(?:is|are) underway", r"continues? to",
)

AGREEMENT_TYPES: list[tuple[str, str]] = [
    (r"joint (?:statement|declaration|communiqu[eé])s?|declarations?|communiqu[eé]s?", "joint-statement"),
    (r"package of (?:\w+ )?(?:agreements|documents)", "package"),
    (r"(?:intergovernmental|interstate|intergovernment) (?:agreements?|treat(?:y|ies))|treat(?:y|ies)", "intergovernmental-agreement"),
    (r"interagency (?:agreements?|memorand(?:um|a))", "interagency-agreement"),
    (r"joint(?:ly implemented)? program(?:me)?s?", "programme"),
    (r"memorand(?:um|a)(?: of understanding)?|(?:cooperation )?agreements?|accords?|protocols?|road ?maps?", "cooperation-agreement"),
]
_AGREEMENTS = re.compile(
    "|".join(rf"(?P<a{i}>\b(?:{p})\b)" for i, (p, _) in enumerate(AGREEMENT_TYPES)),
    re.IGNORECASE,
)
CONCLUDED = _words(
    r"sign(?:ed|ing)", r"conclu(?:ded|sion of)", r"adopted", r"ratified", r"initiall?ed",
    r"exchanged", r"entered into", r"on the basis of",
)

TWINNING = _words(
    r"sister[- ](?:cit(?:y|ies)|regions?|towns?|provinces?|prefectures?)",
    r"twin(?:ned)?[- ](?:cit(?:y|ies)|towns?)", r"twinning", r"twinned",
    r"(?:partner|friendship) (?:cit(?:y|ies)|regions?)",
    r"(?:ties|relations|links|partnerships?) between (?:\w+ )?(?:cities|towns|regions|municipalities|prefectures)",
)

AWARD_CUES = _words(
    r"awarded", r"conferred", r"bestowed", r"presented with", r"honou?red with", r"received",
    r"won", r"winning", r"winners? of", r"appointed", r"granted",
)
AWARD_NOUNS = _words(
    r"orders?", r"medals?", r"prizes?", r"awards?", r"titles?", r"honorary \w+", r"decorations?",
    r"diplomas?", r"winners? of", r"(?:honorary |goodwill )?ambassadors? of [^,.;]*culture",
    r"goodwill ambassadors?", r"honorary ambassadors?", r"laureates?",
)

#: Titles and occupations that name a person's role (lower case).
TITLES = frozenset(
    """president vice-president prime minister deputy ambassador consul envoy attaché mayor
    governor governors hokim akim emperor empress king queen prince princess chairman chairwoman
    chair chairperson director director-general head rector dean professor secretary
    secretary-general speaker senator chief commander founder co-founder ceo executive manager
    coordinator curator editor journalist correspondent author writer poet novelist composer
    conductor choreographer dancer singer performer musician pianist violinist artist painter
    photographer sculptor actor actress filmmaker producer designer architect scholar scientist
    historian researcher academic teacher student engineer doctor physician athlete boxer wrestler
    champion coach player resident volunteer expert specialist diplomat official spokesman
    spokesperson representative""".split()
)
_PARTICLES = frozenset("of and the for to in on at de".split())
#: Capitalised words that start a sentence rather than a title ("As President X").
_FUNCTION = frozenset(
    """as in on at during after before with by for from to the a an and or but if when while this
    that these those his her their its our my your we i he she they it following since under""".split()
)

# ---------------------------------------------------------------- numbers

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {w: 10 * (i + 3) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
SCALES |= {"trillion": 10**12, "mln": 1_000_000, "bn": 1_000_000_000}
_NUMWORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_NUMBER = (
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    rf"|(?:{_NUMWORD})(?:[- ](?:and[- ])?(?:{_NUMWORD}|hundred|thousand))*)(?![\w]|[.,]\d)"
)
CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₸": "KZT"}
CURRENCY_WORDS = {
    "dollars": "USD", "us dollars": "USD", "usd": "USD", "euros": "EUR", "eur": "EUR",
    "yen": "JPY", "jpy": "JPY", "tenge": "KZT", "kzt": "KZT", "soums": "UZS", "sums": "UZS",
    "uzs": "UZS", "som": "KGS", "soms": "KGS", "kgs": "KGS", "rubles": "RUB", "roubles": "RUB",
    "yuan": "CNY", "pounds": "GBP",
}
_AMOUNT = re.compile(
    r"(?P<sign>US\$|\$|€|£|¥|₸|\b(?:USD|EUR|JPY|KZT|UZS|KGS)\s?)?"
    + _NUMBER
    + r"(?:\s*(?P<scale>hundred|thousand|million|billion|trillion|mln|bn)\b)?"
    + r"(?:\s*(?P<unit>%|percent\b|per cent\b|(?:US )?dollars\b|euros\b|yen\b|tenge\b|soums?\b|sums\b"
    + r"|soms?\b|rubles\b|roubles\b|yuan\b|pounds\b|-?fold\b|times\b))?",
    re.IGNORECASE,
)
FOLD = {w + "fold": n for w, n in NUMBER_WORDS.items()}
_FOLD = re.compile(r"\b(?P<num>" + "|".join(FOLD) + r")\b", re.IGNORECASE)
MORE_THAN = re.compile(
    r"\b(?:more than|over|exceeding|above|upwards of|in excess of|at least)\s*$", re.IGNORECASE
)
ABOUT = re.compile(
    r"\b(?:approximately|about|nearly|almost|around|some|roughly|close to|an estimated)\s*$",
    re.IGNORECASE,
)
_COUNTED = re.compile(r"\s+(?P<np>(?:[\w’'-]+\s+){0,3}?(?:[a-z][\w’'-]*s|people|children|staff|personnel)|of them|of those)\b")
_COUNT_STOP = frozenset("are is were was have has had in at on from to by with for during".split())
_LIST_COUNT = re.compile(r"^(?P<name>[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*)\s*:\s*(?P<num>\d[\d,]*)$")

# ---------------------------------------------------------------- sentences (fallback)

_NLP: list[Language] = []


def _sentences(text: str) -> list[Span]:
    """The sentences of ``text`` (each non-blank line is at least one), trimmed of spaces.

    A stand-in for ``kg.assist.text.sentences`` until that module is merged: REPLACE ME then.
    """
    if not _NLP:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        _NLP.append(nlp)
    found: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        for sent in _NLP[0](line).sents:
            start, end = offset + sent.start_char, offset + sent.end_char
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start >= end:
                continue
            if found and found[-1].end > offset and _open_quote(text[found[-1].start : found[-1].end]):
                found[-1] = Span(found[-1].start, end)  # a full stop inside a quoted title
            else:
                found.append(Span(start, end))
        offset += len(line) + 1
    return found


def _open_quote(sentence: str) -> bool:
    return sentence.count("“") > sentence.count("”")


# ---------------------------------------------------------------- the drafting


@dataclass
class _Clause:
    """A clause and what lies in it: the unit each rule reads."""

    text: str
    span: Span
    mentions: list[Mention]
    dates: list[DateMention]
    before: list[Span]  # the sentences before it, for lists introduced by a heading

    @property
    def words(self) -> str:
        return self.text[self.span.start : self.span.end]

    def at(self, start: int, end: int) -> str:
        return self.text[start:end]

    def kind(self, *kinds: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind in kinds]


def draft_facts(
    text: str, sentences: list[Span], mentions: list[Mention], document_date: str | None
) -> list[Candidate]:
    """Return the candidate facts the sentences state, in the order of the text.

    Args:
        text: the document's text; every span refers to it.
        sentences: its sentences (``kg.assist.text.sentences``).
        mentions: the names linked in it (``kg.assist.linking``).
        document_date: the document's date (ISO), or None: relative dates stay unresolved.
    """
    ordered = sorted(mentions, key=lambda m: m.span)
    candidates: list[Candidate] = []
    carried: list[DateMention] = []
    for index, sentence in enumerate(sentences):
        dates = find_dates(text, sentence, document_date)
        if _only_dates(text, sentence, dates):
            carried = dates  # a dateline ("November 2024."): it dates the next sentence
            continue
        dates, carried = carried + dates, []
        for span in _clauses(text, sentence):
            clause = _Clause(
                text,
                span,
                [m for m in ordered if span.start <= m.span.start and m.span.end <= span.end],
                [d for d in dates if d.span.end <= span.end and (d.span.start >= span.start or d.span < sentence)],
                sentences[max(0, index - 8) : index],
            )
            candidates.extend(_draft_clause(clause))
    return _without_references(candidates)


def _only_dates(text: str, sentence: Span, dates: list[DateMention]) -> bool:
    rest = text[sentence.start : sentence.end]
    for date in sorted(dates, key=lambda d: d.span, reverse=True):
        start, end = date.span.start - sentence.start, date.span.end - sentence.start
        rest = rest[:start] + rest[end:]
    return bool(dates) and not re.search(r"\w", rest)


def _without_references(candidates: list[Candidate]) -> list[Candidate]:
    """Drop a plan of unclear status that names again an event drafted as happened elsewhere
    ("the concert by the orchestra … symbolizes"): a reference, not a new plan."""
    happened = [c for c in candidates if c.cls in ("CulturalEvent", "SportsEvent")]
    kept = []
    for candidate in candidates:
        unclear = any(n.startswith("status unclear") for n in candidate.needs)
        if unclear and any(_same_event(candidate, other) for other in happened):
            continue
        kept.append(candidate)
    return kept


def _same_event(plan: Candidate, event: Candidate) -> bool:
    if plan.fields.get("eventType") != event.fields.get("eventType"):
        return False
    places = set(plan.fields.get("location", ())) & set(event.fields.get("location", ()))
    places |= set(plan.fields.get("participant", ())) & set(event.fields.get("participant", ()))
    generic = plan.fields["eventType"][0].rsplit("/", 1)[-1].replace("-", " ").capitalize()
    named = not plan.label.startswith(generic)
    return bool(places) or (named and plan.label.split(" in ")[0] == event.label.split(" in ")[0])


def _is_heading(words: str) -> bool:
    """A heading or a headline: no closing punctuation, and most words capitalised."""
    if re.search(r"[.!?:”\"]\s*$", words):
        return False
    tokens = [w for w in re.findall(r"[A-Za-z][\w’'-]*", words) if w.lower() not in _PARTICLES]
    return len(tokens) >= 2 and sum(w[0].isupper() for w in tokens) >= 0.6 * len(tokens)


def _clauses(text: str, sentence: Span) -> list[Span]:
    """Split a sentence where one statement ends and another begins (";", "while", "but")."""
    pieces: list[Span] = []
    start = sentence.start
    for match in re.finditer(r";\s+|,?\s+(?:while|whereas|but)\s+", text[sentence.start : sentence.end]):
        end = sentence.start + match.start()
        if end - start > 20:
            pieces.append(Span(start, end))
            start = sentence.start + match.end()
    pieces.append(Span(start, sentence.end))
    return pieces


def _draft_clause(clause: _Clause) -> list[Candidate]:
    found: list[Candidate] = _twinnings(clause)
    if _is_heading(clause.words):
        return found + _statistics(clause, listed_only=True)
    found += _events(clause) or _hosted_visits(clause)
    found += _agreements(clause)
    found += _awards(clause)
    found += _statistics(clause)
    found += _roles(clause)
    if not any(c.cls in ("CulturalEvent", "Plan", "SportsEvent", "Agreement") for c in found):
        found += _plans(clause)
    for candidate in found:
        _flag_mentions(candidate, clause)
    return found


def _flag_mentions(candidate: Candidate, clause: _Clause) -> None:
    for mention in clause.mentions:
        if mention.iri is None:
            note = f" ({mention.note})" if mention.note else ""
            need = f"ambiguous: {mention.text}{note}"
            if need not in candidate.needs:
                candidate.needs.append(need)


# ---------------------------------------------------------------- status


@dataclass(frozen=True)
class _Status:
    cls: str  # "happened" or "Plan"
    status: str  # a status local name
    cue: str
    confidence: float
    need: str = ""


def _status(words: str) -> _Status:
    """What the clause says of its events: that they happened, or only that they are intended."""
    for pattern, status in PLAN_CUES:
        match = pattern.search(words)
        if match:
            return _Status("Plan", status, match.group(0), 0.7)
    past = PAST.search(words)
    if past:
        return _Status("happened", "happened", past.group(0), 0.75)
    ongoing = ONGOING.search(words)
    if ongoing:
        return _Status("happened", "happened", ongoing.group(0), 0.5, "present tense: check it has taken place")
    modal = MODAL.search(words)
    if modal:
        return _Status("Plan", "hoped", modal.group(0), 0.35, "status unclear: a modal verb only")
    return _Status("Plan", "planned", "", 0.25, "status unclear: the text does not say it took place")


def _status_fields(candidate: Candidate, status: _Status) -> None:
    candidate.status = str(STATUS[status.status])
    candidate.cue = " / ".join(c for c in (candidate.cue, status.cue) if c)
    candidate.confidence = min(candidate.confidence, status.confidence)
    if status.need:
        candidate.needs.append(status.need)


# ---------------------------------------------------------------- events and plans


@dataclass(frozen=True)
class _Trigger:
    start: int
    end: int
    etype: str
    sports: bool = False


def _triggers(clause: _Clause) -> list[_Trigger]:
    words, base = clause.words, clause.span.start
    found = [
        _Trigger(base + m.start(), base + m.end(), EVENT_TYPES[int(str(m.lastgroup)[1:])][1])
        for m in _EVENTS.finditer(words)
    ]
    found += [_Trigger(base + m.start(), base + m.end(), "competition", True) for m in SPORTS.finditer(words)]
    found = [t for t in found if not _is_reference(clause, t) and not _inside_name(clause, t)]
    return _merge_appositions(clause, sorted(found, key=lambda t: t.start))


def _is_reference(clause: _Clause, trigger: _Trigger) -> bool:
    """ "this event", "During the visit," — a reference to an event named elsewhere."""
    before = clause.at(max(clause.span.start, trigger.start - 40), trigger.start)
    after = clause.at(trigger.end, min(clause.span.end, trigger.end + 2))
    if trigger.etype == "other" and re.search(r"\b(?:is|was|are|were) (?:not )?(?:merely |only |just )?(?:a|an)\s+(?:\w+\s+)?$", before):
        return True
    return bool(_REFERENCE.search(before)) and (trigger.etype == "other" or not after.strip(" ,") or after.startswith(","))


def _inside_name(clause: _Clause, trigger: _Trigger) -> bool:
    """An event word inside an organisation's or a person's name ("Festival Committee")."""
    return any(
        m.kind in ("organization", "person", "venue")
        and m.span.start <= trigger.start
        and trigger.end <= m.span.end
        for m in clause.mentions
    )


def _merge_appositions(clause: _Clause, triggers: list[_Trigger]) -> list[_Trigger]:
    """ "Samarkand Days – a festival of … –": one event named twice, kept once."""
    kept: list[_Trigger] = []
    for trigger in triggers:
        if kept and re.fullmatch(r"\W*\s*[–—(]\s*(?:a|an|the)?\s*[\w\s]{0,30}", clause.at(kept[-1].end, trigger.start)):
            continue
        kept.append(trigger)
    return kept


def _events(clause: _Clause) -> list[Candidate]:
    triggers = _triggers(clause)
    if not triggers:
        return []
    status = _status(clause.words)
    if status.cls == "Plan" and not status.cue and not clause.dates and not clause.kind(*PLACES):
        return []  # a heading or a passing mention: nothing is stated of it
    found: list[Candidate] = []
    for index, trigger in enumerate(triggers):
        segment_end = triggers[index + 1].start if index + 1 < len(triggers) else clause.span.end
        for dates in _edition_dates(clause, trigger, segment_end):
            found.append(_event(clause, trigger, segment_end, dates, status))
    return found


def _hosted_visits(clause: _Clause) -> list[Candidate]:
    """ "X hosted Y": a visit of each guest named after the verb."""
    verb = re.search(r"\b(?:hosted|welcomed)\b", clause.words)
    if not verb:
        return []
    at = clause.span.start + verb.end()
    hosts = [m for m in clause.kind("country", *PLACES) if m.span.end <= at and m.iri]
    found = []
    for guest in [m for m in clause.kind("person") if m.span.start >= at]:
        candidate = Candidate("CulturalEvent", clause.span, "", "", confidence=0.6, cue=verb.group(0))
        candidate.add("eventType", str(ETYPE["visit"]))
        candidate.add("location", *(m.iri for m in hosts[:1] if m.iri))
        candidate.add("participant", guest.iri or "")
        candidate.add("participation/guest", guest.iri or "")
        candidate.add("participation/host", *(m.iri for m in hosts[:1] if m.iri))
        candidate.dates = _dates_of(clause, guest)
        _status_fields(candidate, _status(clause.words))
        if candidate.status != str(STATUS.happened):
            candidate.cls = "Plan"
        where = f" to {hosts[0].text}" if hosts else ""
        candidate.label = f"Visit of {guest.text}{where}" + "".join(f" {y}" for y in sorted({y for d in candidate.dates for y in d.years}))
        _date_needs(candidate)
        found.append(candidate)
    return found


def _edition_dates(clause: _Clause, trigger: _Trigger, segment_end: int) -> list[list[DateMention]]:
    """The dates of each event a trigger names: one per year listed after a plural trigger
    ("five forums (2011, 2015, 2019)"), else the one date that belongs to it."""
    own = [d for d in clause.dates if trigger.end <= d.span.start < segment_end and d.start]
    years = [d for d in own if d.precision == "year" and not d.end and not d.qualifier]
    plural = clause.at(trigger.start, trigger.end).lower().endswith("s")
    if plural and len(years) >= 2:
        return [[d] for d in years]
    if own and not own[0].weak:
        return [[own[0]]]
    earlier = [d for d in clause.dates if d.span.end <= trigger.start and not d.weak]
    if earlier:
        return [[earlier[-1]]]
    weak = [d for d in clause.dates if d.weak or not d.start]
    return [weak[:1]]


def _event(
    clause: _Clause, trigger: _Trigger, segment_end: int, dates: list[DateMention], status: _Status
) -> Candidate:
    etype = trigger.etype
    if etype == "other" and re.search(r"anniversar|\bmark", clause.words, re.IGNORECASE):
        etype = "celebration"
    cls = "Plan" if status.cls == "Plan" else ("SportsEvent" if trigger.sports else "CulturalEvent")
    name = _event_name(clause, trigger)
    places = _places_for(clause, trigger, segment_end)
    candidate = Candidate(cls, clause.span, "", "", dates=dates, confidence=0.8, cue=clause.at(trigger.start, trigger.end))
    candidate.add("eventType", str(ETYPE[etype]))
    candidate.add("location", *(m.iri for m in places if m.iri))
    _countries_and_agents(candidate, clause, places)
    for series in clause.kind("series"):
        near = series.span.start < trigger.end and trigger.start < series.span.end + 40
        if series.iri and near and not candidate.fields.get("partOfSeries"):
            candidate.add("partOfSeries", series.iri)
    _status_fields(candidate, status)
    candidate.label = _event_label(name, etype, places, dates)
    _date_needs(candidate)
    return candidate


def _places_for(clause: _Clause, trigger: _Trigger, segment_end: int) -> list[Mention]:
    """The places of an event: in its own part of the clause, else after it, else before it."""
    places = clause.kind(*PLACES)
    own = [m for m in places if trigger.end <= m.span.start < segment_end]
    after = [m for m in places if m.span.start >= segment_end]
    before = [m for m in places if m.span.end <= trigger.start and _introduced(clause, m)]
    chosen = own or after[:3] or before[-1:]
    if chosen:
        return chosen
    countries = [m for m in clause.kind("country") if _introduced(clause, m, r"(?:in|to|toured|visited)")]
    return countries[:1]


def _introduced(clause: _Clause, mention: Mention, words: str = r"(?:in|at|to)") -> bool:
    before = clause.at(max(clause.span.start, mention.span.start - 20), mention.span.start)
    return bool(re.search(rf"\b{words}\s+(?:the\s+)?(?:city of\s+)?$", before, re.IGNORECASE))


def _countries_and_agents(candidate: Candidate, clause: _Clause, places: list[Mention]) -> None:
    located = {m.iri for m in places}
    for mention in clause.kind("country"):
        if mention.iri and mention.iri not in located and not _inside_agent(clause, mention):
            candidate.add("participatingCountry", mention.iri)
            if _near(clause, mention, r"(?:representatives?|delegations?) (?:of|from)\s+$"):
                candidate.add("participation/participant", mention.iri)
    for mention in clause.kind("person", "organization"):
        if not mention.iri:
            continue
        if _near(clause, mention, r"(?:organi[sz]ed|hosted|arranged|conducted) by\s+(?:the\s+)?$"):
            candidate.add("organizer", mention.iri)
            candidate.add("participation/organiser", mention.iri)
        else:
            candidate.add("participant", mention.iri)
            if _near(clause, mention, r"led by\s+(?:[\w’'.]+\s+){0,8}$") and mention.kind == "person":
                candidate.add("participation/delegation-leader", mention.iri)


def _inside_agent(clause: _Clause, mention: Mention) -> bool:
    """A country named in a person's title or an organisation's name ("Ministry of Culture of X")."""
    before = clause.at(max(clause.span.start, mention.span.start - 30), mention.span.start)
    return bool(re.search(r"\b(?:Ministry|Minister|Embassy|Ambassador|President|Government) of (?:the )?$", before))


def _near(clause: _Clause, mention: Mention, pattern: str) -> bool:
    before = clause.at(max(clause.span.start, mention.span.start - 80), mention.span.start)
    return bool(re.search(pattern, before, re.IGNORECASE))


_NAME_WORD = re.compile(r"(?:[“\"«][^”\"»]{1,60}[”\"»]|[A-Z0-9][\w’'.-]*|of|the|and|de)$")


def _event_name(clause: _Clause, trigger: _Trigger) -> str:
    """The event's own name around its trigger word, as the text writes it, or ""."""
    after = clause.at(trigger.end, clause.span.end)
    titled = re.match(r"\s*(?:titled|entitled|called|named|under the title)?\s*[“\"«]([^”\"»]{2,80})[”\"»]", after)
    if titled:
        return titled.group(1)
    start = trigger.start
    words = clause.at(clause.span.start, trigger.start)
    while True:
        match = re.search(r"([“\"«][^”\"»]{1,60}[”\"»]|[A-Z0-9][\w’'.-]*)\s+$", words)
        if not match or match.start() == 0 and not match.group(1)[0] in "“\"«":
            break
        words, start = words[: match.start()], clause.span.start + match.start()
    end = trigger.end
    more = re.match(r"(?:\s+of(?:\s+the)?(?:\s+[A-Z][\w’'-]*)+)+", clause.at(trigger.end, clause.span.end))
    if more:
        end += more.end()
    name = clause.at(start, end)
    has_name = start < trigger.start or end > trigger.end or name[:1].isupper()
    return name if has_name and len(name.split()) > 1 else ""


def _event_label(name: str, etype: str, places: list[Mention], dates: list[DateMention]) -> str:
    label = name or etype.replace("-", " ").capitalize()
    where = ", ".join(m.text for m in places[:3])
    if where and where not in label:
        label += f" in {where}"
    years = sorted({y for d in dates for y in d.years})
    if years and str(years[0]) not in label:
        label += " " + "–".join(str(y) for y in (years[0], years[-1]) if y) if len(years) > 1 else f" {years[0]}"
    return label


def _date_needs(candidate: Candidate) -> None:
    if not candidate.dates:
        candidate.needs.append("no date")
    for date in candidate.dates:
        if date.start is None:
            candidate.needs.append(f"date: “{date.text}”: {date.note}")
        elif date.derived:
            candidate.needs.append(f"date: “{date.text}” read as {date.start} from the document's date")
        elif date.note:
            candidate.needs.append(f"date: “{date.text}”: {date.note}")


#: A cue of intention followed by what is intended ("plans to create a zone", "pledged to achieve").
_PLAN_OBJECT = re.compile(
    r"\b(?:plans? (?:was |were )?(?:announced )?to|planned to|planning to|propos(?:ed|al|als) to"
    r"|agreed to|reached to|intends? to|intended to|aims? to|pledged? to|decided to"
    r"|scheduled to|hop(?:e|es|ed|ing) to|potential to|need to|wish(?:es)? to|(?:was|were) reached to"
    r"|will (?:\w+ly )?(?:establish|create|open|build|launch|introduce|set up|expand|develop))\s+"
    r"(?!(?:be|become|remain|have|seem|grow|continue)\b)(?P<what>[^.;:!?]{3,160})",
    re.IGNORECASE,
)
#: Hopes that need no "to": "the most desirable thing", "fingers crossed", "hopefully".
_HOPE = _words(r"desirable", r"fingers crossed", r"hopefully", r"we wish", r"dreams? (?:of|that|will)")


def _plans(clause: _Clause) -> list[Candidate]:
    """A plan that is not an event: intended, proposed or hoped for ("plans to create …")."""
    words = clause.words
    match = _PLAN_OBJECT.search(words)
    hope = _HOPE.search(words)
    if not match and not hope:
        return []
    status = _status(words)
    if status.cls != "Plan":
        status = _Status("Plan", "hoped" if hope else "planned", (hope or match).group(0) if (hope or match) else "", 0.4)  # type: ignore[union-attr]
    what = match.group("what") if match else words
    candidate = Candidate("Plan", clause.span, "", "", dates=[d for d in clause.dates if d.start and not d.weak][:1], confidence=0.6)
    _countries_and_agents(candidate, clause, [])
    places = [m for m in clause.kind(*PLACES) if _introduced(clause, m)]
    candidate.add("location", *(m.iri for m in places if m.iri))
    _status_fields(candidate, status)
    candidate.label = _short(what)
    _date_needs(candidate)
    return [candidate]


def _short(words: str, limit: int = 10) -> str:
    """The first words of a phrase, up to a comma or ``limit`` words, as a label."""
    head = re.split(r",|\s+(?:in order to|so that|which|who|because)\s+", words.strip())[0].split()
    text = " ".join(head[:limit]).strip(" “”\"'")
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- agreements


def _agreements(clause: _Clause) -> list[Candidate]:
    words = clause.words
    concluded = CONCLUDED.search(words)
    if not concluded:
        return []
    found: list[Candidate] = []
    for match in _AGREEMENTS.finditer(words):
        atype = AGREEMENT_TYPES[int(str(match.lastgroup)[1:])][1]
        if re.search(r"\d[\d,]*\s+(?:\w+\s+){0,2}$", words[: match.start()]):
            continue  # "85 intergovernmental agreements": a count, a statistic
        status = _status(words)
        cls = "Plan" if status.cls == "Plan" else "Agreement"
        candidate = Candidate(cls, clause.span, "", "", dates=[d for d in clause.dates if d.start and not d.weak][:1], confidence=0.75, cue=concluded.group(0))
        candidate.add("agreementType", ATYPE + atype)
        for mention in clause.kind("country", "organization", "region", "city"):
            if mention.iri and not (mention.kind in ("region", "city") and _introduced(clause, mention)):
                candidate.add("party", mention.iri)
        candidate.add("signatory", *(m.iri for m in clause.kind("person") if m.iri))
        if not candidate.fields.get("party"):
            candidate.needs.append("no party named: who concluded it?")
        _status_fields(candidate, status)
        name = _phrase_after(words, match.start(), match.end())
        parties = [m.text for m in clause.kind("country") if m.iri][:2]
        candidate.label = _capital(name) + (f" ({' – '.join(parties)})" if parties and not any(p in name for p in parties) else "")
        _date_needs(candidate)
        found.append(candidate)
        break  # one agreement a clause: the others are its parts
    return found


def _phrase_after(words: str, start: int, end: int, limit: int = 12) -> str:
    """A noun and what qualifies it ("Joint Statement on an expanded partnership for …")."""
    rest = re.match(r"(?:\s+(?:on|of|between|for|in the field of)\s+[^,.;:()]+)?", words[end:])
    phrase = words[start : end + (rest.end() if rest else 0)]
    return " ".join(phrase.split()[:limit])


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- twinnings


def _twinnings(clause: _Clause) -> list[Candidate]:
    places = [m for m in clause.kind("city", "region") if m.iri or m.candidates]
    listed = _list_item(clause, places)
    if not (TWINNING.search(clause.words) or listed) or len(places) != 2:
        return []
    first, second = places
    countries = {m.extra.get("country") for m in places}
    if None not in countries and len(countries) == 1:
        return []  # two places of one country: not a twinning
    status = _status(clause.words) if not listed else _Status("happened", "happened", "list", 0.7)
    cls = "Plan" if status.cls == "Plan" else "CityTwinning"
    candidate = Candidate(cls, clause.span, f"{first.text} – {second.text}", "", confidence=0.75, cue="twinning")
    candidate.add("twinnedPlace", *(m.iri for m in places if m.iri))
    candidate.dates = [d for d in clause.dates if d.start and not d.weak][:1]
    if None in countries:
        candidate.needs.append("check the two places are in different countries")
    _status_fields(candidate, status)
    _date_needs(candidate)
    return [candidate]


def _list_item(clause: _Clause, places: list[Mention]) -> bool:
    """ "A – B (2019)": a line of a list that a sentence about twinnings introduces."""
    if len(places) != 2 or not re.fullmatch(r"\s*[–—-]\s*", clause.at(places[0].span.end, places[1].span.start)):
        return False
    rest = clause.at(places[1].span.end, clause.span.end)
    if not re.fullmatch(r"\s*(?:\(\s*\d{4}\s*\))?\s*\.?", rest):
        return False
    return any(TWINNING.search(clause.at(s.start, s.end)) for s in clause.before)


# ---------------------------------------------------------------- awards


def _awards(clause: _Clause) -> list[Candidate]:
    words, base = clause.words, clause.span.start
    cue, noun = AWARD_CUES.search(words), AWARD_NOUNS.search(words)
    if not cue or not noun:
        return []
    if cue.group(0).lower() == "appointed" and not re.search(r"honorary|goodwill|culture", noun.group(0), re.IGNORECASE):
        return []  # an appointment to an office is a role, not an honour
    name = _award_name(words, noun)
    persons = [m for m in clause.kind("person") if not _near(clause, m, r"\bby\s+(?:[\w’'.]+\s+){0,2}$")]
    givers = [m for m in clause.kind("person", "organization") if m not in persons or (name and m.text in name)]
    recipients = persons or [None]
    found: list[Candidate] = []
    for person in recipients:
        candidate = Candidate("Award", clause.span, "", "", confidence=0.7, cue=cue.group(0))
        candidate.add("awardName", name)
        if person is not None and person.iri:
            candidate.add("recipient", person.iri)
        else:
            candidate.needs.append("no recipient named in the sentence: who received it?")
        candidate.add("conferredBy", *(m.iri for m in givers if m.iri and m is not person))
        reason = re.search(r"\bfor (?:his|her|their|its) [^.;]+", words)
        if reason:
            candidate.add("reason", reason.group(0).strip())
        candidate.dates = _dates_of(clause, person)
        plain = noun.group(0).lower().startswith("winner") or "will" not in words.lower()
        _status_fields(candidate, _Status("happened", "happened", "", 0.7) if plain else _status(words))
        candidate.cls = "Plan" if candidate.status.endswith(("planned", "proposed", "hoped", "arranged", "announced")) else "Award"
        candidate.label = f"{name} for {person.text if person else '?'}"
        _date_needs(candidate)
        found.append(candidate)
    del base
    return found


def _award_name(words: str, noun: re.Match[str]) -> str:
    """The honour as the text names it: "the Order of the Rising Sun", "the title of Honorary
    Doctor of X" (the title itself), "winner of the Y competition"."""
    if noun.group(0).lower().startswith("winner"):
        rest = re.match(r"[^,.;]*?[”\"»]|[^,.;]*", words[noun.end() :])
        return (noun.group(0) + (rest.group(0) if rest else "")).strip()
    start, end = noun.start(), noun.end()
    title = re.match(r"\s+of\s+", words[end:])
    if noun.group(0).lower() in ("title", "titles") and title:
        start = end = end + title.end()
    else:
        while True:  # the capitalised words before it ("Kanto (Fighting Spirit) Prize")
            match = re.search(r"(\([^()]{1,40}\)|[A-Z][\w’'-]*)\s+$", words[:start])
            if not match:
                break
            start = match.start()
    tail = re.match(
        r"(?:(?:\s+(?:of|the|and|de))*,?\s*(?:[A-Z][\w’'-]*|\([^()]{1,40}\)))+", words[end:]
    )
    if tail:
        end += tail.end()
    return _capital(words[start:end].strip(" ,"))


def _dates_of(clause: _Clause, person: Mention | None) -> list[DateMention]:
    """A person's own "(2016)" after the name, else the clause's first stated date."""
    if person is not None:
        after = clause.at(person.span.end, min(clause.span.end, person.span.end + 30))
        bracket = re.match(r"\s*\(([^)]*)\)", after)
        if bracket:
            inside = [d for d in clause.dates if person.span.end < d.span.start < person.span.end + bracket.end()]
            if inside:
                return inside[:1]
    return [d for d in clause.dates if d.start and not d.weak][:1]


# ---------------------------------------------------------------- statistics


def _statistics(clause: _Clause, listed_only: bool = False) -> list[Candidate]:
    found: list[Candidate] = []
    words, base = clause.words, clause.span.start
    listed = _LIST_COUNT.match(words)
    if listed:
        return [_list_statistic(clause, listed)]
    if listed_only:
        return []
    quoted = [m.span() for m in re.finditer(r"[“\"«][^”\"»]*[”\"»]", words)]
    for match in _AMOUNT.finditer(words):
        start, end = base + match.start(), base + match.end()
        if any(d.span.start <= start < d.span.end for d in clause.dates):
            continue
        if any(a <= match.start() < b for a, b in quoted):
            continue  # a number in a title ("600 days of hope")
        candidate = _statistic(clause, match, start, end)
        if candidate is not None:
            found.append(candidate)
    for match in _FOLD.finditer(words):
        found.append(_fraction(clause, match, FOLD[match.group("num").lower()]))
    return found


def _statistic(clause: _Clause, match: re.Match[str], start: int, end: int) -> Candidate | None:
    words = clause.words
    value = _number(match.group("num"))
    if value is None:
        return None
    scale = SCALES.get((match.group("scale") or "").lower(), 1)
    unit, code = _unit(match)
    before = words[: match.start()]
    after = words[match.end() :]
    counted = _COUNTED.match(after) if not unit else None
    if unit is None and (match.group("unit") or "").lower() == "times":
        counted = re.match(r"(?P<np>)", "")  # "40 times": a count of times
    if unit is None and counted is None:
        return None
    spelled = not match.group("num")[0].isdigit()
    determiner = r"\b(?:the|these|those|our|its|their|his|her|first|last|every|each|past|next|coming|recent)\s+$"
    if re.search(determiner, before, re.IGNORECASE) and (spelled or re.search(r"\b(?:past|next|coming|recent|first|last)\s+$", before, re.IGNORECASE)):
        return None  # "the two countries", "over the past 20 years": not a figure the text states
    if unit is None and spelled and value < 5:
        return None
    if counted is not None and re.match(r"\s*(?:ago|old|later|earlier|long)\b", after[counted.end() :]):
        return None
    noun = (counted.group("np") if counted else "").strip() or ("times" if (match.group("unit") or "").lower() == "times" else "")
    if counted is not None and (set(noun.lower().split()) & _COUNT_STOP):
        return None
    measure = noun if counted else _measure_before(before) or ("percent" if unit == "PERCENT" else "amount")
    candidate = Candidate("Statistic", clause.span, "", "", confidence=0.7, cue=clause.at(start, end))
    amount = Decimal(value) * scale
    candidate.add("value", _decimal(amount))
    if unit:
        candidate.add("unitOfMeasure", UNIT + unit)
        if code and code != "USD":
            candidate.needs.append(f"unit {unit} is not described in the ontology yet")
    qualifier = "more-than" if MORE_THAN.search(before) else ("approximately" if ABOUT.search(before) else "")
    if qualifier:
        candidate.add("qualifier", QUAL + qualifier)
    _measure(candidate, measure, noun in ("of them", "of those"))
    candidate.add("about", *(m.iri for m in clause.kind("country") if m.iri))
    candidate.dates = [d for d in clause.dates if d.start and not d.weak][:1]
    candidate.label = f"{_capital(measure)}: {clause.at(start, end).strip()}" + (f" ({candidate.dates[0].text})" if candidate.dates else "")
    return candidate


def _list_statistic(clause: _Clause, listed: re.Match[str]) -> Candidate:
    value = listed.group("num").replace(",", "")
    candidate = Candidate("Statistic", clause.span, f"{listed.group('name')}: {value}", "", confidence=0.4)
    candidate.add("value", value)
    candidate.add("about", *(m.iri for m in clause.mentions if m.iri))
    _measure(candidate, "", True)
    return candidate


def _fraction(clause: _Clause, match: re.Match[str], value: int) -> Candidate:
    candidate = Candidate("Statistic", clause.span, "", "", confidence=0.6, cue=match.group(0))
    candidate.add("value", str(value))
    candidate.add("unitOfMeasure", UNIT + "FRACTION")
    if ABOUT.search(clause.words[: match.start()]):
        candidate.add("qualifier", QUAL + "approximately")
    measure = _measure_before(clause.words[: match.start()]) or "growth factor"
    after = re.match(r"\s+(increase|growth|rise|decrease|drop)", clause.words[match.end() :])
    if after:
        measure = after.group(1)
    _measure(candidate, measure, False)
    candidate.dates = [d for d in clause.dates if d.start and not d.weak][:1]
    candidate.label = f"{_capital(measure)}: {match.group(0)}"
    return candidate


def _measure(candidate: Candidate, measure: str, vague: bool) -> None:
    slug = _slug(measure)
    if vague or not slug:
        candidate.needs.append("what is counted? name the measure")
        slug = slug or "count"
    candidate.add("measure", MEASURE + slug)
    candidate.add("measureLabel", measure or "count")
    candidate.needs.append(f"measure: check measure:{slug} (“{measure or 'count'}”)")


def _measure_before(before: str) -> str:
    """The noun an amount is of: "trade turnover of $3 million", "investments exceeding $1 bn"."""
    trimmed = re.sub(r"\s*\b(?:of|totall?ing|worth|amounting to|exceeding|reached|at|is|was|were|are|more than|over|about|approximately|nearly|some|around|up to|an estimated)\s*$", "", before, flags=re.IGNORECASE)
    trimmed = re.sub(r"\s*\b(?:of|totall?ing|worth|amounting to|exceeding|at|is|was)\s*$", "", trimmed, flags=re.IGNORECASE)
    words = re.findall(r"[A-Za-z][\w’'-]*", trimmed[-60:])
    kept: list[str] = []
    for word in reversed(words):
        if word.lower() in ("the", "a", "an", "of", "and", "to", "in", "with", "that", "this", "by", "for") or len(kept) == 3:
            break
        kept.insert(0, word)
    return " ".join(kept).lower()


def _number(text: str) -> Decimal | None:
    """A number written in digits ("25,000", "6.3") or in words ("one hundred and fifty")."""
    if text[0].isdigit():
        return Decimal(text.replace(",", ""))
    total, current = 0, 0
    for word in re.split(r"[- ]+", text.lower()):
        if word == "and":
            continue
        if word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        elif word == "hundred":
            current *= 100
        elif word in SCALES:
            total, current = total + current * SCALES[word], 0
    return Decimal(total + current) if total + current else None


def _unit(match: re.Match[str]) -> tuple[str | None, str | None]:
    """The QUDT unit of an amount: a currency (by ISO 4217, checked with pycountry), percent, ratio."""
    sign = (match.group("sign") or "").strip().lower()
    unit = (match.group("unit") or "").strip().lower()
    if unit in ("%", "percent", "per cent"):
        return "PERCENT", None
    if unit in ("fold", "-fold") or (unit == "times" and re.search(r"\b(?:increase|grew|higher|more|larger)", match.string[match.end() : match.end() + 30])):
        return "FRACTION", None
    code = CURRENCY_SIGNS.get(sign) or CURRENCY_WORDS.get(sign) or CURRENCY_WORDS.get(unit)
    if code and pycountry.currencies.get(alpha_3=code):
        return f"CCY_{code}", code
    return None, None


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------- roles


def _roles(clause: _Clause) -> list[Candidate]:
    found: list[Candidate] = []
    for person in clause.kind("person"):
        title = _title_inside(person) or _title_before(clause, person) or _title_after(clause, person)
        if title is None:
            continue
        start, end = title
        role = _role_name(clause.at(start, end))
        if not role:
            continue
        candidate = Candidate("Role", clause.span, f"{person.text}: {role}", "", confidence=0.65, cue=role)
        candidate.add("person", person.iri or "")
        candidate.add("roleName", role)
        inside = [m for m in clause.mentions if start <= m.span.start and m.span.end <= end and m is not person]
        candidate.add("roleIn", *(m.iri for m in inside[:1] if m.iri))
        candidate.dates = [_held_at(d) for d in _dates_of(clause, person) if not d.derived]
        if person.iri is None:
            candidate.needs.append(f"ambiguous person: {person.text}")
        found.append(candidate)
    return found


def _held_at(date: DateMention) -> DateMention:
    """A role is held at one date: a span of days within a month is that month, within a year
    that year (docs/modelling.md: "led by the Minister, June 6–10, 2023" → 2023-06)."""
    if not date.end or not date.start:
        return date
    for size in (7, 4):
        if date.start[:size] == date.end[:size]:
            return DateMention(date.span, date.text, date.start[:size], None, note=date.note)
    return DateMention(date.span, date.text, date.start, None, note=date.note)


def _title_inside(person: Mention) -> tuple[int, int] | None:
    """ "Emperor X" linked as one name: the title words it starts with."""
    words = list(re.finditer(r"[\w’'.-]+", person.text))
    count = 0
    while count < len(words) - 1 and words[count].group(0).lower() in TITLES:
        count += 1
    if not count:
        return None
    return person.span.start, person.span.start + words[count - 1].end()


def _title_before(clause: _Clause, person: Mention) -> tuple[int, int] | None:
    """ "Prime Minister X", "the Minister of Culture of Y, X": the title just before the name."""
    head = clause.at(clause.span.start, person.span.start)
    stripped = re.sub(r",?\s*$", "", head)
    words = list(re.finditer(r"[\w’'.-]+|[“”\"()]", stripped))
    kept: list[re.Match[str]] = []
    for word in reversed(words):
        token = word.group(0)
        lower = token.lower().rstrip("s") if token.lower() not in TITLES else token.lower()
        if token.lower() in _FUNCTION and token.lower() not in _PARTICLES:
            break
        if token.lower() in TITLES or lower in TITLES or token.lower() in _PARTICLES or token[:1].isupper():
            kept.insert(0, word)
            if len(kept) > 10:
                break
            continue
        break
    while kept and (kept[0].group(0).lower() in _PARTICLES):
        kept.pop(0)
    if not any(w.group(0).lower() in TITLES or w.group(0).lower().rstrip("s") in TITLES for w in kept):
        return _apposition_before(clause, person, stripped)
    return clause.span.start + kept[0].start(), clause.span.start + kept[-1].end()


def _apposition_before(clause: _Clause, person: Mention, head: str) -> tuple[int, int] | None:
    """ "the popular singer and performer on traditional instruments, X": a title phrase set
    off by a comma before the name, back to the previous comma or the clause's start."""
    if not re.search(r",\s*$", clause.at(clause.span.start, person.span.start)):
        return None
    start = head.rfind(",") + 1
    phrase = head[start:]
    tokens = re.findall(r"[\w’'-]+", phrase)
    if not 0 < len(tokens) <= 10 or not any(t.lower() in TITLES for t in tokens):
        return None
    offset = len(phrase) - len(phrase.lstrip())
    return clause.span.start + start + offset, clause.span.start + len(head)


def _title_after(clause: _Clause, person: Mention) -> tuple[int, int] | None:
    """ "X, the ambassador of Japan to Y," — a title in apposition after the name."""
    after = clause.at(person.span.end, clause.span.end)
    match = re.match(r",\s+(?:the|a|an)\s+((?:[\w’'-]+\s+){0,8}?[\w’'-]+)(?=,|\.|$|\s+(?:in|said|who|was|is)\b)", after)
    if not match:
        return None
    phrase = match.group(1)
    if not any(w.lower() in TITLES or w.lower().rstrip("s") in TITLES for w in re.findall(r"[\w’'-]+", phrase)):
        return None
    start = person.span.end + match.start(1)
    return start, start + len(phrase)


def _role_name(title: str) -> str:
    """The title without articles, possessives and leading nationality adjectives."""
    words = title.split()
    while words and (words[0].lower() in ("the", "a", "an", "popular", "famous", "well-known", "renowned") or words[0].endswith(("’s", "'s"))):
        words.pop(0)
    while len(words) > 1 and words[0][:1].isupper() and words[0].lower() not in TITLES and words[1][:1].islower():
        words.pop(0)  # "Japanese choreographer": the nationality is the person's, not the title
    if words and words[-1].lower().rstrip("s") in TITLES and words[-1].lower() not in TITLES:
        words[-1] = words[-1][:-1]  # "governors" → "governor": one role each
    return " ".join(words).strip(" ,")


def labels_of(candidates: Iterable[Candidate]) -> Sequence[str]:
    """The candidates' labels, for a quick look in a shell."""
    return [f"{c.cls}: {c.label}" for c in candidates]
