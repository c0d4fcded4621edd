"""Draft candidate facts from an article's sentences, in the project's vocabulary, for review.

Every candidate cites its evidence (the sentence, or the clause of it that states the fact) and
says what is left for the curator to decide. The rules are general English and general cues of
the domain ("festival", "was held", "will", "signed a memorandum"); names come only from the
mentions, which the linker makes from the graph's own labels. docs/modelling.md gives the classes.

The rule that matters most (docs/modelling.md, "Status"): a drafted event has happened only where
the text says so (a past or an ongoing tense); a future, modal or intention cue makes it a
kg:Plan with the status the cue states; when the text does not say, it is a plan whose status is
left to the curator ("status unclear"). A plan cue anywhere in a clause wins over a past tense,
so nothing intended is ever drafted as happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pycountry

from ..namespaces import BASE, ETYPE, STATUS
from .dates import DateMention, find_dates, weekday_ahead
from .model import Mention, Span

ATYPE = BASE + "vocab/agreement-type/"
MEASURE = BASE + "vocab/measure/"
QUAL = BASE + "vocab/qualifier/"
UNIT = "http://qudt.org/vocab/unit/"
PLACES = ("city", "venue", "region")
HAPPENED = str(STATUS.happened)


@dataclass
class Candidate:
    """A fact drafted from the text, waiting for a curator's decision.

    ``cls`` is the kg class's local name and ``span`` the evidence. ``fields`` maps a property's
    local name to its values (IRIs, or literals as strings); four keys are not properties of
    the fact: ``participation/<role>`` lists the agents of a qualified participation in that
    role, ``derivation/<property>`` the rules (local names of the rule: scheme) by which all
    the property's values follow, ``person`` the holder of a role, ``measureLabel`` the name
    of a statistic's measure.
    ``status`` is a status IRI, or "" for a class without one (statistics, roles). ``needs``
    says what the curator still has to decide; ``cue`` the words that made the candidate.
    """

    cls: str
    span: Span
    label: str = ""
    status: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)
    dates: list[DateMention] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    confidence: float = 0.5
    cue: str = ""
    #: Named only as "the concert", with no place or date of its own: perhaps one told before.
    definite: bool = False
    #: More evidence: the sentences that name what ``span`` does not (the year of "on 12 May").
    also: list[Span] = field(default_factory=list)

    def add(self, prop: str, *values: str | None) -> None:
        """Add values to a field, once each, in order; empty values are skipped."""
        present = self.fields.setdefault(prop, [])
        present.extend(v for v in values if v and v not in present)

    @property
    def complete(self) -> bool:
        """Whether every property the class's shape requires is drafted."""
        if not all(self.fields.get(p) for p in REQUIRED.get(self.cls, ())):
            return False
        if self.cls == "CityTwinning":
            return len(self.fields["twinnedPlace"]) == 2 and any(d.start for d in self.dates)
        return True


#: What the shapes require of each class, beyond a label, evidence and (where due) a status.
REQUIRED: dict[str, tuple[str, ...]] = {
    "CulturalEvent": ("eventType",),
    "SportsEvent": ("eventType",),
    "Agreement": ("agreementType", "party"),
    "CityTwinning": ("twinnedPlace",),
    "Award": ("recipient", "awardName"),
    "Statistic": ("measure", "value"),
    "Role": ("person", "roleName"),
}


def _cues(pattern: str) -> re.Pattern[str]:
    """Whole words or phrases, written as a verbose regular expression (spaces are ``\\s+``)."""
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE | re.VERBOSE)


# ---------------------------------------------------------------- cues: general English

#: Event words and the event type they give, tried in this order.
EVENT_TYPES: list[tuple[str, str]] = [
    (
        r"film (?:days|weeks?)|films? days|days of (?:\w+ )?(?:cinema|films?)|screenings?|screened",
        "film-days",
    ),
    (
        r"(?:cross-)?cultur(?:e|al) (?:days?|years?|weeks?)|days of (?:\w+ ){0,2}culture",
        "culture-days",
    ),
    (r"years? of (?:\w+ ){0,2}culture", "culture-days"),
    (r"(?-i:(?:(?!The |An? )[A-Z][\w’'-]+ )+(?:Days|Weeks?))", "culture-days"),
    # a named day ("Harvest Day"); its type follows from its name (see _named_day)
    (
        r"(?-i:(?:(?!(?:The|An?|On|Every|Each|One|This|That|Next|Last) )[A-Z][\w’'-]+ )+"
        r"(?<!Culture )Day)",  # "X Culture Day": culture days, above
        "day",
    ),
    (r"(?:film |music |dance |art |theatre |theater )?festivals?|festivities", "festival"),
    (r"lecture-concerts?|concerts?-lectures?|lectures?|master ?class(?:es)?|workshops?", "lecture"),
    (r"concerts?|recitals?|performed|performances?", "concert"),
    (r"(?:world )?premi[eè]res?|premiered", "premiere"),
    (r"exhibitions?|exhibited|pavilions?|expo|exposition|presentation of|fairs?", "exhibition"),
    (r"(?:fashion|puppet) shows?", "exhibition"),
    (r"forums?|conferences?|congress(?:es)?|symposi(?:um|a)|seminars?", "forum"),
    (r"meetings?", "meeting"),  # of officials, or of professionals: the curator says which
    (r"summits?|talks|negotiations", "talks"),
    (r"tours?|toured", "tour"),
    (r"(?:state |official |working )?visits?|visited", "visit"),
    (r"competitions?|contests?|olympiads?", "competition"),
    (
        r"ceremon(?:y|ies)|ceremonial opening|inaugurat(?:ion|ed)|unveil(?:ing|ed)|installed",
        "ceremony",
    ),
    (r"(?:anniversary )?celebrations?|celebrated|receptions?|commemorations?", "celebration"),
    (r"(?:language |training )?courses", "course"),
    (r"events?|evenings?|galas?", "other"),
]
#: Event words naming a place or a body, not an event: "concert hall", "festival committee".
_NOT_AN_EVENT = (
    r"(?!\s+(?:halls?|venues?|houses?|cent(?:re|er)s?|grounds?|rooms?|spaces?|buildings?|committees?"
    r"|organi[sz]ers?|organi[sz]ations?|directors?|managers?|tickets?|seasons?))"
)
_EVENTS = re.compile(
    "|".join(rf"(?P<t{i}>\b(?:{p})\b{_NOT_AN_EVENT})" for i, (p, _) in enumerate(EVENT_TYPES)),
    re.IGNORECASE,
)
SPORTS = _cues(r"tournaments? | championships? | olympic\s+games | olympics | the\s+match")
#: Words just before an event word that make it a reference to an event named elsewhere.
_REFERENCE = re.compile(
    r"\b(?:this|that|these|those|such|same|diplomatic|historic|political|current"
    r"|(?:during|following|after|before|on the eve of|in preparation for) the)\s+$",
    re.IGNORECASE,
)

#: Cues of intention, most specific first, with the status each gives a plan.
PLAN_CUES: list[tuple[re.Pattern[str], str]] = [
    (
        _cues(r"plans?\s+(?:was|were|has\s+been|have\s+been)\s+announced | announc(?:e|es|ed|ing)"),
        "announced",
    ),
    (
        _cues(r"""agreed\s+(?:to|on|that)
            | (?:agreements?|arrangements?|an\s+understanding|consensus)
              \s+(?:was|were|has\s+been|have\s+been)\s+reached
            | reached\s+(?:an\s+)?(?:agreements?|arrangements?|understanding|consensus)"""),
        "arranged",
    ),
    (
        _cues(r"""propos(?:e|es|ed|al|als) | suggest(?:s|ed)? | put\s+forward | called\s+for
            | consider(?:s|ed)?\s+it\s+(?:necessary|important|advisable|expedient|appropriate)
            | (?:necessary|advisable|expedient)\s+to | should\s+(?:sign|conclude|adopt)"""),
        "proposed",
    ),
    (
        _cues(r"""hop(?:e|es|ed|ing) | hopefully | wish(?:es|ed)? | dreams? | desirable
            | fingers\s+crossed | look(?:s|ing)?\s+forward\s+to | would\s+(?:like|love)\s+to
            | aspires?\s+to | potential\s+to | need\s+to"""),
        "hoped",
    ),
    (
        _cues(r"""will | shall | plans?\s+to | planning\s+to | planned\s+(?:to|for) | the\s+planned
            | (?:is|are|was|were|been)\s+planned | it(?:’s|'s|\s+is)\s+planned
            | (?:is|are|was|were)\s+(?:scheduled|expected|set|due|going)\s+to
            | intends? | intended\s+to | intention | aims?\s+to | pledged? | upcoming
            | forthcoming | prepar(?:es|ing)\s+for | soon | someday | tomorrow | later\s+this\s+year
            | next\s+(?:year|month|week|season|spring|summer|autumn|fall|winter)
            | in\s+the\s+(?:near\s+)?future | in\s+the\s+coming
            | to\s+be\s+(?:held|organi[sz]ed|opened|launched|signed|built|established|arranged)
            | (?:was|were|been|is|are)\s+invited\s+to"""),
        "planned",
    ),
]
# Not cues: "intended for", "designed for", "aimed at" name whom an event is for (its
# audience, its purpose), not an intention that it take place; its own verb says whether it did.
#: Modal verbs: a weak plan cue, read only where nothing else gives a status.
MODAL = _cues(r"could | might | would | should | may")
#: The past tense: the text says it took place.
PAST = _cues(r"""
    (?:was|were|has\s+been|have\s+been|had\s+been)\s+(?:\w+ly\s+)?
        \w+(?:ed|en|held|built|made|shown|won|given|led|met|seen|begun|sung|drawn|brought|done)
    | (?:has|have|had)\s+(?:\w+ly\s+)?\w+ed | took\s+(?:place|part)
    | (?<!\bis\ )(?<!\bare\ )(?<!\bbe\ )(?<!\bbeing\ )  # not the present passive ("is held")
    (?: held | opened | performed | visited | toured | participated | attended | organi[sz]ed
    | hosted | presented | premiered | celebrated | staged | screened | signed | concluded
    | adopted | awarded | conferred | received | installed | unveiled | launched | inaugurated
    | arranged | gathered | welcomed | conducted | completed | started | began | marked | met
    | discussed | exchanged | established | founded | showcased | featured | won | fought
    | competed | played | exhibited | displayed | delivered | gave | led | joined | travell?ed
    | flew | came | went | amazed | attracted | honou?red | commemorated | called | noted
    | greeted | recogni[sz]ed | created | produced | built | made | saw | showed | enjoyed
    | managed | witnessed | brought | included | recorded | achieved | accompanied | supported
    | funded | sponsored | emphasi[sz]ed | spent | paid | became | grew | sent | told | wrote
    | taught | sang | spoke | stood | sold | found | chose | drew | ran | read\s+(?:out|aloud)
    ) | did | was | were""")
#: The present tense saying it happens ("regularly conducts", "is being implemented").
ONGOING = _cues(r"""regularly | annually | every\s+year | each\s+year | traditionally | now
    | currently | (?:is|are)\s+being\s+\w+ed | (?:is|are)\s+under\s?way | continues?\s+to
    | conducts | holds | hosts | organi[sz]es | runs | offers | teaches | performs | operates
    | takes\s+place | take\s+place""")

