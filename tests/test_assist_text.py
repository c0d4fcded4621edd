"""Issue 14, reading an article: bytes to the document's text (text, HTML, Markdown; encodings;
refusals), the text to sentence spans, and the new document's description."""

from __future__ import annotations

import codecs
import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef

from kg.assist.document import DocumentError, describe, document_iri, known_document, record
from kg.assist.model import Span
from kg.assist.text import DEFAULT_MAX_BYTES, Source, SourceError, read_source, sentences
from kg.graph.validate import validate
from kg.namespaces import KG

DCTERMS = Namespace("http://purl.org/dc/terms/")
DATA = Path(__file__).resolve().parents[1] / "data"
DOCUMENTS = sorted(DATA.glob("0*.txt"))


def read(data: bytes, name: str = "article.txt", **options: Any) -> Source:
    return read_source(data, name, max_bytes=options.pop("max_bytes", DEFAULT_MAX_BYTES), **options)


def refusal(data: bytes, name: str = "article.txt", **options: Any) -> str:
    with pytest.raises(SourceError) as error:
        read(data, name, **options)
    message = str(error.value)
    assert "\n" not in message
    return message


def assert_sentences(text: str, spans: list[Span]) -> None:
    """Spans in order, apart, within one line, and trimmed of white space."""
    assert spans == sorted(spans)
    for before, after in zip(spans, spans[1:], strict=False):
        assert before.end <= after.start
    for span in spans:
        piece = text[span.start : span.end]
        assert piece and piece == piece.strip() and "\n" not in piece


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><title>A  Festival &amp; Its   City</title>
<style>p { color: red } .secret-style {}</style>
<script>var secret = "script text"; if (a < b) { document.write("<p>written</p>"); }</script>
<meta charset="utf-8"></head>
<body>
<nav><ul><li>Home</li><li>News</li></ul></nav>
<h1>The <em>spring</em> festival</h1>
<div class="story"><div><p>The festival   opened on
May 3, 2024 &ndash; with &#8220;music&#8221;&nbsp;and dance.</p>
<p>Tickets cost &euro;5 &amp; more.<br>Doors open at noon.</p></div>
<blockquote><p>Nested <span>inline <b>words</b></span> stay on one line.</p></blockquote></div>
<noscript>Please enable scripts</noscript>
<template><p>inert template</p></template>
<svg><title>drawing title</title><text>drawing text</text></svg>
<table><tr><th>Day</th><td>Friday</td></tr></table>
<script type="application/ld+json">{"headline": "json script"}</script>
</body></html>"""


def test_html_drops_scripts_styles_and_inert_parts() -> None:
    source = read(PAGE.encode(), "page.html")
    assert source.kind == "html"
    for hidden in ("secret", "script text", "written", "color", "json script", "enable scripts"):
        assert hidden not in source.text
    for hidden in ("inert template", "drawing"):
        assert hidden not in source.text


def test_html_decodes_entities_and_puts_each_block_on_a_line() -> None:
    source = read(PAGE.encode(), "page.html")
    lines = source.text.split("\n")
    assert "The festival opened on May 3, 2024 – with “music”\u00a0and dance." in lines
    assert "Tickets cost €5 & more." in lines and "Doors open at noon." in lines
    assert "Nested inline words stay on one line." in lines
    assert "The spring festival" in lines and "Day" in lines and "Friday" in lines
    assert "\n\n\n" not in source.text and source.text == source.text.strip()
    assert all(line == line.strip() and "  " not in line for line in lines)
    assert source.title == "A Festival & Its City"
    assert source.sha256 == hashlib.sha256(source.text.encode()).hexdigest()


def test_html_title_falls_back_to_the_first_h1_and_the_head_may_stay_open() -> None:
    page = "<html><head><meta charset=utf-8><p>Body text begins.<h1>Main  heading</h1><h1>Next"
    source = read(page.encode(), "page.htm")
    assert source.title == "Main heading"
    assert source.text.split("\n\n") == ["Body text begins.", "Main heading", "Next"]


def test_kind_by_media_type_then_extension_then_sniffing() -> None:
    page = b"<!doctype html><p>One.</p><p>Two.</p>"
    assert read(page, "download").kind == "html"
    assert read(b"<div>a</div> <p>b</p>", "noextension").kind == "html"
    assert read(page, "page.txt").kind == "text"  # the extension says so
    assert read(page, "page.txt", media_type="text/html; charset=utf-8").kind == "html"
    assert read(b"# Heading\n\nText.", "notes", media_type="text/markdown").kind == "markdown"
    assert read(b"Just words, 3 < 4.", "noextension").kind == "text"
    message = refusal(b"%PDF-1.7 but called html", "paper.html")
    assert message == "paper.html looks like a PDF: give the text (pdftotext) or HTML"
    assert "PDF" in refusal(b"plain words", "x", media_type="application/pdf")


def test_html_without_text_is_refused() -> None:
    page = b"<html><head><title>Only a title</title><script>code()</script></head></html>"
    assert refusal(page, "empty.html") == (
        "empty.html has no text left once its html markup is removed"
    )


# ---------------------------------------------------------------- Markdown

NOTES = """# The *spring* festival

