"""The assistant's rules are general English, not a memory of the five documents (issue 14):
no run of six words of any of them occurs in its code or rule files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCUMENTS = sorted((ROOT / "data").glob("*.txt"))
ASSISTANT = sorted((ROOT / "src" / "kg" / "assist").rglob("*.py"))
RUN = 6  # words: a sentence, or a long name, of a document


def words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text.casefold())


def runs(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + RUN]) for i in range(len(found) - RUN + 1)}


@pytest.mark.parametrize("path", ASSISTANT, ids=lambda p: p.name)
def test_no_sentence_of_the_documents_is_in_the_assistant(path: Path) -> None:
    code = runs(path.read_text("utf-8"))
    for document in DOCUMENTS:
        shared = code & runs(document.read_text("utf-8"))
        assert not shared, f"{path.name} repeats {document.name}: {' '.join(min(shared))}"


def test_the_check_sees_a_copied_sentence() -> None:
    sentence = " ".join(words(DOCUMENTS[0].read_text("utf-8"))[:12])
    assert runs(f'RULE = "{sentence}"') & runs(DOCUMENTS[0].read_text("utf-8"))