#: Agreement words and the agreement type they give, tried in this order.
AGREEMENT_TYPES: list[tuple[str, str]] = [
    (
        r"joint (?:statement|declaration|communiqu[eé])s?|declarations?|communiqu[eé]s?",
        "joint-statement",
    ),
    (r"package of (?:\w+ )?(?:agreements|documents)", "package"),
    (
        r"(?:intergovernmental|interstate) (?:agreements?|treat(?:y|ies))|treat(?:y|ies)",
        "intergovernmental-agreement",
    ),
    (r"interagency (?:agreements?|memorand(?:um|a))", "interagency-agreement"),
    (
        r"joint(?:ly implemented)? (?:[“\"«][^”\"»]{1,60}[”\"»] )?program(?:me)?s?"
        r"|(?:portfolio of )?joint projects?"
        r"|projects?(?=\s+[“\"«])",
        "programme",
    ),
    (
        r"memorand(?:um|a)(?: of understanding)?|(?:cooperation )?agreements?|accords?|protocols?",
        "cooperation-agreement",
    ),
]
_AGREEMENTS = re.compile(
    "|".join(rf"(?P<a{i}>\b(?:{p})\b)" for i, (p, _) in enumerate(AGREEMENT_TYPES)), re.IGNORECASE
)
CONCLUDED = _cues(r"""sign(?:s|ed|ing)? | conclu(?:de|des|ded|sion\s+of) | adopt(?:s|ed)?
    | ratif(?:y|ies|ied) | initiall?ed | exchanged | entered\s+into | on\s+the\s+basis\s+of""")
TWINNING = _cues(r"""sister[-\s](?:cit(?:y|ies)|regions?|towns?|provinces?|prefectures?)
    | twin(?:ned)?[-\s](?:cit(?:y|ies)|towns?) | twinning | twinned
    | (?:partner|friendship)\s+(?:cit(?:y|ies)|regions?)
    | (?:ties|relations|links|partnerships?)\s+between\s+(?:\w+\s+)?
      (?:cities|towns|regions|municipalities|prefectures)""")
AWARD_CUES = _cues(r"""awarded | conferred | bestowed | presented(?:\s+with)? | honou?red\s+with
    | received | won | winning | winners?\s+of | appointed | granted""")
AWARD_NOUNS = _cues(r"""orders? | medals? | prizes? | awards? | titles? | honorary\s+\w+
    | decorations? | diplomas? | laureates? | winners?\s+of | (?:goodwill|honorary)\s+ambassadors?
    | letters?\s+of\s+(?:appreciation|gratitude|thanks|commendation) | certificates?\s+of\s+honou?r
    | ambassadors?\s+of\s+[^,.;]*culture""")

#: Titles and occupations that name a person's role (lower case).
TITLES = frozenset(
    """president vice-president prime minister deputy ambassador consul envoy attaché mayor
    governor hokim akim emperor empress king queen prince princess chairman chairwoman chair
    chairperson director director-general head rector dean professor secretary secretary-general
    speaker senator chief commander founder co-founder ceo executive manager coordinator curator
    editor journalist correspondent author writer poet novelist composer conductor choreographer
    dancer singer performer musician pianist violinist artist painter photographer sculptor actor
    actress filmmaker producer designer architect scholar scientist historian researcher academic
    teacher student engineer doctor physician athlete boxer wrestler champion coach player
    resident volunteer expert specialist diplomat official spokesman spokesperson
    representative""".split()
)
_PARTICLES = frozenset("of and the for to in on at de".split())
#: Capitalised words that begin a sentence rather than a title ("As President X said").
_FUNCTION = frozenset(
    """as in on at during after before with by for from to the a an and or but if when while
    this that these those his her their its our my your we i he she they it following since
    under""".split()
)

# ---------------------------------------------------------------- numbers

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
} | {
    w: 10 * (i + 3) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split())
}
SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
SCALES |= {"trillion": 10**12, "mln": 10**6, "bn": 10**9}
CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₸": "KZT"}
#: Currency names and ISO 4217 codes; the code is checked with pycountry before use.
CURRENCY_WORDS = {
    "dollars": "USD", "us dollars": "USD", "euros": "EUR", "yen": "JPY", "tenge": "KZT",
    "soums": "UZS", "soum": "UZS", "sums": "UZS", "som": "KGS", "soms": "KGS", "rubles": "RUB",
    "roubles": "RUB", "yuan": "CNY", "pounds": "GBP",
}  # fmt: skip
_NUMWORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_AMOUNT = re.compile(
    r"(?P<sign>US\$|\$|€|£|¥|₸|\b(?:USD|EUR|JPY|KZT|UZS|KGS|RUB|CNY|GBP)\s?)?"
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    rf"|(?:{_NUMWORD})(?:[- ](?:and[- ])?(?:{_NUMWORD}|hundred|thousand))*)(?![\w]|[.,]\d)"
    r"(?:\s*(?P<scale>hundred|thousand|million|billion|trillion|mln|bn)\b|(?P<abbr>(?-i:[KMB]))\b)?"
    r"(?:\s*(?P<unit>%|percent\b|per cent\b|(?:US )?dollars\b|euros\b|yen\b|tenge\b|soums?\b"
    r"|sums\b|soms?\b|rubles\b|roubles\b|yuan\b|pounds\b|times\b))?",
    re.IGNORECASE,
)
FOLD = {w + "fold": n for w, n in NUMBER_WORDS.items()}
_FOLD = re.compile(r"\b(?P<num>" + "|".join(FOLD) + r"|\d+-fold)\b", re.IGNORECASE)
MORE_THAN = re.compile(
    r"\b(?:more than|over|exceeding|above|upwards of|in excess of|at least)\s*$", re.IGNORECASE
)
ABOUT = re.compile(
    r"\b(?:approximately|about|nearly|almost|around|some|roughly|close to|an estimated)\s*$",
    re.IGNORECASE,
)
#: What a number counts: up to three words ending in a plural noun ("foreign students").
_COUNTED = re.compile(
    r"\s+(?P<np>(?:[\w’'-]+\s+){0,3}?(?:[A-Za-z][\w’'-]*s|people|children|staff|personnel)"
    r"|of them|of those)\b"
)
_NOT_COUNTED = frozenset("are is were was have has had in at on from to by with for during".split())
#: "Name: 79", a line of a list of counts.
_LIST_COUNT = re.compile(r"^(?P<name>[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*)\s*:\s*(?P<num>\d[\d,]*)$")


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


# ---------------------------------------------------------------- the drafting


@dataclass
class _Clause:
    """A clause and what lies in it: the unit each rule reads."""

    text: str
    span: Span
    mentions: list[Mention]
    dates: list[DateMention]
    before: list[Span]  # the sentences before, for a list that a sentence introduces
    #: the two countries whose relations the document reports, when it reports two
    pair: tuple[str, ...] = ()

    @property
    def words(self) -> str:
        return self.text[self.span.start : self.span.end]

    def at(self, start: int, end: int) -> str:
        return self.text[max(start, self.span.start) : min(end, self.span.end)]

    def kind(self, *kinds: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind in kinds]

    def stated_dates(self) -> list[DateMention]:
        """The dates the clause states (not "now", not unresolved), the first one only."""
        return [d for d in self.dates if d.start and not d.weak][:1]

    def before_mention(self, mention: Mention, pattern: str, reach: int = 80) -> bool:
        before = self.at(mention.span.start - reach, mention.span.start)
        return bool(re.search(pattern, before, re.IGNORECASE))


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
    dateline: tuple[Span, list[Mention]] | None = None  # "Town, 14 June 2023." before
    frame: list[DateMention] = []  # the year that opens the paragraph ("In 2016, …")
    pair = _two_countries(ordered)
    for index, sentence in enumerate(sentences):
        dates = find_dates(text, sentence, document_date)
        if _only_dates(text, sentence, dates):
            carried = dates  # a dateline ("November 2024."): it dates the next sentence
            continue
        places = [m for m in ordered if sentence.start <= m.span.start < sentence.end]
        if _is_dateline(text, sentence, dates, places):
            carried, dateline = dates, (sentence, places)  # "Town, 14 June 2023."
            continue
        frame = _paragraph_year(text, sentence, dates, frame)
        for span in _clauses(text, sentence):
            inside = [d for d in dates if span.start <= d.span.start and d.span.end <= span.end]
            undated = not any(d.start and not d.weak for d in carried + inside)
            framed = frame if undated and frame and frame[0].span.end <= span.start else []
            clause = _Clause(
                text,
                span,
                [m for m in ordered if span.start <= m.span.start and m.span.end <= span.end],
                carried + framed + inside,
                sentences[max(0, index - 8) : index],
                pair,
            )
            drafted = _draft_clause(clause)
            for candidate in drafted:
                _quote_dateline(text, candidate, carried)
                if dateline:
                    _dateline_place(candidate, *dateline)
            candidates.extend(drafted)
        carried, dateline = [], None
    for candidate in candidates:
        _not_yet(candidate, document_date)
        if document_date and candidate.cls == "Plan":
            _weekdays_ahead(candidate, document_date)
        _quote_the_year(candidate, sentences)
    return _without_references(candidates)


def _weekdays_ahead(candidate: Candidate, document_date: str) -> None:
    """A plan "on Friday": the Friday ahead of the document's date, not the one before."""
    ahead = [weekday_ahead(d, document_date) for d in candidate.dates]
    if ahead == candidate.dates:
        return
    old = {f"date: “{d.text}”" for d, a in zip(candidate.dates, ahead, strict=True) if d != a}
    candidate.needs = [n for n in candidate.needs if not any(n.startswith(o) for o in old)]
    candidate.dates = ahead
    _date_needs(candidate)


def _quote_the_year(candidate: Candidate, sentences: list[Span]) -> None:
    """A date whose year an earlier sentence names ("In 2019 … . On 12 May, …"): quote that
    sentence too, so that a quote of the fact names the year (docs/modelling.md, "Derived
    values": add the quote that names the value)."""
    for date in candidate.dates:
        source = date.year_from
        if source is None or candidate.span.start <= source.start < candidate.span.end:
            continue
        for sentence in sentences:
            if sentence.start <= source.start < sentence.end and sentence not in candidate.also:
                candidate.also.append(sentence)


#: A date that opens a paragraph and sets its time: "In 2016, …", "During May 2018, …".
_FRAME = re.compile(r"\s*(?:(?:in|during|throughout|over)\s+(?:the\s+(?:year\s+)?)?)?$", re.I)


def _paragraph_year(
    text: str, sentence: Span, dates: list[DateMention], frame: list[DateMention]
) -> list[DateMention]:
    """The year news writing sets once for a paragraph ("In 2016, a festival … . Within its
    framework, three concerts …"): a stated year that opens the paragraph's first sentence,
    for its later sentences that give no date of their own; [] in another paragraph."""
    opens = sentence.start == 0 or text[sentence.start - 1] == "\n"
    if not opens:
        same = frame and "\n" not in text[frame[0].span.end : sentence.start]
        return frame if same else []
    first = next((d for d in dates if d.start and not d.derived and not d.weak), None)
    before = text[sentence.start : first.span.start] if first else ""
    if first is None or first.end or first.qualifier or not _FRAME.fullmatch(before):
        return []
    assert first.start is not None
    year = first.start[:4]
    note = f"the year the paragraph opens with (“{first.text}”): check it"
    return [DateMention(first.span, first.text, year, note=note, year_from=first.span)]