Opened on **May 3**, see [the programme](https://example.org/p "title") and `code`.
A wrapped line of the same paragraph.

## Details

- first item
- second _item_

> A quoted line.

```
kept  code
```

![a picture](https://example.org/p.png)
Line with a hard break\\
and its end.
"""


def test_markdown_keeps_text_and_drops_markup() -> None:
    source = read(NOTES.encode(), "notes.md")
    assert source.kind == "markdown" and source.title == "The spring festival"
    lines = source.text.split("\n")
    assert lines[0] == "The spring festival"
    assert (
        "Opened on May 3, see the programme and code. A wrapped line of the same paragraph."
        in lines
    )
    assert "Details" in lines and "A quoted line." in lines and "kept code" in lines
    assert lines[lines.index("first item") + 1] == "second item"  # a tight list: one a line
    for markup in ("#", "*", "_", "`", "[", "](", "https://", ">", "picture"):
        assert markup not in source.text
    assert "Line with a hard break" in lines and "and its end." in lines


def test_markdown_title_prefers_a_level_one_heading() -> None:
    assert read(b"## Second\n\n# First\n\ntext", "a.markdown").title == "First"
    assert read(b"### Only\n\ntext", "a.md").title == "Only"
    assert read(b"no heading at all", "a.md").title is None


# ---------------------------------------------------------------- encodings

WESTERN = "The “festival” – déjà vu for the café’s naïve guests: €5.\nSecond line."


def test_utf8_with_and_without_bom() -> None:
    plain = read(WESTERN.encode())
    bom = read(codecs.BOM_UTF8 + WESTERN.encode())
    assert plain.text == bom.text == WESTERN
    assert bom.sha256 == hashlib.sha256(WESTERN.encode()).hexdigest()


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_single_byte_western_encodings(encoding: str) -> None:
    text = WESTERN if encoding == "cp1252" else "Café, déjà vu, naïve résumé.\nÀ bientôt."
    source = read(text.encode(encoding))
    assert source.text == text
    assert source.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_cyrillic_single_byte_text_is_not_read_as_western() -> None:
    text = "Фестиваль культуры прошёл в городе. Театр был полон."
    assert read(text.encode("cp1251")).text == text


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ],
)
def test_utf16_and_utf32_with_a_byte_order_mark(encoding: str, bom: bytes) -> None:
    assert read(bom + WESTERN.encode(encoding)).text == WESTERN


def test_utf16_without_a_byte_order_mark() -> None:
    text = "A plain English sentence about a festival in the old city, held every spring."
    assert read(text.encode("utf-16-le")).text == text


def test_line_ends_become_newlines_as_the_build_reads_them() -> None:
    assert read(b"One.\r\nTwo.\rThree.\n").text == "One.\nTwo.\nThree.\n"


def test_plain_text_is_kept_as_it_is() -> None:
    text = "  Heading\n\n\nA  line   with spaces.  \n"
    source = read(text.encode())
    assert source.text == text and source.kind == "text" and source.title is None


# ---------------------------------------------------------------- refusals


def test_binary_and_pdf_are_refused() -> None:
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    assert refusal(pdf, "a.pdf") == "a.pdf looks like a PDF: give the text (pdftotext) or HTML"
    assert "NUL bytes" in refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "a.txt")
    assert "NUL bytes" in refusal(b"words\x00and\x00nulls" * 20)
    assert "zip" in refusal(b"PK\x03\x04\x14\x00\x06\x00" + b"x" * 50, "a.docx")
    assert "control bytes" in refusal(bytes(range(1, 32)) * 40)


def test_empty_files_are_refused() -> None:
    assert refusal(b"", "a.txt") == "a.txt is empty"
    assert refusal(b" \n\t\r\n", "a.txt") == "a.txt is empty"
    assert refusal(codecs.BOM_UTF8, "a.txt") == "a.txt is empty (only white space)"
    assert refusal("\u00a0\u2003\n".encode(), "a.txt") == "a.txt is empty (only white space)"


def test_oversize_files_are_refused_with_the_limit_and_its_setting() -> None:
    message = refusal(b"x" * 5_242_880, "big.html", max_bytes=1_048_576)
    assert message == "big.html is larger than the limit of 1,048,576 bytes (KG_EXTRACT_MAX_BYTES)"
    assert read(b"x" * 1000, max_bytes=1000).text == "x" * 1000


def test_undecodable_bytes_are_refused() -> None:
    # invalid UTF-8 after a UTF-8 byte order mark: the mark said which encoding it is
    assert "not valid utf-8" in refusal(codecs.BOM_UTF8 + b"caf\xe9 ok")
    assert refusal(bytes(range(128, 256)) * 5, "odd.txt") == (
        "odd.txt: cannot tell its character encoding; save it as UTF-8"
    )


def test_a_file_name_in_a_message_stays_on_one_line() -> None:
    assert refusal(b"", "bad\nname.txt") == "bad?name.txt is empty"


# ---------------------------------------------------------------- sentences


def test_sentences_split_at_full_stops_and_line_breaks() -> None:
    text = (
        "HEADING WITHOUT A STOP\n"
        "  The festival opened on May 3. It closed on May 5!  Was it long?\n\n"
        "• a list item\n"
        "Mr. Sato met Dr. K. Tanaka in St. Louis on Jan. 5, approx. three days later.\n"
        "See No. 5 of the series. The title was “Spring. A Story” and it sold well.\n"
        "“We will return,” he said. “The hall was full.” Then they left.\n"
    )
    spans = sentences(text)
    assert_sentences(text, spans)
    assert [text[s.start : s.end] for s in spans] == [
        "HEADING WITHOUT A STOP",
        "The festival opened on May 3.",
        "It closed on May 5!",
        "Was it long?",
        "• a list item",
        "Mr. Sato met Dr. K. Tanaka in St. Louis on Jan. 5, approx. three days later.",
        "See No. 5 of the series.",
        "The title was “Spring. A Story” and it sold well.",
        "“We will return,” he said.",
        "“The hall was full.”",
        "Then they left.",
    ]


def test_sentences_of_empty_and_blank_texts() -> None:
    assert sentences("") == [] and sentences(" \n\n\t ") == []
    assert sentences("word") == [Span(0, 4)]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem[:3])
def test_sentences_of_the_five_documents(path: Path) -> None:
    text = path.read_text("utf-8")
    spans = sentences(text)
    assert_sentences(text, spans)
    lines = [line for line in text.split("\n") if line.strip()]
    assert len(spans) >= len(lines)


def test_quotes_of_the_five_documents_lie_within_one_sentence() -> None:
    """The curated quotes are clauses or sentences: each lies within one sentence span, but
    for those a curator drew across two sentences (printed)."""
    inside, across = 0, []
    for path in DOCUMENTS:
        text = path.read_text("utf-8")
        spans = sentences(text)
        quotes = {str(q) for q in Graph().parse(path.with_suffix(".ttl")).objects(None, KG.quote)}
        for quote in quotes:
            start = text.find(quote)
            if start < 0:
                continue
            end = start + len(quote)
            if any(s.start <= start and end <= s.end for s in spans):
                inside += 1
            elif any(s.start <= start < s.end for s in spans):
                across.append(quote)
    print(f"\nquotes within one sentence: {inside} of {inside + len(across)}")
    for quote in across:
        print("  across sentences:", quote[:100])
    assert inside >= 0.95 * (inside + len(across))
    assert all(". " in q or "? " in q or "! " in q or q.count(".") > 1 for q in across)


def test_sentences_speed() -> None:
    text = (DATA / "001_827a15a1c1169bd2.txt").read_text("utf-8")
    sentences("Warm the pipeline up.")
    started = time.perf_counter()
    spans = sentences(text)
    elapsed = time.perf_counter() - started
    print(f"\n{len(text.split())} words, {len(spans)} sentences in {elapsed * 1000:.1f} ms")


def test_sentences_of_a_reduced_html_page() -> None:
    source = read(PAGE.encode(), "page.html")
    spans = sentences(source.text)
    assert_sentences(source.text, spans)
    assert "Tickets cost €5 & more." in [source.text[s.start : s.end] for s in spans]


# ---------------------------------------------------------------- the document


def five_documents() -> Graph:
    return Graph().parse(DATA / "documents.ttl")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem[:3])
def test_known_document_recognises_the_five_by_their_text(path: Path) -> None:
    source = read(path.read_bytes(), path.name)
    assert source.text == path.read_text("utf-8")
    # documents.ttl's kg:sha256 is the digest of the file; the text is the file, as UTF-8
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (
        known_document(five_documents(), source.sha256) == f"https://w3id.org/cakg/doc/{path.stem}"
    )


def test_known_document_reads_the_named_graphs_of_the_built_dataset(dataset: Dataset) -> None:
    path = DOCUMENTS[3]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert known_document(dataset, digest.upper()) == f"https://w3id.org/cakg/doc/{path.stem}"
    assert known_document(dataset, "0" * 64) is None


def new_article() -> Source:
    page = "<html><head><title>A new article</title></head><body><p>Words.</p></body></html>"
    return read(page.encode(), "news/new-article.html")


def test_describe_gives_a_document_like_the_five() -> None:
    source = new_article()
    graph = describe(
        source,
        date="2024-05-01",
        url="https://example.org/news/1",
        publisher="https://w3id.org/cakg/org/the-astana-times",
    )
    parsed = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    node = URIRef(document_iri(source.sha256))
    assert str(node) == "https://w3id.org/cakg/doc/" + source.sha256[:16]
    assert set(parsed.subjects()) == {node}
    assert parsed.value(node, RDF.type) == KG.Document
    assert parsed.value(node, RDFS.label) == Literal("A new article", lang="en")
    assert parsed.value(node, DCTERMS.title) == Literal("A new article", lang="en")
    assert parsed.value(node, DCTERMS.date) == Literal("2024-05-01", datatype=XSD.date)
    assert parsed.value(node, DCTERMS.source) == URIRef("https://example.org/news/1")
    assert parsed.value(node, DCTERMS.publisher) == URIRef(
        "https://w3id.org/cakg/org/the-astana-times"
    )
    assert parsed.value(node, DCTERMS.language) == Literal("en")
    assert parsed.value(node, KG.fileName) == Literal(source.sha256[:16] + ".txt")
    assert parsed.value(node, KG.sha256) == Literal(source.sha256)
    assert known_document(parsed, source.sha256) == str(node)


def test_describe_conforms_to_the_shapes(shapes: Graph) -> None:
    graph = describe(new_article(), publisher="A Newspaper")
    report = validate(graph, shapes, DATA)
    assert report.conforms, report.results


def test_describe_without_a_title_labels_the_file_and_takes_a_given_title() -> None:
    plain = read(b"Only words here.", "folder/story.txt")
    bare = record(plain)
    assert bare.label == "story.txt (no title)" and bare.title is None
    given = record(plain, title="  The   story ", publisher="org:uza")
    assert given.label == given.title == "The story"
    publisher = describe(plain, publisher="org:uza").value(URIRef(bare.iri), DCTERMS.publisher)
    assert publisher == URIRef("https://w3id.org/cakg/org/uza")
    named = describe(plain, publisher="The Daily News").value(URIRef(bare.iri), DCTERMS.publisher)
    assert named == Literal("The Daily News")


@pytest.mark.parametrize("date", ["2024-13-01", "2024-02-30", "2024-5-1", "20240501", "May 2024"])
def test_describe_refuses_a_date_not_written_yyyy_mm_dd(date: str) -> None:
    with pytest.raises(DocumentError, match="not a calendar date written YYYY-MM-DD"):
        describe(new_article(), date=date)


@pytest.mark.parametrize("url", ["example.org/a", "ftp://example.org/a", "https://a b/c"])
def test_describe_refuses_a_url_that_is_not_http(url: str) -> None:
    with pytest.raises(DocumentError, match="not an http or https address"):
        describe(new_article(), url=url)


def test_the_same_text_twice_is_one_document() -> None:
    first = read(b"The same article.", "a.txt")
    again = read(codecs.BOM_UTF8 + b"The same article.", "copy.md")
    assert document_iri(first.sha256) == document_iri(again.sha256)
    assert known_document(describe(first), again.sha256) == document_iri(first.sha256)
