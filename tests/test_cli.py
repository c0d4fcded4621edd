"""The `kg` command: build, validate and query, with pySHACL's exit codes (0, 1, 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import PREFIXES, event
from rdflib import Dataset, Graph

from kg.cli import main
from kg.graph.dataset import load_built
from kg.graph.parsing import quiet_rdflib_deprecations

EXAMPLES = Path(__file__).parent / "shapes"
GOOD_ADDITION = (
    PREFIXES
    + """

<https://w3id.org/cakg/event/test-addition> a kg:CulturalEvent ;
    rdfs:label "A curator's addition"@en ;
    kg:eventType etype:festival ;
    kg:status status:happened ;
    kg:location city:khiva ;
    kg:participatingCountry country:kz ;
    kg:date "2024"^^xsd:gYear ;
    kg:evidence [ a kg:Evidence ; kg:source doc:000_74681c818d2b02ab ;
        kg:quote "Representatives of Kazakhstan also participated in the “Lazgi” festival" ] .
"""
)


def test_build_writes_a_conforming_dataset(runner: CliRunner, settings: dict[str, Any]) -> None:
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert "the graph conforms" in result.output
    built = load_built(settings["BUILD_DIR"])
    assert built is not None
    names = {str(g.identifier).rsplit("/", 1)[-1] for g in built.graphs() if len(g)}
    assert {
        "ontology",
        "gazetteer",
        "sources",
        "000_74681c818d2b02ab",
        "001_827a15a1c1169bd2",
        "002_4637cb8ccaca7e8e",
        "003_74272806e3865168",
        "004_9d499ef1004e1885",
        "schema-org",
    } <= names
    trig = Dataset()
    with (settings["BUILD_DIR"] / "cakg.trig").open("rb") as handle, quiet_rdflib_deprecations():
        trig.parse(handle, format="trig")
    assert len(list(trig.quads())) == len(list(built.quads()))
    # counted as /health and VoID count: triples in the merge, and statements graph by graph
    # (it said "built 10589 triples" where /health said 10566)
    quads = len(list(built.quads()))
    merged = len({(s, p, o) for s, p, o, _ in built.quads()})
    assert f"built {merged} distinct triples ({quads} statements in " in result.output


def test_build_fails_with_a_report_on_a_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for path in settings["DATA_DIR"].iterdir():
        (data / path.name).write_bytes(path.read_bytes())
    (data / "000_74681c818d2b02ab.ttl").write_text(
        (EXAMPLES / "plan_XFAIL.ttl").read_text("utf-8"), "utf-8"
    )
    monkeypatch.setenv("KG_DATA_DIR", str(data))
    monkeypatch.setenv("KG_BUILD_DIR", str(tmp_path / "build"))
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "Does not conform" in result.output
    assert "plan-happened" in result.output
    assert not (tmp_path / "build" / "cakg.nq").exists()


def test_validate_accepts_a_conforming_addition(runner: CliRunner, tmp_path: Path) -> None:
    addition = tmp_path / "addition.ttl"
    addition.write_text(GOOD_ADDITION, "utf-8")
    result = runner.invoke(main, ["validate", str(addition)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms")


def test_validate_reports_violations_readably(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(EXAMPLES / "twinning_XFAIL.ttl")])
    assert result.exit_code == 1
    out = result.output
    assert "Violation: https://w3id.org/cakg/example/same-country (Tashkent – Samarkand)" in out
    assert "path:    kg:twinnedPlace" in out
    assert "message: A twinning joins exactly two distinct places" in out
    assert "value:   country:jp" in out


def test_validate_json_output(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["validate", "--output", "json", str(EXAMPLES / "award_XFAIL.ttl")]
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    first = report["results"][0]
    assert set(first) >= {"focus_node", "path", "value", "message", "severity", "shape", "label"}


def test_validate_turtle_output_is_a_shacl_report(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["validate", "--output", "turtle", str(EXAMPLES / "plan_XFAIL.ttl")]
    )
    assert result.exit_code == 1
    report = Graph().parse(data=result.output, format="turtle")
    asked = report.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> "
        "ASK { ?r a sh:ValidationReport ; sh:conforms false ; sh:result ?x }"
    )
    assert asked.askAnswer


def test_validate_refers_to_existing_nodes(runner: CliRunner, tmp_path: Path) -> None:
    """An addition may point at nodes of the graph; it can also break them."""
    addition = tmp_path / "third-place.ttl"
    addition.write_text(
        "<https://w3id.org/cakg/twinning/tashkent-nagoya> "
        "<https://w3id.org/cakg/ontology#twinnedPlace> <https://w3id.org/cakg/city/osaka> .\n"
    )
    result = runner.invoke(main, ["validate", str(addition)])
    assert result.exit_code == 1
    assert "Violation: twinning:tashkent-nagoya (Tashkent – Nagoya)" in result.output


@pytest.mark.parametrize(
    ("name", "content", "args", "expected"),
    [
        pytest.param(
            "bad.ttl",
            "@prefix a: <http://a/> .\na:b a:c zz:d .\n",
            [],
            "bad.ttl:2:9: syntax error",
            id="turtle-syntax",
        ),
        pytest.param(
            "bad.nt", "<http://a> <http://b> .\n", [], "bad.nt:1:1: syntax error", id="nt-syntax"
        ),
        pytest.param(
            "bad.jsonld", '{"@id": }', [], "bad.jsonld:1:9: syntax error", id="jsonld-syntax"
        ),
        pytest.param("data.txt", "x", [], "cannot tell the format", id="unknown-extension"),
        pytest.param(
            "data.ttl", "x", ["--format", "n5"], "unknown format 'n5'", id="unknown-format"
        ),
    ],
)
def test_validate_input_errors_exit_2_with_one_line(
    runner: CliRunner, tmp_path: Path, name: str, content: str, args: list[str], expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = runner.invoke(main, ["validate", *args, str(path)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_validate_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 2
    assert "nope.ttl: no such file" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        pytest.param(
            "table", lambda out: "kg:Country" not in out and "(4 rows)" in out, id="table"
        ),
        pytest.param("csv", lambda out: out.splitlines()[0].strip() == "country,code", id="csv"),
        pytest.param(
            "json", lambda out: len(json.loads(out)["results"]["bindings"]) == 4, id="json"
        ),
    ],
)
def test_query_formats(runner: CliRunner, fmt: str, check: Any) -> None:
    query = (
        "SELECT ?country ?code WHERE { ?country a kg:Country ; kg:iso3166Code ?code } "
        "ORDER BY ?code"
    )
    result = runner.invoke(main, ["query", "--format", fmt, query])
    assert result.exit_code == 0, result.output
    assert check(result.output), result.output


def test_query_from_a_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { <https://w3id.org/cakg/city/khiva> a kg:City }")
    result = runner.invoke(main, ["query", str(path)])
    assert result.exit_code == 0
    assert result.output == "true\n"


def test_query_syntax_error_names_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "SELECT * WHERE {\n ?s ?p \n}"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: query:3:")
    assert "does not parse" in result.stderr


def test_console_script_runs_for_real(settings: dict[str, Any], tmp_path: Path) -> None:
    """The installed `kg` entry point, in its own process."""
    env = {"KG_BUILD_DIR": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run(
        [Path(sys.executable).parent / "kg", "build"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [
            Path(sys.executable).parent / "kg",
            "query",
            "--format",
            "csv",
            "SELECT (COUNT(*) AS ?n) WHERE { ?t a kg:CityTwinning }",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.splitlines() == ["n", "4"]


def test_settings_file_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One place for configuration: a TOML file, overridden by KG_* variables, then flags."""
    from kg import config

    path = tmp_path / "kg.toml"
    path.write_text('QUERY_TIMEOUT_S = 3.5\nPORT = 9999\nHOST = "127.0.0.2"\n')
    monkeypatch.setenv("KG_CONFIG", str(path))
    monkeypatch.setenv("KG_PORT", "9000")
    values = config.load({"HOST": "127.0.0.3"})
    assert values["QUERY_TIMEOUT_S"] == 3.5  # from the file
    assert values["PORT"] == 9000  # the environment beats the file
    assert values["HOST"] == "127.0.0.3"  # flags beat both


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("QUERY_TIMEOUT = 3\n", "unknown setting QUERY_TIMEOUT", id="unknown"),
        pytest.param("PORT = = 3\n", "kg.toml", id="syntax"),
        pytest.param('PORT = "abc"\n', "PORT", id="text-for-a-number"),
        pytest.param('QUERY_WORKERS = "two"\n', "QUERY_WORKERS", id="words-for-a-number"),
        pytest.param("QUERY_FORK = 3\n", "QUERY_FORK", id="number-for-a-switch"),
        pytest.param("PAGE_ITEMS = 0\n", "kg.toml: PAGE_ITEMS", id="out-of-range-in-the-file"),
    ],
)
def test_bad_settings_file_is_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "kg.toml"
    path.write_text(content)
    result = CliRunner().invoke(main, ["--config", str(path), "settings"])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "abc"), ("QUERY_TIMEOUT_S", "fast"), ("QUERY_FORK", "maybe")]
)
def test_a_bad_setting_in_the_environment_is_one_clear_line(name: str, value: str) -> None:
    """`KG_PORT=abc kg serve` ended in a Python traceback (ValueError), exit 1."""
    result = CliRunner().invoke(main, ["settings"], env={f"KG_{name}": value})
    assert result.exit_code == 2, result.output
    assert f"KG_{name}" in result.stderr and value in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAGE_ITEMS", "0"),
        ("PAGE_ITEMS", "-5"),
        ("PAGE_TIMEOUT_S", "0"),
        ("QUERY_TIMEOUT_S", "-1"),
        ("PAGE_TIMEOUT_S", "nan"),  # nan < 0.001 is false: the page deadline was gone
        ("QUERY_TIMEOUT_S", "inf"),
        ("PAGE_TIMEOUT_S", "1e10"),  # past threading's longest wait: readers waiting got 500s
        ("PAGE_ITEMS", "9" * 400),  # too large for a float: an OverflowError, not a line
    ],
)
def test_a_setting_out_of_its_range_is_one_clear_line(name: str, value: str) -> None:
    """`KG_PAGE_ITEMS=0 kg serve` served a map that failed (a 500: no city to fit the map
    to) and pages that listed nothing: a setting says what range it takes, and is held to it."""
    result = CliRunner().invoke(main, ["settings"], env={f"KG_{name}": value})
    assert result.exit_code == 2, result.output
    assert f"KG_{name}" in result.stderr and "a number from" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "holds no statements"),
        ("[] a <https://w3id.org/cakg/ontology#Place> .\n", "blank node"),
    ],
)
def test_kg_validate_refuses_what_the_server_refuses(
    runner: CliRunner, tmp_path: Path, content: str, message: str
) -> None:
    """An empty file, or one about blank nodes only, "Conforms" in `kg validate` and was 422 on
    the server: the command now reads an addition as the server does."""
    path = tmp_path / "addition.ttl"
    path.write_text(content)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_kg_validate_reads_relative_iris_as_the_server_does(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An event at `<fest>` failed in `kg validate` with "Base <urn:x-kg:input/> has no slash
    after colon"; the server read it against its own base and refused it as an IRI of ours
    no page can serve. The command now reads it as the server does, and says the same."""
    path = tmp_path / "addition.ttl"
    path.write_text(event("x").replace("<https://w3id.org/cakg/event/x>", "<fest>"))
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "cannot be dereferenced" in result.output


def test_every_folder_setting_is_taken_from_the_project_folder() -> None:
    """DRAFTS_DIR was taken from the current directory, unlike the other folders."""
    from kg import config

    values = config.load({"DRAFTS_DIR": "drafts"})
    assert values["DRAFTS_DIR"] == config.PROJECT_ROOT / "drafts"


@pytest.mark.parametrize(
    ("command", "name", "value"),
    [("serve", "STORE_AUTH", "kerberos"), ("load", "STORE_RESULTS", "xml")],
)
def test_remote_settings_it_cannot_use_are_refused_before_start(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, command: str, name: str, value: str
) -> None:
    monkeypatch.setenv("KG_STORE_URL", "http://127.0.0.1:9/query")  # nothing listens there
    monkeypatch.setenv("KG_STORE_GSP_URL", "http://127.0.0.1:9/store")
    monkeypatch.setenv(f"KG_{name}", value)
    result = runner.invoke(main, [command])
    assert result.exit_code == 2
    assert f"{name} must be" in result.output and repr(value) in result.output
    assert "Traceback" not in result.output


def test_python_dash_m_runs_the_command() -> None:
    """`python -m kg.launcher` is the command, as the `kg` script is (it once did nothing)."""
    done = subprocess.run(
        [sys.executable, "-m", "kg.launcher", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "extract" in done.stdout and "serve" in done.stdout


def test_python_dash_m_kg_is_the_command() -> None:
    """`python -m kg.cli` failed ("No module named kg.cli.__main__"): with no console script
    on the PATH there was no way in but the script's path."""
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Build, validate and query" in done.stdout