def _quote_dateline(text: str, candidate: Candidate, carried: list[DateMention]) -> None:
    """Let the evidence quote the dateline that dates the fact ("May 2024. In X, the …"), so
    that a quote names the date; a quote never spans a line break (docs/modelling.md)."""
    for date in carried:
        if date in candidate.dates:
            if "\n" in text[date.span.start : candidate.span.start]:
                _need(candidate, f"date: “{date.text}” is the line before: quote it too")
            else:
                candidate.span = Span(date.span.start, candidate.span.end)
            return


def _not_yet(candidate: Candidate, document_date: str | None) -> None:
    """What the text dates after its own date has not happened, whatever the tense says."""
    if document_date is None or candidate.status != HAPPENED:
        return
    for date in candidate.dates:
        if date.start and not date.derived and date.start > document_date[: len(date.start)]:
            candidate.cls, candidate.status = "Plan", str(STATUS.planned)
            _need(candidate, "dated after the document: planned? check the status")
            return


def _dateline_place(candidate: Candidate, sentence: Span, places: list[Mention]) -> None:
    """An event or a plan the text places nowhere, right after a dateline ("Town, 14 June
    2023."): where the news was written, the likeliest place; the curator checks it."""
    known = [m for m in places if m.iri and m.kind in PLACES]
    if len(known) != 1 or "location" not in candidate.fields or candidate.fields["location"]:
        return
    if candidate.cls not in ("CulturalEvent", "SportsEvent", "Plan"):
        return
    candidate.add("location", known[0].iri)
    if sentence not in candidate.also:
        candidate.also.append(sentence)
    _need(candidate, f"location: “{known[0].text}” is the dateline's place: check it")


def _is_dateline(
    text: str, sentence: Span, dates: list[DateMention], places: list[Mention]
) -> bool:
    """ "Town, 14 June 2023.": one place, a comma, a date, and nothing else."""
    if len(places) != 1 or places[0].kind not in PLACES or not dates:
        return False
    opens = not text[sentence.start : places[0].span.start].strip()
    comma = text[places[0].span.end : dates[0].span.start].strip() == ","
    return opens and comma and _only_dates(text, sentence, dates, places)


def _only_dates(
    text: str, sentence: Span, dates: list[DateMention], places: Sequence[Mention] = ()
) -> bool:
    """Whether the sentence says nothing but its dates (and the given places)."""
    rest = text[sentence.start : sentence.end]
    spans = [d.span for d in dates] + [m.span for m in places if m.kind in PLACES]
    for span in sorted(spans, reverse=True):
        start, end = span.start - sentence.start, span.end - sentence.start
        rest = rest[:start] + rest[end:]
    return bool(dates) and not re.search(r"\w", rest)


def _clauses(text: str, sentence: Span) -> list[Span]:
    """Split a sentence where one statement ends and another begins (";", "while", "but")."""
    pieces: list[Span] = []
    start = sentence.start
    words = text[sentence.start : sentence.end]
    for match in re.finditer(r";\s+|,?\s+(?:while|whereas|but)\s+", words):
        end = sentence.start + match.start()
        if end - start > 20:
            pieces.append(Span(start, end))
            start = sentence.start + match.end()
    pieces.append(Span(start, sentence.end))
    return pieces


def _draft_clause(clause: _Clause) -> list[Candidate]:
    found = _twinnings(clause)
    if _is_heading(clause.words):
        return found + _statistics(clause, lists_only=True)
    found += _events(clause) or _hosted_visits(clause)
    concluded = _agreements(clause)
    found += concluded + _awards(clause) + _statistics(clause) + _roles(clause)
    if not any(c.cls in ("CulturalEvent", "SportsEvent", "Plan", "Agreement") for c in found):
        found += _plans(clause)
    # history, programmes and agreements in force leave the plans of a clause as they are:
    # "the proposal to expand the existing programme" states both
    found += ([] if concluded else _agreement_in_force(clause)) + _historical(clause)
    found += _programmes(clause)
    for candidate in found:
        for mention in clause.mentions:
            if mention.iri is None:
                note = f" ({mention.note})" if mention.note else ""
                _need(candidate, f"ambiguous: {mention.text}{note}")
    return found


def _need(candidate: Candidate, need: str) -> None:
    if need not in candidate.needs:
        candidate.needs.append(need)


def _is_heading(words: str) -> bool:
    """A heading or a headline: no closing punctuation, and most words capitalised."""
    if re.search(r"[.!?:”\"]\s*$", words):
        return False
    tokens = [w for w in re.findall(r"[A-Za-z][\w’'-]*", words) if w.lower() not in _PARTICLES]
    return len(tokens) >= 2 and sum(w[0].isupper() for w in tokens) >= 0.6 * len(tokens)


def _without_references(candidates: list[Candidate]) -> list[Candidate]:
    """Drop a plan of unclear status that names again an event drafted as happened ("the
    gala … remains a highlight"), and a named event or plan drafted again from a later
    sentence ("the X Week will be held at …"): references, not new facts. The first keeps a
    note of where the text names it again."""
    events = [c for c in candidates if c.cls in ("CulturalEvent", "SportsEvent")]
    kept: list[Candidate] = []
    named: dict[tuple[str, str], Candidate] = {}
    for index, candidate in enumerate(candidates):
        if _unclear(candidate) and any(_same_event(candidate, event) for event in events):
            continue
        if candidate.definite and _told_before(candidate, candidates[:index]):
            continue
        key = (candidate.cls, _name_of(candidate))
        first = named.get(key)
        if first is not None and first.span != candidate.span:
            _need(first, f"named again at {candidate.span.start}–{candidate.span.end}")
            _dated_again(first, candidate)
            continue
        if key[1]:
            named[key] = candidate
        kept.append(candidate)
    return kept


def _dated_again(first: Candidate, again: Candidate) -> None:
    """A headline names the event, the text dates it ("X Day to be held in Y" … "X Day will be
    held in Y on 8 May"): the first takes the dates of the second, and quotes it too."""
    if any(d.start for d in first.dates) or not any(d.start for d in again.dates):
        return
    if first.status != again.status:
        return
    first.dates = again.dates
    first.also.append(again.span)
    first.needs = [n for n in first.needs if n != "no date"]
    _date_needs(first)


def _told_before(candidate: Candidate, earlier: list[Candidate]) -> bool:
    """ "The exhibition will last until June": an event of this kind was told before."""
    kind = candidate.fields.get("eventType")
    return any(c.fields.get("eventType") == kind and c.span != candidate.span for c in earlier)


def _name_of(candidate: Candidate) -> str:
    """An event's or a plan's own name, or "" when its label only gives its kind."""
    types = candidate.fields.get("eventType")
    if not types or candidate.label.startswith(_type_label(types[0])):
        return ""
    name = re.split(r" in | \d{4}", candidate.label)[0].lower()
    return re.sub(r"^the\s+", "", name)


def _unclear(candidate: Candidate) -> bool:
    return any(n.startswith("status unclear") for n in candidate.needs)


def _same_event(plan: Candidate, event: Candidate) -> bool:
    if not plan.fields.get("eventType") or plan.fields["eventType"] != event.fields.get(
        "eventType"
    ):
        return False
    shared = set(plan.fields.get("location", ())) & set(event.fields.get("location", ()))
    shared |= set(plan.fields.get("participant", ())) & set(event.fields.get("participant", ()))
    generic = _type_label(plan.fields["eventType"][0])
    named = not plan.label.startswith(generic)
    return bool(shared) or (named and plan.label.split(" in ")[0] == event.label.split(" in ")[0])


def _type_label(etype: str) -> str:
    return etype.rsplit("/", 1)[-1].replace("-", " ").capitalize()


# ---------------------------------------------------------------- status


@dataclass(frozen=True)
class _Status:
    status: str  # a status's local name
    cue: str
    confidence: float
    need: str = ""

    @property
    def happened(self) -> bool:
        return self.status == "happened"


def _status(words: str) -> _Status:
    """What a clause says of what it names: that it happened, or only that it is intended."""
    for pattern, status in PLAN_CUES:
        match = pattern.search(words)
        if match:
            return _Status(status, match.group(0), 0.7)
    past = PAST.search(words)
    if past:
        return _Status("happened", past.group(0), 0.75)
    ongoing = ONGOING.search(words)
    if ongoing:
        return _Status("happened", ongoing.group(0), 0.5, "present tense: check it took place")
    modal = MODAL.search(words)
    if modal:
        return _Status("hoped", modal.group(0), 0.35, "status unclear: a modal verb only")
    return _Status("planned", "", 0.25, "status unclear: the text does not say it took place")


def _set_status(candidate: Candidate, status: _Status, happened_class: str) -> None:
    """Give the status; a candidate that did not happen becomes a kg:Plan."""
    candidate.cls = happened_class if status.happened else "Plan"
    candidate.status = str(STATUS[status.status])
    candidate.cue = " / ".join(c for c in (candidate.cue, status.cue) if c)
    candidate.confidence = min(candidate.confidence, status.confidence)
    if status.need:
        _need(candidate, status.need)


def _date_needs(candidate: Candidate) -> None:
    if not candidate.dates:
        _need(candidate, "no date")
    for date in candidate.dates:
        if date.start is None:
            _need(candidate, f"date: “{date.text}”: {date.note}")
        elif date.derived and date.rule != "document-date":
            _need(candidate, f"date: {date.start} by rule:{date.rule} ({date.note})")
        elif date.derived:
            read = date.start + (f" to {date.end}" if date.end else "")
            _need(candidate, f"date: “{date.text}” read as {read} from the document's date")
        elif date.note:
            _need(candidate, f"date: “{date.text}”: {date.note}")


# ---------------------------------------------------------------- events and plans


@dataclass(frozen=True)
class _Trigger:
    start: int
    end: int
    etype: str
    sports: bool = False


def _triggers(clause: _Clause) -> list[_Trigger]:
    base = clause.span.start
    found = [
        _Trigger(base + m.start(), base + m.end(), EVENT_TYPES[int(str(m.lastgroup)[1:])][1])
        for m in _EVENTS.finditer(clause.words)
    ]
    found += [
        _Trigger(base + m.start(), base + m.end(), "competition", True)
        for m in SPORTS.finditer(clause.words)
    ]
    found = [_named_day(clause, t) for t in found]
    found = [t for t in found if t.etype and not _is_reference(clause, t)]
    found = [t for t in found if not _inside_name(clause, t)]
    nouns = {t.etype for t in found if not _is_verb(clause, t)}
    if any(clause.at(t.start, t.end).endswith(" Day") for t in found):
        nouns.add("celebration")  # "X Day was celebrated": one event
    found = [t for t in found if not (_is_verb(clause, t) and t.etype in nouns)]
    return _merge_appositions(clause, sorted(found, key=lambda t: t.start))


def _named_day(clause: _Clause, trigger: _Trigger) -> _Trigger:
    """ "X Day" names an event when it is not "the X Day" and not part of a longer name: the
    days of a place held elsewhere ("<City> Day", culture days) or a celebration ("City Day");
    a trigger with no type ("") is none."""
    if trigger.etype != "day":
        return trigger
    before = clause.at(trigger.start - 30, trigger.start)
    if re.search(r"(?:\bthe|[A-Z][\w’'-]*|[“\"«])\s*$", before):
        return replace(trigger, etype="")
    place = any(
        m.kind in ("city", "country", "region")
        and m.span.start == trigger.start
        and clause.at(m.span.end, trigger.end) == " Day"
        for m in clause.mentions
    )
    return replace(trigger, etype="culture-days" if place else "celebration")


