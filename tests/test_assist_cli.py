"""`kg extract`: a new article in, a draft for review out, nothing in the graph (issue 14).

The article below is written for this test (general news English), not taken from the five
documents, so that what it checks is the assistant and not a memory of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.cli import main
from kg.namespaces import KG

DATA = Path(__file__).parent.parent / "data"

ARTICLE = """<!doctype html>
<html><head><title>Tashkent hosts a film week</title>
<script>document.write("tracking pixel");</script><style>p { color: red }</style></head>
<body>
<h1>Tashkent hosts a film week</h1>
<p>A week of Japanese cinema was held in Tashkent on March 3&ndash;9, 2024, with screenings
at the Alisher Navoi State Academic Grand Theatre.</p>
<p>The organisers will hold a second film week in Samarkand next year.</p>
<p>More than 4,000 viewers attended the screenings.</p>
</body></html>
"""


@pytest.fixture()
def drafts(tmp_path: Path) -> Path:
    return tmp_path / "drafts"


def extract(runner: CliRunner, path: Path, drafts: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(main, ["extract", str(path), "--out", str(drafts), *options])
    return result.exit_code, result.output


def test_an_article_becomes_a_draft_and_nothing_else(
    runner: CliRunner, tmp_path: Path, drafts: Path
) -> None:
    article = tmp_path / "film-week.html"
    article.write_text(ARTICLE, "utf-8")
    code, output = extract(runner, article, drafts, "--date", "2024-03-12")
    assert code == 0, output
    assert "mentions:" in output and "facts:" in output and "to decide:" in output
    [folder] = list(drafts.iterdir())
    draft = Graph().parse(folder / "draft.ttl")
    documents = list(draft.subjects(RDF.type, KG.Document))
    assert len(documents) == 1
    text = (folder / draft.value(documents[0], KG.fileName)).read_text("utf-8")
    assert "tracking pixel" not in text and "color: red" not in text
    # every quote of the draft is verbatim in the article's text
    quotes = [str(q) for q in draft.objects(None, KG.quote)]
    assert quotes and all(q in text for q in quotes)
    # the week that was held is an event; the one the organisers "will hold" is a plan
    events = set(draft.subjects(RDF.type, KG.CulturalEvent))
    plans = set(draft.subjects(RDF.type, KG.Plan))
    assert events and plans
    happened = URIRef("https://w3id.org/cakg/vocab/status/happened")
    assert all(draft.value(p, KG.status) != happened for p in plans)
    # linked to the graph's own theatre and city, not minted anew
    theatre = URIRef("https://w3id.org/cakg/venue/alisher-navoi-theatre")
    samarkand = URIRef("https://w3id.org/cakg/city/samarkand")
    assert {theatre, samarkand} <= set(draft.objects())
    assert (theatre, RDF.type, None) not in draft
    review = json.loads((folder / "review.json").read_text("utf-8"))
    assert review["text"] == text and review["facts"] and review["mentions"]
    for mention in review["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]


def test_the_draft_can_be_checked_with_kg_validate(
    runner: CliRunner, tmp_path: Path, drafts: Path
) -> None:
    article = tmp_path / "film-week.html"
    article.write_text(ARTICLE, "utf-8")
    assert extract(runner, article, drafts, "--date", "2024-03-12")[0] == 0
    [folder] = list(drafts.iterdir())
    result = runner.invoke(main, ["validate", "--output", "json", str(folder / "draft.ttl")])
    assert result.exit_code in (0, 1), result.output  # a report, not an input error
    report = json.loads(result.output)
    # the quotes are checked against the article's text beside the draft
    assert not any("cannot check the quote" in r["message"] for r in report["results"])
    assert not any("does not occur verbatim" in r["message"] for r in report["results"])


def test_a_registered_text_is_recognised_not_duplicated(runner: CliRunner, drafts: Path) -> None:
    code, output = extract(runner, DATA / "003_74272806e3865168.txt", drafts)
    assert code == 0, output
    assert "registered already as https://w3id.org/cakg/doc/003_74272806e3865168" in output
    [folder] = list(drafts.iterdir())
    draft = Graph().parse(folder / "draft.ttl")
    assert not list(draft.subjects(RDF.type, KG.Document))
    sources = set(draft.objects(None, KG.source))
    assert sources == {URIRef("https://w3id.org/cakg/doc/003_74272806e3865168")}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("empty.txt", b"", "empty", id="empty"),
        pytest.param("blank.txt", b"  \n\t\n", "empty", id="white-space"),
        pytest.param("paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF", id="pdf"),
        pytest.param("big.txt", b"word " * 300_000, "limit", id="over-the-limit"),
        pytest.param("bin.txt", bytes(range(256)) * 8, "", id="binary"),
        pytest.param("script.html", b"<script>alert(1)</script>", "no text", id="only-script"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, drafts: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, output = extract(runner, path, drafts)
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in output
    assert not drafts.exists()  # nothing written


def test_a_missing_file_and_a_bad_date_are_input_errors(
    runner: CliRunner, tmp_path: Path, drafts: Path
) -> None:
    code, output = extract(runner, tmp_path / "nowhere.txt", drafts)
    assert code == 2 and output.startswith("error: cannot read")
    article = tmp_path / "a.txt"
    article.write_text("A concert was held in Tashkent in 2024.", "utf-8")
    code, output = extract(runner, article, drafts, "--date", "2024-13-40")
    assert code == 2 and output.startswith("error: ") and len(output.strip().splitlines()) == 1
