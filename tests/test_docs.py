"""The README documents every setting and every command it shows works."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def settings_table() -> dict[str, tuple[str, str]]:
    block = README.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    rows = {}
    for line in block.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = (cells[1].strip("`"), cells[2])
    return rows


def test_settings_are_documented() -> None:
    table = settings_table()
    assert set(table) == {s.name for s in SETTINGS}
    for setting in SETTINGS:
        default, help_text = table[setting.name]
        assert default == str(setting.default)
        assert help_text == setting.help


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