def _is_verb(clause: _Clause, trigger: _Trigger) -> bool:
    """ "performed", "toured", "celebrated": the event told by its verb, not named."""
    return clause.at(trigger.start, trigger.end).lower().endswith("ed")


def _is_reference(clause: _Clause, trigger: _Trigger) -> bool:
    """ "this event", "During the visit," — a reference to an event named elsewhere."""
    before = clause.at(trigger.start - 40, trigger.start)
    copula = r"\b(?:is|was|are|were) (?:not )?(?:merely |only |just )?an? (?:\w+ )?$"
    apposition = r"(?:,|\bthe)\s+(?:an?\s+)?$"  # "X, an event to …", "the event": X again
    if trigger.etype == "other" and re.search(f"{copula}|{apposition}", before, re.IGNORECASE):
        return True  # "it was not just a social event"
    named = clause.at(trigger.end, trigger.end + 4).startswith(" of ")  # "the state visit of X"
    return bool(_REFERENCE.search(before)) and (trigger.etype == "other" or not named)


def _inside_name(clause: _Clause, trigger: _Trigger) -> bool:
    """An event word inside the name of an organisation, a person or a venue."""
    return any(
        m.kind in ("organization", "person", "venue")
        and m.span.start <= trigger.start
        and trigger.end <= m.span.end
        for m in clause.mentions
    )


def _merge_appositions(clause: _Clause, triggers: list[_Trigger]) -> list[_Trigger]:
    """ "the X Days – a festival of … –": one event named twice, kept once."""
    kept: list[_Trigger] = []
    for trigger in triggers:
        between = clause.at(kept[-1].end, trigger.start) if kept else ""
        if kept and re.fullmatch(r"\W*\s*[–—(]\s*(?:a|an|the)?\s*[\w\s]{0,30}", between):
            continue
        # "the EXPO exhibition", "a gala reception for the celebration of X Day": one event,
        # named by its last, most specific word
        chained = re.fullmatch(r"\s*(?:(?:for|of)\s+(?:the\s+)?)?", between)
        same = kept and (
            kept[-1].etype == trigger.etype or "other" in (kept[-1].etype, trigger.etype)
        )
        if chained and same:
            etype = kept[-1].etype if trigger.etype == "other" else trigger.etype
            kept[-1] = replace(trigger, etype=etype)
            continue
        kept.append(trigger)
    return kept


def _events(clause: _Clause) -> list[Candidate]:
    triggers = _triggers(clause)
    if not triggers:
        return []
    status = _status(clause.words)
    if not status.cue and not clause.dates and not clause.kind(*PLACES):
        return []  # a passing mention: the clause states nothing of the event
    found: list[Candidate] = []
    for index, trigger in enumerate(triggers):
        until = triggers[index + 1].start if index + 1 < len(triggers) else clause.span.end
        for dates in _edition_dates(clause, trigger, until):
            found.append(_event(clause, trigger, until, dates, status))
    return found


def _edition_dates(clause: _Clause, trigger: _Trigger, until: int) -> list[list[DateMention]]:
    """The dates of each event a trigger names: one event a year listed after a plural word
    ("five forums (2011, 2015, 2019)"), else the date in its own part of the clause, else the
    last date before it ("On 2 March 2021, … joined the X and the Y")."""
    own = [d for d in clause.dates if trigger.end <= d.span.start < until and d.start]
    years = [d for d in own if d.precision == "year" and not d.end and not d.qualifier]
    if clause.at(trigger.start, trigger.end).lower().endswith("s") and len(years) >= 2:
        return [[d] for d in years]
    earlier = [d for d in clause.dates if d.span.end <= trigger.start and not d.weak]
    if own and own[0].span.start <= trigger.end + 1 and earlier:
        own = own[1:]  # "Culture Week 2022": a year in the name, the dates stated before
    if own and not own[0].weak:
        return [own[:1]]
    if earlier:
        return [earlier[-1:]]
    return [[d for d in clause.dates if d.weak or not d.start][:1]]


def _event(
    clause: _Clause, trigger: _Trigger, until: int, dates: list[DateMention], status: _Status
) -> Candidate:
    etype = trigger.etype
    if etype == "other" and re.search(r"anniversar|\bmark", clause.words, re.IGNORECASE):
        etype = "celebration"  # "an event marking the tenth anniversary"
    places = _places_for(clause, trigger, until)
    cue = clause.at(trigger.start, trigger.end)
    candidate = Candidate("CulturalEvent", clause.span, dates=dates, confidence=0.8, cue=cue)
    if etype == "meeting":  # officials' talks, a forum, a visit: the text does not say
        _need(candidate, "event type: a meeting (talks, forum, visit?): choose it")
    else:
        candidate.add("eventType", str(ETYPE[etype]))
    candidate.add("location", *(m.iri for m in places))
    _countries_and_agents(candidate, clause, places)
    for series in clause.kind("series"):
        near = series.span.start < trigger.end and trigger.start < series.span.end + 40
        if near and not candidate.fields.get("partOfSeries"):
            candidate.add("partOfSeries", series.iri)
    _set_status(candidate, status, "SportsEvent" if trigger.sports else "CulturalEvent")
    name = "" if _is_verb(clause, trigger) else _event_name(clause, trigger)
    candidate.label = _event_label(name, etype, places, dates)
    before = clause.at(trigger.start - 5, trigger.start)
    own = places or any(d.start for d in dates)  # "the premiere … took place in X in May"
    candidate.definite = not (name or own) and bool(re.search(r"\bthe\s+$", before, re.I))
    _date_needs(candidate)
    return candidate


def _places_for(clause: _Clause, trigger: _Trigger, until: int) -> list[Mention]:
    """An event's places: in its own part of the clause, else after it, else before it; a
    country only where the text puts the event in it ("toured Mongolia")."""
    places = [m for m in clause.kind(*PLACES) if not _in_title(clause, m)]
    # "participants were from X": where people come from, not where the event was
    places = [m for m in places if not _introduced(clause, m, r"(?:were|was|are|is|came)\s+from")]
    own = [m for m in places if trigger.end <= m.span.start < until]
    after = [m for m in places if m.span.start >= until]
    before = [m for m in places if m.span.end <= trigger.start and _introduced(clause, m)]
    chosen = own or after[:3] or before[-1:]
    if chosen:
        return chosen
    countries = clause.kind("country")
    where = r"(?:in|(?:visits?|trips?|tours?|trav\w+|delegations?)\s+to|toured|visited)"
    return [m for m in countries if _introduced(clause, m, where)][:1]


def _in_title(clause: _Clause, mention: Mention) -> bool:
    """A place in a person's title ("the consul of X in Y", "Mayor of Y"): not where it was."""
    office = r"ambassador|consul|mayor|governor|akim|envoy|representative|minister|rector"
    words = r"(?:\s+(?:of|the|and|(?-i:[A-Z][\w’'-]*)))*"  # "of the Kyrgyz Republic"
    title = rf"\b(?:{office}){words}\s+(?:of|to|in)\s+(?:the\s+)?$"
    return clause.before_mention(mention, title, reach=70)


def _introduced(clause: _Clause, mention: Mention, words: str = r"(?:in|at|to)") -> bool:
    pattern = rf"\b{words}\s+(?:the\s+)?(?:city\s+of\s+)?$"
    return clause.before_mention(mention, pattern, reach=20)


#: People and bodies a country sends or owns: "a delegation from X", "X’s pavilion".
_PEOPLE = (
    r"(?:delegations?|delegates|representatives?|participants?|ensembles?|artists?|performers?"
    r"|musicians|dancers|singers|actors|teams?|athletes|guests|troupes?|orchestras?|choirs?"
    r"|groups?|companies|students|teachers|scholars|scientists|experts|specialists|doctors"
    r"|writers|poets|filmmakers|officials|designers|craftsmen|artisans|masters|pavilions?)"
)
#: Words before a country that say it takes part: "a delegation from X", "artists of X", "with
#: the participation of X", "co-organised by X", "led by X’s minister".
_TAKES_PART_BEFORE = (
    rf"(?:\b{_PEOPLE}\s+(?:[\w’'-]+\s+)?(?:from|of)"
    r"|\bwith\s+the\s+participation\s+of|\bled\s+by"
    r"|\b(?:co-?)?(?:organi[sz]ed|hosted|sponsored|arranged|held|presented|staged)"
    r"\s+(?:jointly\s+)?by)\s+(?:the\s+)?$"
)
#: Words after a country that say it takes part: its verb ("X took part", "X co-organised",
#: "X proposed", "X will host"), or its people ("Kazakh officials", "X’s delegation").
_TAKES_PART_AFTER = re.compile(
    r"\s+(?:(?:has|have|had|also|jointly)\s+)*(?:took\s+part|takes\s+part|participated"
    r"|participates|joined|co-?organi[sz]ed|organi[sz]ed|co-?hosted|hosted|sent|presented"
    r"|performed|(?:was|were)\s+represented|pledged|proposed|plans|planned|agreed|intends"
    r"|aims|decided|announced|will)\b"
    rf"|(?:’s|'s)?\s+(?:[\w-]+\s+)?{_PEOPLE}\b",
    re.IGNORECASE,
)
#: Between two countries of one list: "X and Y", "X, Y and Z".
_AND = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)")
#: What is shown of a country: "Days of X Culture", "Week of X Cinema", "X Film Days".
_PRESENTED = (
    r"(?:cultures?|cinema|films?|music|arts?|dances?|cuisine|literature|crafts|animation|songs?"
    r"|costumes?|clothes|pavilions?)"
)


def _taking_part(clause: _Clause) -> list[Mention]:
    """The countries the clause says take part (docs/modelling.md: participation is what the
    text states, never every country a sentence names): those a participant cue introduces,
    those whose verb or people follow them, those whose culture is shown, and the others of a
    list that one of them begins or ends."""
    countries = [m for m in clause.kind("country") if not _inside_agent(clause, m)]
    taking = [
        _presented(clause, m)
        or clause.before_mention(m, _TAKES_PART_BEFORE, reach=80)
        or bool(_TAKES_PART_AFTER.match(clause.at(m.span.end, m.span.end + 40)))
        for m in countries
    ]
    # a list shares its cue: "artists from X and Y" (forwards), "X and Y took part" (back)
    for step in (1, -1):
        order = range(1, len(countries)) if step == 1 else range(len(countries) - 2, -1, -1)
        for i in order:
            j = i - step
            first, second = sorted((countries[i], countries[j]), key=lambda m: m.span)
            if taking[j] and _AND.fullmatch(clause.at(first.span.end, second.span.start)):
                taking[i] = True
    return [m for m, took in zip(countries, taking, strict=True) if took]


def _presented(clause: _Clause, country: Mention) -> bool:
    """Whether the clause shows the country's culture ("Days of Culture of X", "a festival of
    X culture", "screenings of X films"): a country takes part in showing its own culture, and
    is not merely where it is shown."""
    after = clause.at(country.span.end, country.span.end + 30)
    if re.match(rf"\s+(?:[\w-]+\s+)?{_PRESENTED}\b", after, re.IGNORECASE):
        return True
    return clause.before_mention(country, rf"\b{_PRESENTED}\s+of\s+(?:the\s+)?$", reach=30)


