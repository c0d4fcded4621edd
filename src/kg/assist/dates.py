"""Find the dates a sentence states, normalised at the precision the text gives.

docs/modelling.md, "Dates" and "Stated and derived dates": "March 3, 2021" is an xsd:date,
"October 2017" an xsd:gYearMonth, "2016" an xsd:gYear; "July 10–14, 2020" a start and an end;
"since 1992", "by 2060", "around 1990", "until 2020" keep their qualifier; "last year", "next
year", "recently" and "in March" are resolved from the document's own date and marked derived
(rule:document-date), or left unresolved and flagged when the document has no date.

Read with regular expressions rather than dateparser (not installed): the patterns below are
English only, keep every offset exact, and take well under a millisecond a sentence.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from .model import Span

_MONTHS = (
    "january february march april may june july august september october november december"
).split()
#: Month names and their abbreviations ("Sept." too), lower-cased, to the month's number.
MONTHS: dict[str, int] = {name: i + 1 for i, name in enumerate(_MONTHS)}
MONTHS |= {name[:3]: i + 1 for i, name in enumerate(_MONTHS)} | {"sept": 9}

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[5-9]\d\d|20\d\d|2100)"
_DASH = r"\s*(?:[-–—‑]|to|until|till|through)\s*"
_SAME_YEAR = r",?\s+(?:of\s+)?(?:the\s+same|that)\s+year"
#: A year is a number of its own: not inside a longer number ("12,360"), not money ("$2000").
_B = r"(?<![\w$€£¥.,])"
_E = r"(?![\w%]|[.,]\d)"

#: Words after a four-digit number that make it a count or an amount, not a year.
COUNT_WORDS = frozenset(
    "people persons participants visitors tourists students pupils members delegates guests "
    "spectators viewers workers volunteers specialists children citizens residents nationals "
    "km kilometres kilometers metres meters tons tonnes kg hectares units copies items times "
    "dollars euros yen rubles roubles soums tenge som won yuan pounds percent per".split()
)

#: Words just before a date that bound it (the date-qualifier scheme of the ontology).
QUALIFIERS = {
    "since": "since",
    "by": "by",
    "until": "until",
    "till": "until",
    "around": "around",
    "circa": "around",
    "c.": "around",
    "ca.": "around",
}
_QUALIFIER = re.compile(
    r"\b(since|by|until|till|around|circa|c\.|ca\.)\s+(?:(?:the\s+)?(?:end|middle|start|"
    r"beginning)\s+of\s+|(?:early|late|mid-?)\s*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A date expression of the text, with its normalised value.

    ``start`` is an ISO value at the text's precision ("2025-05-18", "2024-08", "2019"); ``end``
    is set for a span ("July 10–14, 2020"). ``start`` is None when the expression could not be
    resolved (a relative date in an undated document, a day that is not in the calendar): then
    ``note`` says why. ``derived`` marks a value computed rather than stated: from the document's
    date (rule:document-date), or by the ``rule`` it names; ``weak`` marks words such as "now"
    or "recently" that date a fact only when the sentence gives no other date.
    """

    span: Span
    text: str
    start: str | None
    end: str | None = None
    qualifier: str | None = None
    derived: bool = False
    weak: bool = False
    note: str = ""
    #: the derivation rule of a derived value (a local name of the ontology's rule: scheme)
    rule: str = "document-date"
    #: where an earlier sentence names the year this date takes ("On 12 May", "that year")
    year_from: Span | None = None

    @property
    def precision(self) -> str | None:
        """ "day", "month" or "year" (of the start), None when unresolved."""
        return _precision(self.start)

    @property
    def datatype(self) -> str | None:
        """The XML Schema datatype's local name of the start: date, gYearMonth or gYear."""
        return {"day": "date", "month": "gYearMonth", "year": "gYear"}.get(self.precision or "")

    @property
    def years(self) -> tuple[int, ...]:
        """The years the date names (both ends of a span)."""
        return tuple(int(v[:4]) for v in (self.start, self.end) if v)


def datatype_of(value: str) -> str:
    """The XML Schema datatype's local name for an ISO value at its precision."""
    return {10: "date", 7: "gYearMonth"}.get(len(value), "gYear")


