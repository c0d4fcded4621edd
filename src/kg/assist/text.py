"""Reading an article: its bytes become the document's text, and the text becomes sentences.

The text `read_source` returns is the document's text for good: every evidence offset the
assistant drafts counts code points in it, and its SHA-256 names it. A curator who accepts the
draft saves exactly this text as ``data/<document>.txt``. HTML and Markdown are reduced to their
readable text (one block a line, paragraphs apart); plain text is kept as it is, except that
line ends become ``\\n`` as ``Path.read_text`` (and so the build) reads them.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

import spacy
from charset_normalizer import from_bytes
from markdown_it import MarkdownIt
from markdown_it.token import Token
from spacy.language import Language

from .model import Span

#: The environment variable that sets the largest file `kg extract` reads (its message names it).
MAX_BYTES_VARIABLE = "KG_EXTRACT_MAX_BYTES"
DEFAULT_MAX_BYTES = 1_048_576

KINDS = ("text", "html", "markdown")


class SourceError(ValueError):
    """A file the assistant cannot read as an article; the message is one line to act on."""


@dataclass(frozen=True)
class Source:
    """An article as read: its text (what evidence offsets refer to) and what it is."""

    text: str
    kind: str  # "text" | "html" | "markdown"
    file_name: str
    sha256: str  # hex digest of text encoded as UTF-8
    title: str | None = None


def read_source(
    data: bytes, file_name: str, *, max_bytes: int, media_type: str | None = None
) -> Source:
    """Decode and reduce an article's bytes to its text; raise SourceError if it cannot be read.

    The kind comes from `media_type`, else the file name's extension, else a look at the text.
    """
    name = _one_line(file_name)
    _check_bytes(data, name, max_bytes)
    decoded = _newlines(decode(data, name))
    kind = source_kind(name, media_type, decoded)
    text, title = reduce(decoded, kind)
    if not text.strip():
        if decoded.strip():
            raise SourceError(f"{name} has no text left once its {kind} markup is removed")
        raise SourceError(f"{name} is empty (only white space)")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Source(text=text, kind=kind, file_name=file_name, sha256=digest, title=title)


def reduce(decoded: str, kind: str) -> tuple[str, str | None]:
    """The readable text of a decoded file of the given kind, and its title if it has one."""
    if kind == "html":
        return html_to_text(decoded)
    if kind == "markdown":
        return markdown_to_text(decoded)
    return decoded, None


# ---------------------------------------------------------------- bytes: size, binary, encoding

# Magic numbers of files people mistake for articles; each message says what to give instead.
_MAGIC = (
    (b"%PDF-", "looks like a PDF: give the text (pdftotext) or HTML"),
    (b"PK\x03\x04", "looks like a zip archive (.docx, .odt, .epub): give the text or HTML"),
    (b"\xd0\xcf\x11\xe0", "looks like an old Office document (.doc): give the text or HTML"),
    (b"{\\rtf", "looks like RTF: give the text or HTML"),
)

# Byte order marks, longest first (a UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _check_bytes(data: bytes, name: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise SourceError(
            # the size read, not the file's: a reader may stop one byte past the limit
            f"{name} is larger than the limit of {max_bytes:,} bytes ({MAX_BYTES_VARIABLE})"
        )
    if not data.strip():
        raise SourceError(f"{name} is empty")
    head = data.lstrip()[:8]
    for magic, message in _MAGIC:
        if head.startswith(magic):
            raise SourceError(f"{name} {message}")


def decode(data: bytes, name: str = "the file") -> str:
    """The bytes as text: by a byte order mark, else UTF-8, else cp1252 if it reads as Western
    text, else what charset-normalizer finds; raise SourceError when none fits."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding, name)
    if b"\x00" in data:
        return _decode_wide(data, name)
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _western(data)
    if text is None:
        match = from_bytes(data).best()
        if match is None:
            raise SourceError(f"{name}: cannot tell its character encoding; save it as UTF-8")
        text = str(match)
    _check_controls(text, name)
    return text


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise SourceError(f"{name} is not valid {encoding} at byte {e.start}") from None
    _check_controls(text, name)
    return text