#: Words naming the two countries of a document about their relations (rule:the-two-countries).
_THE_TWO = _cues(r"""(?:the|our)\s+two\s+countries | both\s+countries | both\s+sides
    | our\s+countries | bilateral | joint | jointly | mutual""")


def _two_countries(mentions: list[Mention]) -> tuple[str, ...]:
    """The two countries whose relations the document reports: the two it names most, when
    each is named at least twice and they are most of the countries it names."""
    counts: dict[str, int] = {}
    for mention in mentions:
        if mention.kind == "country" and mention.iri:
            counts[mention.iri] = counts.get(mention.iri, 0) + 1
    ranked = sorted(counts.items(), key=lambda c: -c[1])
    if len(ranked) < 2 or ranked[1][1] < 2 or (ranked[2:3] and ranked[2][1] == ranked[1][1]):
        return ()
    if 2 * (ranked[0][1] + ranked[1][1]) <= sum(counts.values()):
        return ()
    return ranked[0][0], ranked[1][0]


def _countries_and_agents(candidate: Candidate, clause: _Clause, places: list[Mention]) -> None:
    located = {m.iri for m in places}
    for mention in _taking_part(clause):
        if mention.iri in located:
            continue
        candidate.add("participatingCountry", mention.iri)
        if clause.before_mention(mention, r"(?:representatives?|delegations?) (?:of|from)\s+$"):
            candidate.add("participation/participant", mention.iri)
    if clause.pair and not candidate.fields.get("participatingCountry"):
        if _THE_TWO.search(clause.words):  # "the two countries held …": the document's two
            candidate.add("participatingCountry", *clause.pair)
            candidate.add("derivation/participatingCountry", "the-two-countries")
    for mention in clause.kind("person", "organization"):
        by = r"(?:organi[sz]ed|hosted|arranged|conducted) by\s+(?:the\s+)?$"
        if clause.before_mention(mention, by):
            candidate.add("organizer", mention.iri)
            candidate.add("participation/organiser", mention.iri)
            continue
        candidate.add("participant", mention.iri)
        led = r"led by\s+(?:[\w’'.]+\s+){0,8}$"
        if mention.kind == "person" and clause.before_mention(mention, led):
            candidate.add("participation/delegation-leader", mention.iri)


def _inside_agent(clause: _Clause, mention: Mention) -> bool:
    """A country in a title or a body's name ("Ministry of Education of X"), not a participant."""
    # "the minister of culture of X", "the ambassador of X to Y": the title's words, any case
    office = r"ministry|minister|embassy|ambassador|president|government|consul|mayor"
    pattern = rf"\b(?:{office})(?:\s+of\s+[\w\s]{{1,30}}?)?\s+(?:of|to)\s+(?:the\s+)?$"
    before = clause.at(mention.span.start - 70, mention.span.start)
    return bool(re.search(pattern, before, re.IGNORECASE))


def _event_name(clause: _Clause, trigger: _Trigger) -> str:
    """The event's own name around its trigger word, as the text writes it, or ""."""
    after = clause.at(trigger.end, clause.span.end)
    # a title in quotation marks within a few words: "a concert of folk music “Title”"
    title = r"(?:\s+[\w’'-]+){0,5}?\s*[“\"«]([^”\"»]{2,80})[”\"»]"
    titled = re.match(title, after)
    if titled:
        return titled.group(1)
    start = trigger.start
    head = clause.at(clause.span.start, trigger.start)
    while True:  # capitalised words and quoted names before it: "the “X” International Festival"
        word = re.search(r"([“\"«][^”\"»]{1,60}[”\"»]|[A-Z0-9][\w’'.-]*)\s+$", head)
        if not word or (word.start() == 0 and word.group(1)[0] not in '“"«'):
            break
        head, start = head[: word.start()], clause.span.start + word.start()
    end = trigger.end
    tail = re.match(r"(?:\s+of(?:\s+the)?(?:\s+[A-Z][\w’'-]*)+)+", after)
    if tail:
        end += tail.end()  # "Week of Cinema of X"
    name = clause.at(start, end)
    own = start < trigger.start or end > trigger.end or name[:1].isupper()
    return name if own and len(name.split()) > 1 else ""


def _event_label(name: str, etype: str, places: list[Mention], dates: list[DateMention]) -> str:
    """A short label: the event's name (or its kind), where, and the year(s)."""
    label = name or _type_label(etype)
    where = ", ".join(m.text for m in places[:3])
    if where and where not in label:
        label += f" in {where}"
    years = sorted({y for d in dates for y in d.years})
    if years and str(years[0]) not in label:
        label += f" {years[0]}" + (f"–{years[-1]}" if len(years) > 1 else "")
    return label


def _hosted_visits(clause: _Clause) -> list[Candidate]:
    """ "X hosted Y": a visit of each guest named after the verb."""
    verb = re.search(r"\b(?:hosted|welcomed)\b", clause.words)
    if not verb:
        return []
    at = clause.span.start + verb.end()
    hosts = [m for m in clause.kind("country", *PLACES) if m.span.end <= at and m.iri][:1]
    found = []
    for guest in [m for m in clause.kind("person") if m.span.start >= at]:
        candidate = Candidate("CulturalEvent", clause.span, confidence=0.6, cue=verb.group(0))
        candidate.add("eventType", str(ETYPE["visit"]))
        candidate.add("location", *(m.iri for m in hosts))
        candidate.add("participant", guest.iri)
        candidate.add("participation/guest", guest.iri)
        candidate.add("participation/host", *(m.iri for m in hosts))
        candidate.dates = _dates_of(clause, guest)
        _set_status(candidate, _status(clause.words), "CulturalEvent")
        years = sorted({y for d in candidate.dates for y in d.years})
        where = f" to {hosts[0].text}" if hosts else ""
        candidate.label = f"Visit of {guest.text}{where}" + "".join(f" {y}" for y in years[:1])
        _date_needs(candidate)
        found.append(candidate)
    return found


#: A cue of intention and what is intended: "plans to create a zone", "pledged to achieve".
_PLAN_OBJECT = re.compile(
    r"\b(?:plans? (?:was |were )?(?:announced )?to|planned to|planning to|propos(?:ed|al|als) to"
    r"|agreed to|intends? to|intended to|aims? to|pledged? to|decided to|hop(?:e|es|ed|ing) to"
    r"|potential to|need to|wish(?:es)? to|(?:was|were) reached to"
    r"|will (?:\w+ly )?(?:establish|create|open|build|launch|introduce|set up|expand|develop))\s+"
    r"(?!(?:be|become|remain|have|seem|grow|continue)\b)(?P<what>[^.;:!?]{3,160})",
    re.IGNORECASE,
)
#: Hopes that need no "to": "a desirable outcome", "hopefully", "we wish".
_HOPE = _cues(r"""desirable | fingers\s+crossed | hopefully | we\s+wish | dreams?\s+(?:of|that)
    | hop(?:e|es|ed)\s+that""")


def _plans(clause: _Clause) -> list[Candidate]:
    """A plan that is not an event: intended, proposed or hoped for ("plans to create …")."""
    words = clause.words
    intended, hope = _PLAN_OBJECT.search(words), _HOPE.search(words)
    cue = intended or hope
    if cue is None:
        return []
    status = _status(words)
    if status.happened:  # the cue's own status: "plans have been announced …" is past, a plan
        status = _Status("hoped" if hope else "planned", cue.group(0), 0.4)
    first = min((m for m in (intended, hope) if m is not None), key=lambda m: m.start())
    # "we hope that X": X is what is hoped; "plans to create X": X is what is intended
    what = first.group("what") if first is intended else words[first.end() :]
    candidate = Candidate("Plan", clause.span, dates=clause.stated_dates(), confidence=0.6)
    _countries_and_agents(candidate, clause, [])
    places = [m for m in clause.kind(*PLACES) if _introduced(clause, m)]
    candidate.add("location", *(m.iri for m in places if not _in_title(clause, m)))
    _set_status(candidate, status, "Plan")
    candidate.label = _short(what) or _short(words)
    _date_needs(candidate)
    return [candidate]