def _precision(value: str | None) -> str | None:
    if not value:
        return None
    return {10: "day", 7: "month", 4: "year"}.get(len(value))


@dataclass(frozen=True)
class _Context:
    """What a pattern may need beyond its match: the whole text and the document's date."""

    text: str
    document_date: datetime.date | None
    sentence_year: int | None = None  # "last year", "next year" in the sentence, resolved


_Parts = dict[str, str]
_Handler = Callable[[_Parts, _Context, int], "DateMention | None"]


def find_dates(text: str, span: Span, document_date: str | None) -> list[DateMention]:
    """Return the date expressions inside ``text[span.start:span.end]``, in order.

    Args:
        text: the document's whole text (a "same year" is looked up in what comes before).
        span: the sentence (or clause) to read.
        document_date: the document's date, ISO ``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``), or
            None when the document is undated: relative dates are then left unresolved.
    """
    sentence = text[span.start : span.end]
    context = _Context(text, _parse_document_date(document_date))
    context = _Context(text, context.document_date, _sentence_year(sentence, context))
    found: list[tuple[int, int, DateMention]] = []
    for pattern, handler in _PATTERNS:
        for match in pattern.finditer(sentence):
            if _taken(found, match.start(), match.end()) or _not_a_year(sentence, match):
                continue
            mention = handler(match.groupdict(), context, span.start + match.start())
            if mention is None:
                continue
            start, end = span.start + match.start(), span.start + match.end()
            mention = _with_span(mention, Span(start, end), text[start:end], sentence, match)
            found.append((match.start(), match.end(), mention))
    return [m for _, _, m in sorted(found, key=lambda f: f[0])]