def _decode_wide(data: bytes, name: str) -> str:
    """NUL bytes: UTF-16 or UTF-32 without a byte order mark, or not text at all."""
    match = from_bytes(data).best()
    if match is None or not match.encoding.startswith(("utf_16", "utf_32")):
        raise SourceError(f"{name} looks like a binary file (NUL bytes): give the text or HTML")
    return _strict(data, match.encoding, name)


# Non-ASCII letters in a row: Western words have one or two (café, naïve); Cyrillic or Greek
# bytes read as cp1252 give whole words of them ("Ïðèâåò").
_FOREIGN_RUN = re.compile(r"[^\x00-\x7f\W\d_]{3,}")


def _western(data: bytes) -> str | None:
    """The bytes as cp1252, if that reads as Western text.

    Tried before charset-normalizer because on short English text with curly quotes it picks
    a Baltic or Urdu code page (cp1257, cp1006); cp1252 (a superset of Latin-1's printable
    characters) is what such files are written in.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return None if _FOREIGN_RUN.search(text) else text


# C0 and C1 control characters other than tab, line feed, vertical tab, form feed, return
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _check_controls(text: str, name: str) -> None:
    """Refuse text with many control characters: a binary file decoded by chance."""
    if len(_CONTROLS.findall(text)) > max(2, len(text) // 100):
        raise SourceError(f"{name} looks like a binary file (control bytes): give the text or HTML")


def _newlines(text: str) -> str:
    # as Path.read_text does, so that offsets agree with the text the build reads back
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _one_line(name: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in name) or "the file"


# ---------------------------------------------------------------- kind

_MEDIA_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}
_EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
_HTML_START = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(r"<(p|div|br|h[1-6]|article|section|span|a\s)\b[^>]*>", re.I)


def source_kind(file_name: str, media_type: str | None, text: str) -> str:
    """ "text", "html" or "markdown": by media type, else extension, else by sniffing for HTML."""
    if media_type:
        essence = media_type.split(";", 1)[0].strip().lower()
        if essence == "application/pdf":
            raise SourceError(f"{file_name} looks like a PDF: give the text (pdftotext) or HTML")
        if essence in _MEDIA_TYPES:
            return _MEDIA_TYPES[essence]
    extension = PurePath(file_name).suffix.lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    return "html" if _looks_like_html(text) else "text"


def _looks_like_html(text: str) -> bool:
    head = text[:4096]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(head)) >= 2


# ---------------------------------------------------------------- a text of lines

_INLINE_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")

LINE, PARAGRAPH = 1, 2  # the breaks between blocks: a new line, a blank line


class _Lines:
    """Builds the reduced text: inline text joined, white space collapsed, blocks on lines."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pending = 0

    def text(self, data: str) -> None:
        if not data:
            return
        if self._pending and self._parts:
            self._parts.append("\n" * self._pending)
        self._pending = 0
        self._parts.append(data)

    def brk(self, level: int) -> None:
        self._pending = max(self._pending, level)

    def result(self) -> str:
        lines = (_INLINE_SPACE.sub(" ", line).strip() for line in "".join(self._parts).split("\n"))
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# ---------------------------------------------------------------- HTML