def _short(words: str, limit: int = 10) -> str:
    """The first words of a phrase, up to a comma or ``limit`` words, as a label."""
    words = re.sub(r"^\W*(?:that|thing|is|must be|would be)\b\s*", "", words.strip())
    head = re.split(r",|\s+(?:in order to|so that|which|who|because)\s+", words)[0].split()
    return _capital(" ".join(head[:limit]).strip(" “”\"'.!?;:"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- agreements


#: An agreement still to be concluded: "to sign", "of signing", "on the way to concluding".
_TO_CONCLUDE = _cues(r"""(?:possibility|need|necessity|readiness|ready|prospects?|way)\s+
    (?:to|of|for)\s+(?:sign|conclud|adopt|ratif)\w*
    | to\s+(?:sign|conclude|adopt|ratify)\s+(?!on\b)""")


def _agreements(clause: _Clause) -> list[Candidate]:
    """An agreement signed, concluded or adopted (one a clause: the others are its parts)."""
    words = clause.words
    concluded = CONCLUDED.search(words)
    if not concluded:
        return []
    for match in _AGREEMENTS.finditer(words):
        if re.search(r"\d[\d,]*\s+(?:\w+\s+){0,2}$", words[: match.start()]):
            continue  # "12 interstate treaties": a count, a statistic
        atype = AGREEMENT_TYPES[int(str(match.lastgroup)[1:])][1]
        candidate = Candidate(
            "Agreement", clause.span, dates=clause.stated_dates(), confidence=0.75
        )
        candidate.cue = concluded.group(0)
        candidate.add("agreementType", ATYPE + atype)
        for mention in clause.kind("country", "organization", "region", "city"):
            if mention.kind in ("country", "organization") or not _introduced(clause, mention):
                candidate.add("party", mention.iri)
        candidate.add("signatory", *(m.iri for m in clause.kind("person")))
        status = _status(words)
        if status.happened and _TO_CONCLUDE.search(words):
            # "discussed the possibility to sign", "noted the need to conclude": the signing
            # is still ahead, whatever the reporting verb's tense
            status = _Status("proposed", concluded.group(0), 0.5, "status: to be concluded?")
        _set_status(candidate, status, "Agreement")
        if not candidate.fields.get("party"):
            who = "who concluded it?" if status.happened else "who is to conclude it?"
            _need(candidate, f"no party named: {who}")
        if not status.happened and candidate.fields.get("signatory"):
            # no one has signed what is still to be concluded: the person may only propose it
            people = ", ".join(m.text for m in clause.kind("person"))
            del candidate.fields["signatory"]
            _need(candidate, f"people named: {people}: who proposes it, who is to sign?")
        name = _phrase_after(words, match.start(), match.end())
        parties = [m.text for m in clause.kind("country") if m.iri][:2]
        shown = parties and not any(p in name for p in parties)
        candidate.label = _capital(name) + (f" ({' – '.join(parties)})" if shown else "")
        _date_needs(candidate)
        return [candidate]
    return []


def _phrase_after(words: str, start: int, end: int, limit: int = 12) -> str:
    """A noun and what qualifies it ("Joint Declaration on closer ties in …")."""
    rest = re.match(r"(?:\s+(?:on|of|between|for|in the field of)\s+[^,.;:()]+)?", words[end:])
    phrase = words[start : end + (rest.end() if rest else 0)]
    return " ".join(phrase.split()[:limit])


# ---------------------------------------------------------------- historical events

#: The establishment of diplomatic relations, told by its noun or its verb.
_RELATIONS = _cues(r"""(?:establish(?:ment|ed|ing)?|opening|start)\s+(?:of\s+)?
        (?:(?:full|formal|official|bilateral)\s+)?diplomatic\s+relations
    | diplomatic\s+relations\s+(?:\w+\s+){0,6}?(?:were|was|have\s+been|had\s+been)\s+
        (?:formally\s+|officially\s+)?established""")
#: Disasters: history, not cultural cooperation (docs/modelling.md).
_DISASTERS = _cues(r"""(?:nuclear\s+)?disasters? | (?:nuclear\s+)?catastrophes? | earthquakes?
    | tsunamis? | floods? | famines? | droughts? | atomic\s+bombings? | nuclear\s+accidents?""")
#: Words that make a disaster word a field of work, not a disaster that struck.
_NOT_A_DISASTER = re.compile(
    r"\s+(?:risks?|prevention|preparedness|management|relief|reduction|response|resilience"
    r"|mitigation|insurance|monitoring|drills?|protection)\b"
    r"|-(?:proof|resistant|resilient)\b",
    re.IGNORECASE,
)
#: Words just before it that presuppose it took place: "the 30th anniversary of", "since".
_PRESUPPOSED = re.compile(
    r"\b(?:anniversary|history|memory|victims|survivors|aftermath|consequences|legacy|years)"
    r"\s+of\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,2}$"
    r"|\b(?:since|after|following|before|predat\w+)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
#: "the 30th anniversary of": N, for rule:anniversary.
_ANNIVERSARY = re.compile(
    r"\b(?P<n>\d{1,3})(?:st|nd|rd|th)\s+anniversary\s+of\s+(?:the\s+)?$", re.IGNORECASE
)


def _historical(clause: _Clause) -> list[Candidate]:
    """The establishment of diplomatic relations and disasters, which the text tells as
    history (kg:HistoricalEvent, always happened): drafted only where it says they took
    place; one that is only intended ("plan to establish relations") is left to the plans."""
    found: list[Candidate] = []
    for pattern, etype in ((_RELATIONS, "diplomatic-relations"), (_DISASTERS, "disaster")):
        for match in pattern.finditer(clause.words):
            if etype == "disaster" and _not_a_disaster(match, clause.words[match.end() :]):
                continue
            candidate = _historical_event(clause, match, etype)
            if candidate is not None:
                found.append(candidate)
                break  # one a kind a clause: "disasters in X and Y" is one history
    return found


def _not_a_disaster(match: re.Match[str], rest: str) -> bool:
    """ "disaster prevention", "earthquake-resistant", "a flood of visitors" (a great many)."""
    many = match.group(0).lower().startswith("flood") and re.match(r"\s+of\b", rest)
    return bool(many or _NOT_A_DISASTER.match(rest))


def _historical_event(clause: _Clause, match: re.Match[str], etype: str) -> Candidate | None:
    before = clause.words[: match.start()]
    status = _status(clause.words)
    presupposed = bool(_PRESUPPOSED.search(before))
    if presupposed:
        status = _Status("happened", "history", 0.7)
    elif not status.happened:
        unclear = status.need.startswith("status unclear: the text does not say")
        if not (unclear and clause.stated_dates()):
            return None  # intended, hoped, or neither dated nor told as past
        status = _Status("happened", "a date of the past", 0.5, "no verb: check it took place")
    start, end = clause.span.start + match.start(), clause.span.start + match.end()
    candidate = Candidate("HistoricalEvent", clause.span, confidence=0.7, cue=match.group(0))
    candidate.add("eventType", str(ETYPE[etype]))
    _set_status(candidate, status, "HistoricalEvent")
    candidate.dates = _historical_dates(clause, before, end)
    countries = [m for m in clause.kind("country") if not _inside_agent(clause, m)]
    if etype == "disaster":
        places = [m for m in clause.kind(*PLACES) if m.span.start >= start]
        candidate.add("location", *(m.iri for m in places))
        countries = [m for m in countries if _introduced(clause, m, r"(?:in|of|struck|hit)")]
        name, where = _capital(match.group(0)), places
    else:
        name, where = "Establishment of diplomatic relations", []
        if countries:
            name += " between " + " and ".join(m.text for m in countries[:2])
    candidate.add("participatingCountry", *(m.iri for m in countries[:2]))
    candidate.label = _event_label(name, etype, where, candidate.dates)
    _date_needs(candidate)
    return candidate


def _historical_dates(clause: _Clause, before: str, end: int) -> list[DateMention]:
    """Its own date ("established in 1993"); for "the Nth anniversary of it … in Y", Y − N
    (rule:anniversary); else the clause's one stated date, if it has only one."""
    stated = [d for d in clause.dates if d.start and not d.weak and not d.derived]
    anniversary = _ANNIVERSARY.search(before)
    if anniversary:
        if not stated:
            return []
        year = stated[0].years[0] - int(anniversary.group("n"))
        note = f"the {anniversary.group(0).split()[0]} anniversary in {stated[0].years[0]}"
        return [
            DateMention(
                stated[0].span,
                stated[0].text,
                str(year),
                derived=True,
                note=note + f": {year}; name the fact dated {stated[0].years[0]}",
                rule="anniversary",
            )
        ]
    own = [d for d in stated if 0 <= d.span.start - end <= 40]
    if own:
        return own[:1]
    return stated if len(stated) == 1 else []


# ---------------------------------------------------------------- programmes

#: "the programmes of X", "a grant programme funded by X": a programme and who runs it.
_PROGRAMME_OF = re.compile(
    r"\bprogram(?:me)?s?\s+(?:(?:of|run\s+by|organi[sz]ed\s+by|implemented\s+by|conducted\s+by"
    r"|operated\s+by)|(?P<funded>funded\s+by|financed\s+by|sponsored\s+by))\s+(?:the\s+)?$",
    re.IGNORECASE,
)
#: "X funds a … programme", "X runs programmes": who runs or funds it, before it.
_RUNS_PROGRAMME = re.compile(
    r"^\s+(?:(?P<funds>funds|finances|sponsors|funded|financed|sponsored)|runs|operates|conducts"
    r"|implements|organi[sz]es|ran|operated|conducted|implemented|organi[sz]ed)\s+"
    r"(?:(?:a|an|the|its|their|several|various|numerous)\s+)?(?:[\w-]+\s+){0,4}?program(?:me)?s?\b",
    re.IGNORECASE,
)
#: Between two bodies of one list: ", ", " and ", a bracketed full name, "the".
_LIST_GAP = re.compile(r"\s*(?:\([^()]{0,80}\)\s*)?(?:,\s*(?:and\s+)?|\s*and\s+)(?:the\s+)?")
#: A programme's own name: "The X Y Programme", "the “X” program".
_PROGRAMME_NAME = re.compile(
    r"(?:[“\"«](?P<quoted>[^”\"»]{2,60})[”\"»]\s+program(?:me)?"
    r"|(?P<name>(?:[A-Z][\w’'-]*\s+){1,6}Program(?:me)?))\b"
)


def _programmes(clause: _Clause) -> list[Candidate]:
    """A programme of one organisation (kg:Programme, never an agreement: no kg:party), one
    a body that the clause says runs or funds programmes; an intended one is left to plans."""
    status = _status(clause.words)
    if not status.happened:
        if not status.need.startswith("status unclear: the text does not say"):
            return []  # "will launch a programme": a plan, not a programme that runs
        status = _Status("happened", "programme", 0.5, "present tense: check the programme runs")
    found: list[Candidate] = []
    for body, role in _programme_bodies(clause):
        candidate = Candidate("Programme", clause.span, confidence=0.6, cue="programme")
        candidate.add(f"participation/{role}", body.iri)
        candidate.dates = clause.stated_dates()
        _set_status(candidate, status, "Programme")
        candidate.label = _programme_label(clause, body)
        found.append(candidate)
    return found


def _programme_bodies(clause: _Clause) -> list[tuple[Mention, str]]:
    """The organisations a programme word names as running ("organiser") or funding it."""
    bodies: list[tuple[Mention, str]] = []
    organisations = clause.kind("organization")
    for index, body in enumerate(organisations):
        before = clause.at(clause.span.start, body.span.start)
        of = _PROGRAMME_OF.search(before[-160:])
        runs = _RUNS_PROGRAMME.match(clause.at(body.span.end, clause.span.end))
        grant = re.search(r"\bgrant\b[^.;]{0,40}$", before, re.IGNORECASE)
        if of or runs:
            funds = (of and of.group("funded")) or (runs and runs.group("funds")) or grant
            bodies.append((body, "funder" if funds else "organiser"))
        elif bodies and index and organisations[index - 1] is bodies[-1][0]:
            gap = clause.at(bodies[-1][0].span.end, body.span.start)
            if _LIST_GAP.fullmatch(gap):  # "programmes of X, Y and Z"
                bodies.append((body, bodies[-1][1]))
    once: dict[str, tuple[Mention, str]] = {}  # a body's full name in brackets: one body
    for body, role in bodies:
        if body.iri:
            once.setdefault(body.iri, (body, role))
    return list(once.values())


def _programme_label(clause: _Clause, body: Mention) -> str:
    """Its own name when the clause gives one before the organisation, else "Programmes of X"."""
    named = _PROGRAMME_NAME.search(clause.at(clause.span.start, body.span.start))
    if named:
        name = (named.group("quoted") and named.group(0)) or named.group("name")
        return re.sub(r"^(?:The|A|An)\s+", "", name.strip())
    noun = re.search(r"\bprogram(?:me)?s?\b", clause.words, re.IGNORECASE)
    word = noun.group(0).lower() if noun else "programmes"
    return f"{_capital(word if word.endswith('s') else word + 's')} of {body.text}"


# ---------------------------------------------------------------- agreements in force

#: Words before an agreement word that say it is in force: "under the memorandum".
_IN_FORCE_BEFORE = re.compile(
    r"\b(?:under|in\s+accordance\s+with|within\s+the\s+framework\s+of|pursuant\s+to|in\s+line"
    r"\s+with|in\s+keeping\s+with|(?:jointly\s+)?implemented|existing|ongoing|current)"
    r"\s+(?:(?:the|a|an|this|that|its|their|our)\s+)?(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)
#: Words after it (and what qualifies it) that say it is in force: "the agreement … provides".
_IN_FORCE_AFTER = re.compile(
    r"[^.;:!?]{0,120}?\b(?:provides?|stipulates?|envisages?|covers?|spans?|includes?"
    r"|sets?\s+out|establish(?:es)?|(?:is|are|remains?)\s+in\s+force"
    r"|(?:entered|enters|came|comes)\s+into\s+force"
    r"|(?:is|are|has\s+been|have\s+been)\s+(?:being\s+)?(?:implemented|carried\s+out))\b",
    re.IGNORECASE,
)
_IN_FORCE_VERB = (
    r"\s+(?:provides?|stipulates?|envisages?|covers?|spans?|includes?|sets?\s+out|establish"
    r"|is|are|remains?|entered|enters|came|comes|has|have)\b"
)
#: Words that make it not yet concluded: "a draft agreement", "negotiations on a treaty".
_NOT_CONCLUDED = re.compile(
    r"\b(?:draft|proposed|possible|future|new|planned|prospective|negotiat\w+|discuss\w+"
    r"|prepar\w+)\s+(?:(?:on|of|for|the|a|an)\s+)*(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
#: "in partnership with X", "joint projects with X": the partners of a joint programme.
_PARTNER = (
    r"\b(?:partnership|together|jointly|cooperation|projects?|programs?|programmes?)\s+with\s+"
    r"(?:[^,.;]{0,80}?,\s*|[^,.;]{0,80}?\s+and\s+)?(?:the\s+)?$"
)


def _agreement_in_force(clause: _Clause) -> list[Candidate]:
    """An agreement the text cites as in force, without a signing verb: "under the memorandum
    between X and Y", "the agreement on … provides", "joint projects with X … cover"; what is
    drafted, negotiated, or only intended is not one."""
    words = clause.words
    for match in _AGREEMENTS.finditer(words):
        before, after = words[: match.start()], words[match.end() :]
        if _NOT_CONCLUDED.search(before) or re.search(r"\d[\d,]*\s+(?:\w+\s+){0,2}$", before):
            continue
        verb = _IN_FORCE_AFTER.match(after)
        existing = _existing(before, match)
        if not (existing or verb or _IN_FORCE_BEFORE.search(before)):
            continue
        status = _status(words)
        if not status.happened:
            if not (existing or status.need.startswith("status unclear: the text does not")):
                return []  # "will be implemented under the agreement": a plan's business
            status = _Status("happened", "in force", 0.5, "cited as in force: check it")
        # the name stops where the verb saying it is in force begins
        named = words[: match.end() + (verb.end() if verb else len(after))]
        name = _phrase_after(named, match.start(), match.end())
        name = re.sub(_IN_FORCE_VERB + r".*$", "", name, flags=re.IGNORECASE).strip()
        atype = AGREEMENT_TYPES[int(str(match.lastgroup)[1:])][1]
        return [_agreement_candidate(clause, match, atype, name, status)]
    return []


def _existing(before: str, match: re.Match[str]) -> bool:
    """ "the jointly implemented X programme", "the existing agreement": it exists, whatever
    else the clause intends for it (to expand it, to renew it)."""
    attributive = r"\b(?:implemented|existing|ongoing|current)\s+(?:[“\"«][^”\"»]*[”\"»]\s+)?$"
    return bool(
        re.search(attributive, before) or re.match(r"jointly\s+implemented", match.group(0), re.I)
    )


def _agreement_candidate(
    clause: _Clause, match: re.Match[str], atype: str, name: str, status: _Status
) -> Candidate:
    candidate = Candidate("Agreement", clause.span, dates=clause.stated_dates(), confidence=0.6)
    candidate.cue = match.group(0)
    candidate.add("agreementType", ATYPE + atype)
    for mention in clause.kind("country", "organization"):
        if _inside_agent(clause, mention):
            continue
        candidate.add("party", mention.iri)
        if clause.before_mention(mention, _PARTNER, reach=160):
            candidate.add("participation/partner", mention.iri)
    if not candidate.fields.get("party"):
        _need(candidate, "no party named: who concluded it?")
    _set_status(candidate, status, "Agreement")
    quoted = re.search(
        r"[“\"«]([^”\"»]{2,80})[”\"»]",
        clause.at(clause.span.start + match.start() - 60, clause.span.end),
    )
    label = _capital(name)
    if atype == "programme" and quoted:
        label = quoted.group(1)
    parties = [m.text for m in clause.kind("country") if m.iri][:2]
    shown = parties and not any(p in label for p in parties)
    candidate.label = label + (f" ({' – '.join(parties)})" if shown else "")
    _date_needs(candidate)
    return candidate


# ---------------------------------------------------------------- twinnings


def _twinnings(clause: _Clause) -> list[Candidate]:
    """Two places joined as sister cities or regions, in a sentence or in a list line
    ("A – B (2019)") that a sentence about such ties introduces."""
    places = [m for m in clause.kind("city", "region") if m.iri or m.candidates]
    listed = _list_item(clause, places)
    if len(places) != 2 or not (listed or TWINNING.search(clause.words)):
        return []
    countries = {m.extra.get("country") for m in places}
    if None not in countries and len(countries) == 1:
        return []  # two places of one country: not a twinning
    label = f"{places[0].text} – {places[1].text}"
    candidate = Candidate("CityTwinning", clause.span, label, confidence=0.75, cue="twinning")
    candidate.add("twinnedPlace", *(m.iri for m in places))
    candidate.dates = clause.stated_dates()
    if None in countries:
        _need(candidate, "check that the two places are in different countries")
    status = _Status("happened", "a list of twinnings", 0.7) if listed else _status(clause.words)
    _set_status(candidate, status, "CityTwinning")
    _date_needs(candidate)
    return [candidate]


def _list_item(clause: _Clause, places: list[Mention]) -> bool:
    if len(places) != 2:
        return False
    if not re.fullmatch(r"\s*[–—-]\s*", clause.at(places[0].span.end, places[1].span.start)):
        return False
    if not re.fullmatch(r"\s*(?:\(\s*\d{4}\s*\))?\s*\.?", clause.at(places[1].span.end, 10**9)):
        return False
    return any(TWINNING.search(clause.text[s.start : s.end]) for s in clause.before)


# ---------------------------------------------------------------- awards


def _awards(clause: _Clause) -> list[Candidate]:
    """An honour conferred: one award a recipient named in the clause."""
    words = clause.words
    cue, noun = AWARD_CUES.search(words), AWARD_NOUNS.search(words)
    if not cue or not noun:
        return []
    honorary = re.search(r"honorary|goodwill|culture", noun.group(0), re.IGNORECASE)
    if cue.group(0).lower() == "appointed" and not honorary:
        return []  # an appointment to an office is a role, not an honour
    name = _award_name(words, noun)
    by = r"\bby\s+(?:[\w’'.]+\s+){0,2}$"
    persons = [m for m in clause.kind("person") if not clause.before_mention(m, by)]
    givers = [
        m for m in clause.kind("person", "organization") if m not in persons or m.text in name
    ]
    # "winner of" states a fact even in a sentence about plans; else the tense says
    winner = noun.group(0).lower().startswith("winner")
    status = _Status("happened", noun.group(0), 0.7) if winner else _status(words)
    recipients: list[Mention | None] = list(persons) or [None]
    return [_award(clause, cue.group(0), name, person, givers, status) for person in recipients]


def _award(
    clause: _Clause,
    cue: str,
    name: str,
    person: Mention | None,
    givers: list[Mention],
    status: _Status,
) -> Candidate:
    candidate = Candidate("Award", clause.span, confidence=0.7, cue=cue)
    candidate.add("awardName", name)
    candidate.add("recipient", person.iri if person else None)
    if person is None:
        _need(candidate, "no recipient named in the sentence: who received it?")
    candidate.add("conferredBy", *(m.iri for m in givers if m is not person))
    reason = re.search(r"\bfor (?:his|her|their|its) [^.;]+", clause.words)
    candidate.add("reason", reason.group(0).strip() if reason else None)
    candidate.dates = _dates_of(clause, person)
    _set_status(candidate, status, "Award")
    candidate.label = f"{name} for {person.text if person else '?'}"
    _date_needs(candidate)
    return candidate


def _award_name(words: str, noun: re.Match[str]) -> str:
    """The honour as the text names it: "the Medal of X", "the title of Honorary Professor of
    Y" (the title itself), "winner of the Z competition"."""
    if noun.group(0).lower().startswith("winner"):
        rest = re.match(r"[^,.;]*?[”\"»]|[^,.;]*", words[noun.end() :])
        return (noun.group(0) + (rest.group(0) if rest else "")).strip()
    start, end = noun.start(), noun.end()
    title = re.match(r"\s+of\s+", words[end:])
    if noun.group(0).lower() in ("title", "titles") and title:
        start = end = end + title.end()
    else:
        while True:  # the capitalised words before it ("Grand (Audience) Prize")
            word = re.search(r"(\([^()]{1,40}\)|[A-Z][\w’'-]*)\s+$", words[:start])
            if not word:
                break
            start = word.start()
    tail = re.match(
        r"(?:(?:\s+(?:of|the|and|de))*,?\s*(?:[A-Z][\w’'-]*|\([^()]{1,40}\)))+", words[end:]
    )
    if tail:
        end += tail.end()
    return _capital(words[start:end].strip(" ,"))


def _dates_of(clause: _Clause, person: Mention | None) -> list[DateMention]:
    """A person's own date in brackets after the name ("X (2016) and Y (2017)"), else the
    clause's first stated date."""
    return _bracketed(clause, person) or clause.stated_dates()


def _bracketed(clause: _Clause, person: Mention | None) -> list[DateMention]:
    """The date in brackets after a person's name ("X (2016)"), if there is one."""
    if person is None:
        return []
    bracket = re.match(r"\s*\(([^)]*)\)", clause.at(person.span.end, person.span.end + 30))
    if not bracket:
        return []
    end = person.span.end + bracket.end()
    return [d for d in clause.dates if person.span.end < d.span.start < end][:1]


def _planning(words: str) -> bool:
    """Whether a clause states an intention (a cue of PLAN_CUES)."""
    return any(pattern.search(words) for pattern, _ in PLAN_CUES)


# ---------------------------------------------------------------- statistics


def _statistics(clause: _Clause, lists_only: bool = False) -> list[Candidate]:
    """The numbers a clause states as figures: counts, amounts, percentages, ratios."""
    listed = _LIST_COUNT.match(clause.words)
    if listed:
        return [_list_statistic(clause, listed)]
    if lists_only:
        return []
    found: list[Candidate] = []
    quoted = [m.span() for m in re.finditer(r"[“\"«][^”\"»]*[”\"»]", clause.words)]
    for match in _AMOUNT.finditer(clause.words):
        at = clause.span.start + match.start("num")
        if any(d.span.start <= at < d.span.end for d in clause.dates):
            continue  # a year
        if any(a <= match.start() < b for a, b in quoted):
            continue  # a number in a title ("100 Nights of Rain")
        candidate = _statistic(clause, match)
        if candidate is not None:
            found.append(candidate)
    found += [_fraction(clause, match) for match in _FOLD.finditer(clause.words)]
    return found


def _statistic(clause: _Clause, match: re.Match[str]) -> Candidate | None:
    value = _number(match.group("num"))
    if value is None or not _is_figure(clause.words, match, value):
        return None
    unit, code = _unit(match)
    measure = _counted(clause.words, match) if unit is None else ""
    if unit is None and not measure:
        return None
    start, end = clause.span.start + match.start(), clause.span.start + match.end()
    candidate = Candidate("Statistic", clause.span, confidence=0.7, cue=clause.at(start, end))
    scale = SCALES.get((match.group("scale") or "").lower(), 1)
    scale = {"K": 10**3, "M": 10**6, "B": 10**9}.get(match.group("abbr") or "", scale)
    candidate.add("value", format((value * scale).normalize(), "f"))
    candidate.add("unitOfMeasure", UNIT + unit if unit else None)
    if code and code != "USD":
        _need(candidate, f"unit: unit:{unit} is not described in the ontology yet")
    before = clause.words[: match.start()]
    if MORE_THAN.search(before):
        candidate.add("qualifier", QUAL + "more-than")
    elif ABOUT.search(before):
        candidate.add("qualifier", QUAL + "approximately")
    measure = measure or _measure_before(before) or ("percent" if unit == "PERCENT" else "amount")
    _measure(candidate, measure, vague=measure in ("of them", "of those"))
    candidate.add("about", *(m.iri for m in clause.kind("country")))
    candidate.dates = clause.stated_dates()
    year = f" ({candidate.dates[0].text})" if candidate.dates else ""
    candidate.label = f"{_capital(measure)}: {clause.at(start, end).strip()}{year}"
    return candidate


def _is_figure(words: str, match: re.Match[str], value: Decimal) -> bool:
    """Not "the two countries", "over the past ten years", "one and the same"."""
    before = words[: match.start()]
    spelled = not match.group("num")[0].isdigit()
    if re.search(r"\b(?:past|next|coming|recent|first|last)\s+$", before, re.IGNORECASE):
        return False
    definite = r"\b(?:the|these|those|our|its|their|his|her|every|each)\s+$"
    if spelled and re.search(definite, before, re.IGNORECASE):
        return False
    return not (spelled and value < 5 and not match.group("scale"))


def _counted(words: str, match: re.Match[str]) -> str:
    """What a bare number counts ("3,150 pupils", "12 times"), or "" for no figure."""
    if (match.group("unit") or "").lower() == "times":
        return "times"
    after = words[match.end() :]
    counted = _COUNTED.match(after)
    if counted is None or re.match(r"\s*(?:ago|old|later|earlier|long)\b", after[counted.end() :]):
        return ""
    noun = counted.group("np").strip()
    return "" if set(noun.lower().split()) & _NOT_COUNTED else noun


def _list_statistic(clause: _Clause, listed: re.Match[str]) -> Candidate:
    value = listed.group("num").replace(",", "")
    label = f"{listed.group('name')}: {value}"
    candidate = Candidate("Statistic", clause.span, label, confidence=0.4, cue=listed.group(0))
    candidate.add("value", value)
    candidate.add("about", *(m.iri for m in clause.mentions))
    _measure(candidate, "", vague=True)
    return candidate


def _fraction(clause: _Clause, match: re.Match[str]) -> Candidate:
    """ "a threefold rise": the ratio itself (unit:FRACTION)."""
    number = match.group("num").lower()
    value = FOLD.get(number) or int(number.split("-")[0])
    candidate = Candidate("Statistic", clause.span, confidence=0.6, cue=match.group(0))
    candidate.add("value", str(value))
    candidate.add("unitOfMeasure", UNIT + "FRACTION")
    if ABOUT.search(clause.words[: match.start()]):
        candidate.add("qualifier", QUAL + "approximately")
    after = re.match(r"\s+(increase|growth|rise|decrease|drop)", clause.words[match.end() :])
    measure = after.group(1) if after else "growth factor"
    _measure(candidate, measure, vague=False)
    candidate.dates = clause.stated_dates()
    candidate.label = f"{_capital(measure)}: {match.group(0)}"
    return candidate


def _measure(candidate: Candidate, measure: str, vague: bool) -> None:
    slug = re.sub(r"[^a-z0-9]+", "-", measure.lower()).strip("-")
    if vague or not slug:
        _need(candidate, "what is counted? name the measure")
        slug = slug or "count"
    candidate.add("measure", MEASURE + slug)
    candidate.add("measureLabel", measure or "count")
    _need(candidate, f"measure: check measure:{slug} (“{measure or 'count'}”)")


def _measure_before(before: str) -> str:
    """The noun an amount is of: "trade turnover of $3 million", "investments exceeding …"."""
    linking = r"""of|totall?ing|worth|amounting\s+to|exceeding|reached|at|is|was|were|are
        |more\s+than|over|about|approximately|nearly|some|around|up\s+to|an\s+estimated|\("""
    trimmed = re.sub(rf"(?:\s*(?:\b|(?=\())(?:{linking}))+\s*$", "", before, flags=re.I | re.X)
    if trimmed == before:
        return ""  # no "of", "worth", "totalling" … links the amount to a noun
    kept: list[str] = []
    for word in reversed(re.findall(r"[A-Za-z][\w’'-]*", trimmed[-60:])):
        if word.lower() in _FUNCTION or PAST.fullmatch(word) or len(kept) == 3:
            break
        kept.insert(0, word)
    return " ".join(kept).lower()


def _number(text: str) -> Decimal | None:
    """A number written in digits ("31,000", "4.7") or in words ("three hundred and twenty")."""
    if text[0].isdigit():
        return Decimal(text.replace(",", ""))
    total, current = 0, 0
    for word in re.split(r"[- ]+", text.lower()):
        if word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        elif word == "hundred":
            current *= 100
        elif word in SCALES:
            total, current = total + current * SCALES[word], 0
    return Decimal(total + current) if total + current else None


def _unit(match: re.Match[str]) -> tuple[str | None, str | None]:
    """The QUDT unit of an amount, and its ISO 4217 code for a currency (checked with pycountry)."""
    sign = (match.group("sign") or "").strip().lower()
    unit = (match.group("unit") or "").strip().lower()
    if unit in ("%", "percent", "per cent"):
        return "PERCENT", None
    ratio = r"\s*(?:\w+\s+)?(?:increase|growth|higher|more|larger|rise)"
    if unit == "times" and re.match(ratio, match.string[match.end() :]):
        return "FRACTION", None
    code = CURRENCY_SIGNS.get(sign) or CURRENCY_WORDS.get(unit) or sign.upper()
    if code and pycountry.currencies.get(alpha_3=code):
        return f"CCY_{code}", code
    return None, None


# ---------------------------------------------------------------- roles


def _roles(clause: _Clause) -> list[Candidate]:
    """A person's title as the clause states it ("X, the ambassador of Y to Z")."""
    found: list[Candidate] = []
    for person in clause.kind("person"):
        title = _title_inside(person) or _title_before(clause, person)
        title = title or _title_after(clause, person)
        role = _role_name(clause.at(*title)) if title else ""
        if not title or not role:
            continue
        candidate = Candidate("Role", clause.span, f"{person.text}: {role}", confidence=0.65)
        candidate.cue = role
        candidate.add("person", person.iri)
        candidate.add("roleName", role)
        inside = [m for m in clause.mentions if title[0] <= m.span.start < title[1]]
        candidate.add("roleIn", *[m.iri for m in inside if m is not person][:1])
        own = _bracketed(clause, person)
        candidate.dates = [_held_at(d) for d in own or clause.stated_dates() if not d.derived]
        if candidate.dates and not own and _planning(clause.words):
            # "Mayor X said the festival will be held in 2027": 2027 dates the plan, not her title
            candidate.dates = []
            _need(candidate, "undated: the sentence's date is of a plan, not of the title")
        if person.iri is None:
            _need(candidate, f"ambiguous person: {person.text}")
        found.append(candidate)
    return found


def _held_at(date: DateMention) -> DateMention:
    """A role is held at one date: a span within a month is that month, within a year that
    year (as docs/modelling.md dates a role: a post held on 3–7 May 2021 → 2021-05)."""
    if not date.end or not date.start:
        return date
    start = date.start
    for size in (7, 4):
        if date.start[:size] == date.end[:size]:
            start = date.start[:size]
            break
    return DateMention(date.span, date.text, start, None, date.qualifier, note=date.note)


def _title_inside(person: Mention) -> tuple[int, int] | None:
    """ "Emperor X" linked as one name: the title words it starts with."""
    words = list(re.finditer(r"[\w’'.-]+", person.text))
    count = 0
    while count < len(words) - 1 and words[count].group(0).lower() in TITLES:
        count += 1
    return (person.span.start, person.span.start + words[count - 1].end()) if count else None


def _is_title(word: str) -> bool:
    lower = word.lower()
    return lower in TITLES or (lower.endswith("s") and lower[:-1] in TITLES)


def _title_before(clause: _Clause, person: Mention) -> tuple[int, int] | None:
    """ "Prime Minister X", "Y's Minister of Culture, X": a title just before the name."""
    head = re.sub(r",?\s*$", "", clause.at(clause.span.start, person.span.start))
    kept: list[re.Match[str]] = []
    for word in reversed(list(re.finditer(r"[\w’'.-]+|[“”\"()]", head))):
        token = word.group(0)
        gap = head[word.end() : kept[0].start()] if kept else ""
        if re.search(r"[,;:]", gap) or (token.lower() in _FUNCTION and token not in _PARTICLES):
            break
        if not (_is_title(token) or token.lower() in _PARTICLES or token[:1].isupper()):
            break
        kept.insert(0, word)
        if len(kept) > 10:
            break
    first = next((i for i, w in enumerate(kept) if _is_title(w.group(0))), None)
    if first is None:
        return _apposition_before(clause, person, head)
    if first and kept[first - 1].group(0).endswith(("’s", "'s")):
        first -= 1  # "X's Minister": the country the title is held in
    return clause.span.start + kept[first].start(), clause.span.start + kept[-1].end()


def _apposition_before(clause: _Clause, person: Mention, head: str) -> tuple[int, int] | None:
    """ "the painter and teacher of calligraphy, X": a title set off by a comma
    before the name, back to the previous comma or the clause's start."""
    if not re.search(r",\s*$", clause.at(clause.span.start, person.span.start)):
        return None
    start = head.rfind(",") + 1
    phrase = head[start:]
    tokens = re.findall(r"[\w’'-]+", phrase)
    if not 0 < len(tokens) <= 10 or not any(t.lower() in TITLES for t in tokens):
        return None
    start += len(phrase) - len(phrase.lstrip())
    return clause.span.start + start, clause.span.start + len(head)


def _title_after(clause: _Clause, person: Mention) -> tuple[int, int] | None:
    """ "X, the consul of A in B," — a title in apposition after the name."""
    after = clause.at(person.span.end, clause.span.end)
    apposition = r",\s+(?:(?:the|a|an)\s+|(?=[A-Z]))((?:[\w’'-]+\s+){0,8}?[\w’'-]+)"
    ending = r"(?=,|\.|$|\s+(?:said|who|was|is)\b)"
    match = re.match(apposition + ending, after)
    if not match or not any(_is_title(w) for w in re.findall(r"[\w’'-]+", match.group(1))):
        return None
    start = person.span.end + match.start(1)
    return start, start + len(match.group(1))


def _role_name(title: str) -> str:
    """The title without articles, possessives and a leading nationality adjective."""
    words = title.split()
    adjectives = ("the", "a", "an", "popular", "famous", "well-known", "renowned")
    while words and (words[0].lower() in adjectives or words[0].endswith(("’s", "'s"))):
        words.pop(0)
    while len(words) > 1 and words[0][:1].isupper() and not _is_title(words[0]):
        if not words[1][:1].islower():
            break
        words.pop(0)  # "Mongolian sculptor": the nationality is the person's, not the title
    if words and _is_title(words[-1]) and words[-1].lower() not in TITLES:
        words[-1] = words[-1][:-1]  # "mayors": one role each
    return " ".join(words).strip(" ,")
