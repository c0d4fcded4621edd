"""The README documents every setting and every command it shows works."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def test_settings_are_documented(runner: CliRunner) -> None:
    """The README's table is exactly what `kg settings` prints from the settings table."""
    block = README.split("<!-- settings-table -->\n")[1].split("<!-- /settings-table -->")[0]
    result = runner.invoke(main, ["settings"])
    assert result.exit_code == 0
    assert block == result.output
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in block


def test_readme_names_the_two_commands() -> None:
    assert "```sh\nmake run\n```" in README
    assert "```sh\nmake test\n```" in README
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_readme_year_query_works(runner: CliRunner) -> None:
    query = re.search(r"```sparql\n(.*?)```", README, re.DOTALL)
    assert query is not None
    result = runner.invoke(main, ["query", "--format", "csv", query.group(1)])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 5


def test_readme_sample_query_runs(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["query", str(ROOT / "examples/queries/events-per-country-and-year.rq")]
    )
    assert result.exit_code == 0, result.output
    assert "Kazakhstan" in result.output