# Never read: code, styles, fallbacks for no script, inert templates, drawings, the head.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "head"})
_HEAD_CONTENT = frozenset(
    {"title", "meta", "link", "style", "script", "base", "noscript", "template"}
)
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "table"}
    | {"section", "article", "header", "footer", "nav", "aside", "main", "figure", "hr"}
    | {"address", "form", "fieldset", "details", "body", "html"}
)
_LINES = frozenset(
    {"br", "div", "li", "dt", "dd", "tr", "td", "th", "caption", "figcaption", "summary"}
    | {"legend", "option", "tbody", "thead", "tfoot"}
)


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines = _Lines()
        self._skip: list[str] = []
        self._pre = 0
        self._title: list[str] | None = None  # collecting while inside <title>
        self._h1: list[str] | None = None  # collecting while inside the first <h1>
        self.title = ""
        self.h1 = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip == ["head"] and (tag == "body" or tag not in _HEAD_CONTENT):
            self._skip.clear()  # the head ends where the body's content begins, </head> or not
        if tag == "title" and self._skip in ([], ["head"]) and not self.title:
            self._title = []
        if tag in _SKIPPED:
            self._skip.append(tag)
            return
        if self._skip:
            return
        if tag == "pre":
            self._pre += 1
        if tag == "h1" and not self.h1:
            self._h1 = []
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.title = _INLINE_SPACE.sub(" ", "".join(self._title)).strip()
            self._title = None
        if tag in self._skip:
            del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]
            return
        if self._skip:
            return
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag == "h1" and self._h1 is not None:
            self.h1 = _INLINE_SPACE.sub(" ", "".join(self._h1)).strip()
            self._h1 = None
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
            return
        if self._skip:
            return
        if self._h1 is not None:
            self._h1.append(data)
        if self._pre:
            # preformatted text keeps its line breaks; each line is then tidied like the rest
            for i, line in enumerate(data.split("\n")):
                if i:
                    self.lines.brk(LINE)
                self.lines.text(line)
        else:
            self.lines.text(data.replace("\n", " ").replace("\r", " "))

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPHS:
            self.lines.brk(PARAGRAPH)
        elif tag in _LINES:
            self.lines.brk(LINE)


def html_to_text(html: str) -> tuple[str, str | None]:
    """The readable text of an HTML page, and its title (<title>, else the first <h1>)."""
    reader = _HtmlReader()
    reader.feed(html)
    reader.close()
    return reader.lines.result(), (reader.title or reader.h1 or None)


# ---------------------------------------------------------------- Markdown

_BLOCK_BREAKS = {
    "heading": PARAGRAPH,
    "paragraph": PARAGRAPH,
    "blockquote": PARAGRAPH,
    "bullet_list": PARAGRAPH,
    "ordered_list": PARAGRAPH,
    "table": PARAGRAPH,
    "list_item": LINE,
    "tr": LINE,
    "th": LINE,
    "td": LINE,
}


@functools.cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markdown_to_text(source: str) -> tuple[str, str | None]:
    """The text of a Markdown document without its markup, and its first heading (a level-one
    heading if there is one)."""
    lines = _Lines()
    headings: list[tuple[str, str]] = []
    tokens = _markdown().parse(source)
    for i, token in enumerate(tokens):
        _markdown_block(token, lines)
        if token.type == "heading_open" and i + 1 < len(tokens):
            headings.append((token.tag, _inline(tokens[i + 1].children or [])))
    title = next((t for tag, t in headings if tag == "h1"), headings[0][1] if headings else "")
    return lines.result(), (_INLINE_SPACE.sub(" ", title).strip() or None)


def _markdown_block(token: Token, lines: _Lines) -> None:
    kind = token.type.removesuffix("_open").removesuffix("_close")
    if kind in _BLOCK_BREAKS:
        # a tight list's paragraphs are hidden: its items are lines, not paragraphs
        lines.brk(LINE if token.hidden else _BLOCK_BREAKS[kind])
    elif token.type == "inline":
        for piece in _inline_pieces(token.children or []):
            if piece == "\n":
                lines.brk(LINE)
            else:
                lines.text(piece)
    elif token.type in ("fence", "code_block"):
        lines.brk(PARAGRAPH)
        _preformatted(token.content, lines)
        lines.brk(PARAGRAPH)
    elif token.type == "html_block":
        lines.brk(PARAGRAPH)
        _preformatted(html_to_text(token.content)[0], lines)
        lines.brk(PARAGRAPH)
    elif token.type == "hr":
        lines.brk(PARAGRAPH)


def _preformatted(content: str, lines: _Lines) -> None:
    for line in content.rstrip("\n").split("\n"):
        lines.text(line)
        lines.brk(LINE)