def _taken(found: list[tuple[int, int, DateMention]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e, _ in found)


def _not_a_year(sentence: str, match: re.Match[str]) -> bool:
    """A number read as a year that is a count or an amount ("2000 visitors", "$2020")."""
    parts = match.groupdict()
    if "y" not in parts or parts.get("y2") or parts.get("y2b") or parts.get("m"):
        return False
    after = sentence[match.end() :].lstrip()
    word = re.match(r"[A-Za-z%]+", after)
    return bool(word) and word is not None and word.group(0).lower() in COUNT_WORDS


def _with_span(
    mention: DateMention, span: Span, text: str, sentence: str, match: re.Match[str]
) -> DateMention:
    before = sentence[: match.start()]
    qualifier = _QUALIFIER.search(before) if mention.start and not mention.end else None
    return DateMention(
        span=span,
        text=text,
        start=mention.start,
        end=mention.end,
        qualifier=QUALIFIERS[qualifier.group(1).lower()] if qualifier else None,
        derived=mention.derived,
        weak=mention.weak,
        note=mention.note,
        rule=mention.rule,
        year_from=mention.year_from,
    )


def _parse_document_date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    parts = [int(p) for p in value[:10].split("-")]
    year, month, day = (parts + [1, 1])[:3]
    return datetime.date(year, month, day)


# ---------------------------------------------------------------- building values


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _day_value(year: int, month: int, day: str) -> str | None:
    """An ISO date, or None when the day is not in the calendar (April 31)."""
    try:
        return datetime.date(year, month, int(re.sub(r"\D", "", day))).isoformat()
    except ValueError:
        return None


def _stated(start: str | None, end: str | None = None, note: str = "") -> DateMention:
    """A date the text states; an impossible day gives an unresolved mention with a note."""
    if start is None:
        return DateMention(Span(0, 0), "", None, note="not a calendar date")
    if end is not None and end < start:
        return DateMention(Span(0, 0), "", start, end, note="the end is before the start")
    return DateMention(Span(0, 0), "", start, end, note=note)


def _year_before(context: _Context, offset: int) -> int | None:
    """The last year the text names before ``offset``, for "of the same year"."""
    found = _year_span_before(context, offset)
    return int(context.text[found.start : found.end]) if found else None


def _year_span_before(context: _Context, offset: int) -> Span | None:
    """Where the text last names a year before ``offset``: in the same paragraph (line) if it
    does there, else earlier in the document; not a count ("2000 visitors")."""
    paragraph = context.text.rfind("\n", 0, offset) + 1
    for start in (paragraph, 0):
        years = [
            m
            for m in _LONE_YEAR.finditer(context.text, start, offset)
            if not _counted_after(context.text, m.end())
        ]
        if years:
            return Span(years[-1].start(), years[-1].end())
    return None


def _counted_after(text: str, end: int) -> bool:
    word = re.match(r"\s*([A-Za-z%]+)", text[end : end + 30])
    return bool(word) and word is not None and word.group(1).lower() in COUNT_WORDS


def _day_span(year: int, m1: int, d1: str, m2: int, d2: str) -> DateMention:
    start, end = _day_value(year, m1, d1), _day_value(year, m2, d2)
    if start is None or end is None:
        return _stated(None)
    return _stated(start, end)


def _same_year_note(year: int) -> str:
    return f"the year ({year}) is taken from the text before: check it"


def _context_year(parts: _Parts, context: _Context, offset: int) -> tuple[int | None, str]:
    """The year of a day or month named without one: stated, "the same year", or the document's."""
    if parts.get("y"):
        return int(parts["y"]), ""
    if parts.get("same"):
        year = _year_before(context, offset)
        return year, (_same_year_note(year) if year else "no earlier year in the text")
    return None, ""


# ---------------------------------------------------------------- the patterns' handlers


def _cross_month(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    year, note = _context_year(parts, context, offset)
    if year is None:
        return _relative_day(parts, context, note, offset)
    found = _day_span(year, _month(parts["m"]), parts["d"], _month(parts["m2"]), parts["d2"])
    return _from_text(_noted(found, note), parts, context, offset)


def _day_range(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    parts = parts | {"m2": parts["m"]}
    return _cross_month(parts, context, offset)


def _full_date(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    year, note = _context_year(parts, context, offset)
    if year is None:
        return _relative_day(parts, context, note, offset)
    found = _noted(_stated(_day_value(year, _month(parts["m"]), parts["d"])), note)
    return _from_text(found, parts, context, offset)


def _from_text(mention: DateMention, parts: _Parts, context: _Context, offset: int) -> DateMention:
    """ "November 3 of the same year": say where the text names that year."""
    if not parts.get("same") or mention.start is None:
        return mention
    return replace(mention, year_from=_year_span_before(context, offset))


def _iso_date(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    return _stated(_day_value(int(parts["y"]), int(parts["mm"]), parts["d"]))


def _month_range(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    year = int(parts["y"])
    return _stated(f"{year}-{_month(parts['m']):02d}", f"{year}-{_month(parts['m2']):02d}")


def _month_year(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    return _stated(f"{int(parts['y'])}-{_month(parts['m']):02d}")


def _year_range(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    first, last = parts["y"] or parts["yb"], parts["y2"] or parts["y2b"]
    if len(last) == 2:  # "2023–24"
        last = first[:2] + last
    return _stated(first, last)


def _year(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    return _stated(parts["y"])


def _month_alone(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    """ "in March": the month of the document's year (rule:document-date)."""
    if context.document_date is None:
        return _unresolved()
    month = _month(parts["m"])
    note = "month without a year: the document's year"
    if month > context.document_date.month:
        note += " (the month is after the document's date: check the year)"
    return _derived(f"{context.document_date.year}-{month:02d}", note)


def _relative_day(parts: _Parts, context: _Context, note: str, offset: int) -> DateMention | None:
    """ "on March 3" with no year: the year of "last year" in the sentence (derived); else the
    year the text named last before it, in its paragraph or earlier (stated there: flagged,
    with where); else the document's year (derived, rule:document-date). "Of the same year"
    with no year before it stays unresolved (``note`` says so)."""
    if note:
        return DateMention(Span(0, 0), "", None, note=note)
    derived, year, source = True, context.sentence_year, None
    why = "day without a year: the year the sentence names"
    if year is None:
        source = _year_span_before(context, offset)
        if source is not None:
            derived, year = False, int(context.text[source.start : source.end])
            why = _same_year_note(year)
    if year is None and context.document_date is not None:
        year, why = context.document_date.year, "day without a year: the document's year"
    if year is None:
        return _unresolved()
    if parts.get("d2"):
        found = _day_span(year, _month(parts["m"]), parts["d"], _month(parts["m2"]), parts["d2"])
    else:
        found = _stated(_day_value(year, _month(parts["m"]), parts["d"]))
    if found.start is None or not derived:
        return replace(_noted(found, why), year_from=source if found.start else None)
    return _derived(found.start, why, found.end)


def _sentence_year(sentence: str, context: _Context) -> int | None:
    """The year a relative expression of the sentence names ("Last year, … on 13 September")."""
    match = re.search(r"\b(last|previous|this|current|next)\s+year\b", sentence, re.IGNORECASE)
    if match is None or context.document_date is None:
        return None
    step = {"last": -1, "previous": -1, "next": 1}.get(match.group(1).lower(), 0)
    return context.document_date.year + step


def _same_year(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    source = _year_span_before(context, offset)
    if source is None:
        return DateMention(Span(0, 0), "", None, note="no earlier year in the text")
    year = int(context.text[source.start : source.end])
    return replace(_stated(str(year), note=_same_year_note(year)), year_from=source)


def _relative_year(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    """ "last year", "this year", "next year" and "last/this/next month"."""
    if context.document_date is None:
        return _unresolved()
    shift = {"last": -1, "previous": -1, "past": -1, "this": 0, "current": 0, "next": 1}
    step = shift[parts["which"].lower()]
    date = context.document_date
    if parts["unit"].lower() == "year":
        return _derived(str(date.year + step), "relative to the document's date")
    month = date.year * 12 + date.month - 1 + step
    return _derived(f"{month // 12}-{month % 12 + 1:02d}", "relative to the document's date")


def _present(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    """ "recently", "now", "today": the document's year, only when nothing else dates the fact."""
    if context.document_date is None:
        return DateMention(Span(0, 0), "", None, weak=True, note=_UNDATED)
    return DateMention(
        Span(0, 0),
        "",
        str(context.document_date.year),
        derived=True,
        weak=True,
        note="relative to the document's date",
    )


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
    """ "on Tuesday": news writing's day of the week, the last such day on or before the
    document's date (derived, rule:document-date); unresolved without a document date."""
    if context.document_date is None:
        return _unresolved()
    back = (context.document_date.weekday() - _WEEKDAYS.index(parts["wd"].lower())) % 7
    day = context.document_date - datetime.timedelta(days=back)
    return _derived(day.isoformat(), f"{parts['wd']}{_LAST_WEEKDAY}")


_LAST_WEEKDAY = ": the last one on or before the document's date"
_NEXT_WEEKDAY = ": the next one on or after the document's date (the text plans it)"


def weekday_ahead(date: DateMention, document_date: str) -> DateMention:
    """The same day of the week in the document's week ahead, for what the text plans ("will be
    held on Friday"): a weekday is read backwards (``_weekday``) unless the fact is a plan."""
    if not date.derived or not date.start or not date.note.endswith(_LAST_WEEKDAY):
        return date
    day = datetime.date.fromisoformat(date.start)
    if day < datetime.date.fromisoformat(document_date):
        day += datetime.timedelta(days=7)
    note = date.note.removesuffix(_LAST_WEEKDAY) + _NEXT_WEEKDAY
    return replace(date, start=day.isoformat(), note=note)


_UNDATED = "relative date: the document has no date"


def _unresolved() -> DateMention:
    return DateMention(Span(0, 0), "", None, note=_UNDATED)


def _derived(start: str, note: str, end: str | None = None) -> DateMention:
    return DateMention(Span(0, 0), "", start, end, derived=True, note=note)


def _noted(mention: DateMention, note: str) -> DateMention:
    if not note or mention.start is None:
        return mention
    return DateMention(mention.span, mention.text, mention.start, mention.end, note=note)


# ---------------------------------------------------------------- the patterns, longest first

_Y = rf"{_B}(?P<y>{_YEAR}){_E}"
_YEAR_OR_SAME = rf"(?:,?\s*{_Y}|(?P<same>{_SAME_YEAR}))?"
_LONE_YEAR = re.compile(rf"{_B}{_YEAR}{_E}")


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_PATTERNS: list[tuple[re.Pattern[str], _Handler]] = [
    # "June 30 – July 2, 2024"; "30 June – 2 July 2024"
    (
        _compile(
            rf"\b(?P<m>{_MONTH})\s+(?P<d>{_DAY}){_DASH}(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})\b"
            + _YEAR_OR_SAME
        ),
        _cross_month,
    ),
    (
        _compile(
            rf"\b(?P<d>{_DAY})\s+(?P<m>{_MONTH}){_DASH}(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})\b"
            + _YEAR_OR_SAME
        ),
        _cross_month,
    ),
    # "July 10–14, 2020"; "March 3–5 of the same year"; "10–14 July 2020"
    (
        _compile(rf"\b(?P<m>{_MONTH})\s+(?P<d>{_DAY}){_DASH}(?P<d2>{_DAY})\b" + _YEAR_OR_SAME),
        _day_range,
    ),
    (
        _compile(rf"\b(?P<d>{_DAY}){_DASH}(?P<d2>{_DAY})\s+(?P<m>{_MONTH})\b" + _YEAR_OR_SAME),
        _day_range,
    ),
    # "2021-03-03"
    (_compile(rf"{_B}(?P<y>{_YEAR})-(?P<mm>[01]\d)-(?P<d>[0-3]\d)\b"), _iso_date),
    # "March 3, 2021"; "March 3rd"; "3 March 2021"; "the 3rd of March, 2021"; "3 MARCH, 2021"
    (_compile(rf"\b(?P<m>{_MONTH})\s+(?P<d>{_DAY})\b(?!:)" + _YEAR_OR_SAME), _full_date),
    (
        _compile(rf"\b(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH})(?![\w])" + _YEAR_OR_SAME),
        _full_date,
    ),
    # "June–July 2024"; "from May to July 2024"
    (
        _compile(rf"\b(?:from\s+)?(?P<m>{_MONTH}){_DASH}(?P<m2>{_MONTH})\s*,?\s*{_Y}"),
        _month_range,
    ),
    # "October 2017"; "in October, 2017"
    (_compile(rf"\b(?P<m>{_MONTH})\s*,?\s+(?:of\s+)?{_Y}"), _month_year),
    # "From 1961 to 1964"; "1961-1962"; "2011–12"; "between 2011 and 2012"
    (
        _compile(
            rf"(?:\bfrom\s+)?{_Y}{_DASH}(?P<y2>{_YEAR}|\d\d){_E}"
            rf"|\bbetween\s+{_Y.replace('<y>', '<yb>')}\s+and\s+(?P<y2b>{_YEAR}){_E}"
        ),
        _year_range,
    ),
    (_compile(_Y), _year),
    # relative to the document's date
    (_compile(r"\b(?:in|of|during|that|the)\s+(?P<same>(?:the\s+)?same\s+year)\b"), _same_year),
    (
        _compile(r"\b(?P<which>last|previous|past|this|current|next)\s+(?P<unit>year|month)\b"),
        _relative_year,
    ),
    (
        re.compile(
            r"\b(?:(?i:in|during|since|until|by|from|of|early|late|mid-?)\s+)"
            rf"(?:(?i:early|late|mid-?)\s*)?(?P<m>{'|'.join(n.title() for n in _MONTHS)})\b"
        ),
        _month_alone,
    ),
    (re.compile(rf"\b(?i:on)\s+(?P<wd>{'|'.join(d.title() for d in _WEEKDAYS)})\b"), _weekday),
    (
        _compile(r"\b(?:recently|nowadays|currently|at\s+present|today|now)\b"),
        _present,
    ),
]


def _is_verb_month(text: str) -> bool:
    """ "may" and "march" in lower case are the verbs, not the months."""
    return text in {"may", "march", "mar"}


# The case-insensitive patterns also match "may 5" ("it may 5 times"): drop those.
def _filter_handler(handler: _Handler) -> _Handler:
    def guarded(parts: _Parts, context: _Context, offset: int) -> DateMention | None:
        for key in ("m", "m2"):
            if parts.get(key) and _is_verb_month(parts[key]):
                return None
        return handler(parts, context, offset)

    return guarded


_PATTERNS = [(pattern, _filter_handler(handler)) for pattern, handler in _PATTERNS]