def _inline_pieces(children: Iterable[Token]) -> Iterator[str]:
    """The text of inline tokens: link text kept, emphasis marks and images and HTML dropped;
    "\\n" for a hard line break."""
    for child in children:
        if child.type in ("text", "text_special", "code_inline"):
            yield child.content
        elif child.type == "softbreak":
            yield " "  # a wrapped line of one paragraph: the paragraph stays one line
        elif child.type == "hardbreak":
            yield "\n"


def _inline(children: Iterable[Token]) -> str:
    return "".join(p for p in _inline_pieces(children) if p != "\n")


# ---------------------------------------------------------------- sentences

# Abbreviations that a number follows ("No. 5", "pp. 12"): the tokenizer keeps them whole but
# the sentencizer ends a sentence at them when a number, not a lower-case word, comes next.
_BEFORE_NUMBER = frozenset({"no.", "nos.", "p.", "pp.", "vol.", "art.", "fig.", "ch.", "sec."})


@functools.cache
def _pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10**8  # the limit protects parsers' memory; tokens alone need little
    return nlp


def sentences(text: str) -> list[Span]:
    """The sentences of a text, in order: each non-blank line is at least one (a heading, a list
    item), split by spaCy's rule-based sentencizer; spans exclude surrounding white space."""
    lines = list(_line_spans(text))
    found: list[Span] = []
    docs = _pipeline().pipe(text[line.start : line.end] for line in lines)
    for line, doc in zip(lines, docs, strict=True):
        pieces = (
            _trim(text, line.start + s.start_char, line.start + s.end_char) for s in doc.sents
        )
        found.extend(_mend(text, [p for p in pieces if p is not None]))
    return found


def _line_spans(text: str) -> Iterator[Span]:
    start = 0
    for line in text.split("\n"):
        span = _trim(text, start, start + len(line))
        if span is not None:
            yield span
        start += len(line) + 1


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _mend(text: str, spans: list[Span]) -> list[Span]:
    """Join a piece to the one before when the sentencizer cut after an abbreviation: the piece
    starts with a lower-case letter ("approx. three"), or a number follows "No."."""
    mended: list[Span] = []
    for span in spans:
        if mended:
            mended[-1], span = _hand_over_opening(text, mended[-1], span)
        if mended and _continues(text, mended[-1], span):
            mended[-1] = Span(mended[-1].start, span.end)
        else:
            mended.append(span)
    return mended


def _continues(text: str, before: Span, span: Span) -> bool:
    first = text[span.start]
    if first.islower():
        return True
    previous = text[before.start : before.end]
    last_word = previous.rsplit(None, 1)[-1].lower()
    if first.isdigit() and last_word in _BEFORE_NUMBER:
        return True
    return _inside_short_quote(previous, text[span.start : span.end])


_OPENING = re.compile(r"\s+([“‘«(\[\"']+)$")


def _hand_over_opening(text: str, before: Span, span: Span) -> tuple[Span, Span]:
    """Give an opening quotation mark or bracket at the end of a piece to the piece after it:
    the sentencizer keeps punctuation after a full stop with the sentence it ends."""
    opening = _OPENING.search(text, before.start, before.end)
    if opening is None or opening.end() != before.end:
        return before, span
    trimmed = _trim(text, before.start, opening.start())
    if trimmed is None:
        return before, span
    return trimmed, Span(opening.start(1), span.end)


# How far a quoted title may reach on either side of a cut and still be read as one title.
_TITLE_REACH = 60


def _inside_short_quote(previous: str, piece: str) -> bool:
    """A cut inside a short quotation (a title: “Spring. A Story”): the quotation opened near
    the end of the text before and closes near the start of the piece. Long quotations are
    speech, whose sentences stay apart."""
    opened = previous.rfind("“")
    if opened < 0 or "”" in previous[opened:] or len(previous) - opened > _TITLE_REACH:
        return False
    closed = piece.find("”")
    return 0 <= closed < _TITLE_REACH and "“" not in piece[:closed]
