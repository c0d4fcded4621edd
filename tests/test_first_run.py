"""What a new user meets on a fresh clone: `make run`, the README's `kg` commands, the notebook,
a second `make run`, query errors, the install's output, and the first pages they open."""

from __future__ import annotations

import ast
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import nbformat
import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.cli import main
from kg.errors import QuerySyntaxError
from kg.graph.parsing import quiet_rdflib_deprecations
from kg.namespaces import BASE
from kg.store.engine import QueryJob, evaluate

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
MAKEFILE = ROOT / "Makefile"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
NOTEBOOK = ROOT / "examples" / "notebook.ipynb"
#: The virtual environment the tests run in: `.venv` after `make test`.
VENV = Path(sys.executable).parent.parent
KG = VENV / "bin" / "kg"
MAKE = shutil.which("make")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


# ---------------------------------------------------------------- local helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def section(title: str) -> str:
    """The README's section under `## title`, up to the next `## `."""
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def make(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    assert MAKE, "make is not installed"
    return subprocess.run(
        [MAKE, "--no-print-directory", f"VENV={VENV}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def lines_until(process: subprocess.Popen[str], marker: str, seconds: float) -> list[str]:
    """Lines the process prints on standard output, up to one starting with marker."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        seen.append(line.rstrip("\n"))
        if line.startswith(marker):
            return seen
    raise AssertionError(f"no line starting with {marker!r} in {seen!r}")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


# ---------------------------------------------------------------- 1. reaching `kg`


def test_readme_says_how_to_reach_kg() -> None:
    """`make run` leaves `kg` in .venv/bin, not on PATH: the README says how to call it."""
    install = section("Install and run")
    assert ".venv/bin/kg" in install
    assert "source .venv/bin/activate" in install


def serve_lines(
    command: list[str], settings: dict[str, str], seconds: float, cwd: Path | None = None
) -> list[str]:
    """What `kg serve` prints up to its line naming the kg command; then it is stopped."""
    env = {**os.environ, **settings, "KG_PORT": str(free_port()), "KG_QUERY_WORKERS": "1"}
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        return lines_until(process, "the kg command is", seconds=seconds)
    finally:
        stop(process)
        if process.stdout:
            process.stdout.close()


def test_serve_names_the_kg_command_when_run_as_venv_bin_kg(built: Path) -> None:
    """As `make run` starts it (`.venv/bin/kg serve`), the second line says how to reach `kg`,
    and both ways it names work from that folder."""
    relative = f"{VENV.name}/bin/kg"
    lines = serve_lines([relative, "serve"], {"KG_BUILD_DIR": str(built)}, 60, cwd=VENV.parent)
    assert lines[-1] == (
        f"the kg command is {relative} (or `source {VENV.name}/bin/activate`, then `kg`); "
        "stop the server with Ctrl-C"
    )
    by_path = subprocess.run(
        [relative, "--help"], cwd=VENV.parent, capture_output=True, text=True, check=False
    )
    assert by_path.returncode == 0 and "kg" in by_path.stdout
    activated = subprocess.run(
        ["bash", "-c", f"source {VENV.name}/bin/activate && command -v kg"],
        cwd=VENV.parent,
        env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert activated.returncode == 0, activated.stderr
    assert Path(activated.stdout.strip()).resolve() == KG.resolve()


def test_serve_that_builds_says_so_in_a_few_lines(tmp_path: Path) -> None:
    """`make run` on a fresh clone builds first: it printed each of the 135 values the build
    derived by a rule before "serving". `kg build` lists them; serving counts them."""
    folders = {"KG_BUILD_DIR": str(tmp_path / "build"), "KG_VAR_DIR": str(tmp_path / "var")}
    lines = serve_lines([str(KG), "serve", "--build"], folders, 180)
    assert not [line for line in lines if "derived (" in line]
    assert any(line.startswith("evidence support: ") and "kg build" in line for line in lines)
    assert len(lines) <= 8, lines


# ---------------------------------------------------------------- 2. the notebook


def _notebook_imports() -> set[str]:
    names: set[str] = set()
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names)


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_notebook_extra_installs_what_the_notebook_needs() -> None:
    """`pip install -e '.[notebook]'` brings every library the notebook imports, a kernel and
    `jupyter nbconvert`; the test extra includes it, so `make test` can run the notebook."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    notebook = _requirement_names(extras["notebook"])
    imported = {name.lower() for name in _notebook_imports()}
    assert imported == {"pandas", "requests", "sparqlwrapper", "matplotlib"}
    assert imported | {"ipykernel", "nbconvert", "nbclient", "nbformat"} <= notebook
    assert "cakg[notebook]" in extras["test"]


def test_readme_tells_how_to_run_the_notebook() -> None:
    install = section("Install and run")
    assert "```sh\nmake notebook\n```" in install
    assert "make run" in install and "KG_ENDPOINT" in install


def test_make_notebook_executes_it_against_the_server(server: Any, tmp_path: Path) -> None:
    """`make notebook` (its install step aside: the test extra has installed it) runs the
    notebook with `jupyter nbconvert` against a running server and keeps the executed copy."""
    done = make(
        "-o",
        "install-notebook",
        "notebook",
        f"KG_ENDPOINT={server.endpoint}",
        f"NOTEBOOK_OUT={tmp_path}",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nbconvert" in done.stdout
    executed = nbformat.read(tmp_path / "notebook.ipynb", as_version=4)
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "Rishtan" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_make_notebook_without_a_server_says_to_start_one(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/sparql"
    done = make(
        "-o", "install-notebook", "notebook", f"KG_ENDPOINT={nowhere}", f"NOTEBOOK_OUT={tmp_path}"
    )
    assert done.returncode != 0
    assert f"no SPARQL endpoint answers at {nowhere}" in done.stderr
    assert "make run" in done.stderr
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- 3. a second `make run`


def test_make_run_is_one_command_that_checks_builds_and_serves() -> None:
    """`make run` is `kg serve --build`: the port is checked before build/ is touched."""
    done = make("-n", "-o", "install", "run", timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{VENV}/bin/kg serve --build"]


def test_serve_on_a_busy_port_exits_2_and_builds_nothing(server: Any, tmp_path: Path) -> None:
    """With a server running, `kg serve --build` on its port stops at once: exit 2, one line
    that says the port is in use and how to choose another, and nothing written."""
    build = tmp_path / "build"
    build.mkdir()
    env = {**os.environ, "KG_BUILD_DIR": str(build)}
    env.pop("KG_PORT", None)
    done = subprocess.run(
        [str(KG), "serve", "--port", str(server.port), "--build"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert f"127.0.0.1:{server.port} is in use" in done.stderr
    assert "--port" in done.stderr and "KG_PORT" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(build.iterdir()) == []
    assert requests.get(server.url + "/health", timeout=5).status_code == 200


# ---------------------------------------------------------------- 4. `kg query` errors

BAD_QUERIES = [
    pytest.param("SELECT * WHERE { ?s zz:p ?o }", 'prefix "zz:" is not bound', id="prefix-p"),
    pytest.param("SELECT * WHERE { ?s ?p zz:o }", 'prefix "zz:" is not bound', id="prefix-o"),
    pytest.param("SELECT * WHERE { zz:s ?p ?o }", 'prefix "zz:" is not bound', id="prefix-s"),
    pytest.param("SELECT * WHERE { ?s a :Thing }", 'prefix ":" is not bound', id="empty-prefix"),
    pytest.param(
        "SELECT * WHERE { ?s <urn:x:p> ?o } GROUP BY ?s", "does not parse", id="long-expected"
    ),
    pytest.param("SELECT * WHERE {\n ?s ?p \n}", "does not parse", id="unclosed"),
]


@pytest.mark.parametrize(("query", "says"), BAD_QUERIES)
def test_query_errors_are_one_line(runner: CliRunner, built: Path, query: str, says: str) -> None:
    result = runner.invoke(main, ["query", query])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert re.fullmatch(r"error: query:\d+:\d+: [^\n]+\n", result.stderr), result.stderr
    assert says in result.stderr


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", id="service"),
        pytest.param("SELECT * WHERE " + "{" * 80 + "}" * 80, id="too-deep"),
        pytest.param("no-such-file.rq", id="missing-file"),
    ],
)
def test_other_query_errors_are_one_line(runner: CliRunner, built: Path, query: str) -> None:
    result = runner.invoke(main, ["query", query])
    assert result.exit_code == 2
    assert re.fullmatch(r"error: [^\n]+\n", result.stderr), result.stderr


def test_readme_query_error_example_is_what_kg_prints(runner: CliRunner, built: Path) -> None:
    example = re.search(r"^\$ kg query '([^']+)'\n(error: .*)$", README, re.MULTILINE)
    assert example, "the README shows a `kg query` error"
    result = runner.invoke(main, ["query", example[1]])
    assert result.exit_code == 2
    assert result.stderr == example[2] + "\n"


@pytest.mark.parametrize("query", [p.values[0] for p in BAD_QUERIES])
def test_engine_syntax_messages_are_one_line(query: str) -> None:
    """The message is made one line where it is made: the engine (for the CLI and HTTP)."""
    with pytest.raises(QuerySyntaxError) as caught:
        evaluate(ox.Store(), QueryJob(query))
    assert "\n" not in caught.value.message
    assert caught.value.line is not None and caught.value.column is not None


@pytest.mark.parametrize("query", [p.values[0] for p in BAD_QUERIES])
def test_endpoint_syntax_messages_are_one_line(server: Any, query: str) -> None:
    response = requests.post(server.endpoint, data={"query": query}, timeout=30)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "syntax_error"
    assert "\n" not in body["message"] and body["line"] >= 1


# ---------------------------------------------------------------- 5. the install's output


def test_license_is_an_spdx_string() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    requires = PYPROJECT["build-system"]["requires"]
    setuptools = [r for r in requires if r.startswith("setuptools")]
    assert setuptools, requires
    assert int(re.findall(r">=\s*(\d+)", setuptools[0])[0]) >= 77


def test_editable_install_prints_no_deprecation_banner() -> None:
    """What `pip install -e .` builds, without changing the environment (--dry-run)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "-e", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "deprecat" not in output.lower(), output
    assert "!!" not in output and "****" not in output


# ---------------------------------------------------------------- 6. concept schemes

with quiet_rdflib_deprecations():
    _ONTOLOGY = Graph()
    for _path in sorted((ROOT / "ontology").glob("*.ttl")):
        _ONTOLOGY.parse(_path, format="turtle")
SCHEMES = sorted(str(s) for s in _ONTOLOGY.subjects(RDF.type, SKOS.ConceptScheme))


def test_the_ontology_has_concept_schemes() -> None:
    assert len(SCHEMES) >= 4


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s[len(BASE) :])
def test_concept_schemes_dereference(server: Any, scheme: str) -> None:
    """A scheme resolves at its IRI, and at its list's path (`/vocab/status`, the namespace
    of `status:happened`), in Turtle and as a page, like its concepts do."""
    path = scheme[len(BASE) :]
    namespace = path.rsplit("/", 1)[0]
    label = str(_ONTOLOGY.value(URIRef(scheme), SKOS.prefLabel))
    for where in (path, namespace, namespace + "/"):
        turtle = requests.get(
            f"{server.url}/{where}", headers={"Accept": "text/turtle"}, timeout=30
        )
        assert turtle.status_code == 200, where
        assert turtle.headers["Content-Type"].startswith("text/turtle")
        assert turtle.headers["Content-Location"] == f"/{path}.ttl"
        with quiet_rdflib_deprecations():
            graph = Graph().parse(data=turtle.text, format="turtle")
        assert (URIRef(scheme), RDF.type, SKOS.ConceptScheme) in graph, where
        page = requests.get(f"{server.url}/{where}", headers={"Accept": BROWSER}, timeout=30)
        assert page.status_code == 200, where
        assert page.headers["Content-Type"].startswith("text/html")
        assert label in page.text


def test_unknown_lists_are_still_404(server: Any) -> None:
    response = requests.get(f"{server.url}/vocab/no-such-list", timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/turtle")


# ---------------------------------------------------------------- 7. /metrics


def test_metrics_names_its_charset_once(server: Any) -> None:
    response = requests.get(server.url + "/metrics", timeout=30)
    assert response.status_code == 200
    content_type = response.headers["Content-Type"]
    assert content_type.startswith("text/plain")
    assert content_type.lower().count("charset=") == 1, content_type


# ---------------------------------------------------------------- 8. 404s for people and programs


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        pytest.param(BROWSER, "html", id="browser"),
        pytest.param("text/html", "html", id="text-html"),
        pytest.param(None, "json", id="no-accept"),
        pytest.param("*/*", "json", id="any"),
        pytest.param("application/json", "json", id="json"),
        pytest.param("application/json, text/html;q=0.5", "json", id="json-first"),
        pytest.param("text/plain", "text", id="text-plain"),
    ],
)
def test_unknown_page_paths_answer_by_accept(
    server: Any, accept: str | None, expected: str
) -> None:
    response = requests.get(server.url + "/no-such-page", headers={"Accept": accept}, timeout=30)
    assert response.status_code == 404
    assert "Accept" in response.headers.get("Vary", "")
    content_type = response.headers["Content-Type"]
    if expected == "html":
        assert content_type.startswith("text/html")
        assert "<h1>" in response.text and "/no-such-page" in response.text
    elif expected == "json":
        assert content_type.startswith("application/json")
        body = response.json()
        assert body["status"] == 404 and body["error"] == "not_found" and body["message"]
    else:
        assert content_type.startswith("text/plain")
        assert response.text.startswith("404 not_found: ")


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        pytest.param(BROWSER, "text/html", id="browser"),
        pytest.param(None, "text/turtle", id="no-accept"),
        pytest.param("*/*", "text/turtle", id="any"),
        pytest.param("text/turtle", "text/turtle", id="turtle"),
        pytest.param("application/ld+json", "application/ld+json", id="json-ld"),
    ],
)
def test_unknown_entities_keep_negotiating(server: Any, accept: str | None, media: str) -> None:
    response = requests.get(
        server.url + "/city/no-such-city", headers={"Accept": accept}, timeout=30
    )
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith(media)
    if media == "text/html":
        assert "https://w3id.org/cakg/city/no-such-city" in response.text


def test_a_bad_query_is_a_page_for_a_browser_and_json_for_a_client(server: Any) -> None:
    """Issue 15 turned this round: a browser following a shared link to a bad query gets a page
    naming the line and column (it used to get JSON); a SPARQL client still gets JSON."""
    page = requests.get(
        server.endpoint, params={"query": "SELECT"}, headers={"Accept": BROWSER}, timeout=30
    )
    assert page.status_code == 400
    assert page.headers["Content-Type"].startswith("text/html")
    assert "line 1" in page.text
    client = requests.get(
        server.endpoint,
        params={"query": "SELECT"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert client.status_code == 400
    assert json.loads(client.text)["error"] == "syntax_error"


# ---------------------------------------------------------------- 9. tests that may skip, and CI


def test_readme_says_which_tests_skip() -> None:
    tests = section("Test")
    assert "Chromium" in tests and "Virtuoso" in tests
    assert "KG_TEST_BROWSER=required" in tests and "KG_TEST_VIRTUOSO=required" in tests


def test_ci_requires_the_browser_tests_like_the_virtuoso_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    virtuoso = ci.index("export KG_TEST_VIRTUOSO=required")
    browser = ci.index("export KG_TEST_BROWSER=required")
    assert abs(virtuoso - browser) == 1
    assert browser < ci.index("make test")


# ---------------------------------------------------------------- the README's map of the code


def test_readme_layout_points_to_the_architecture() -> None:
    layout = section("Layout")
    assert "docs/architecture.md" in layout
    for folder in ("src/kg/graph", "src/kg/store", "src/kg/web", "src/kg/cli"):
        assert folder in layout


def test_readme_serve_row_mentions_build() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `kg serve"))
    assert "--build" in row
    assert "only when there is no build yet" in row and "one line" in row


@pytest.mark.parametrize("fork", ["true", "false"], ids=["forked", "spawned"])
def test_serve_on_a_build_that_cannot_be_loaded_says_so_in_one_line(
    tmp_path: Path, fork: str
) -> None:
    """A damaged build (a file cut short, edited by hand) stops `kg serve` at start: exit 2 and
    one line naming the file, where the parser stopped, and what to do, not the tracebacks of
    query processes that die and are started again."""
    build = tmp_path / "build"
    build.mkdir()
    (build / "cakg.nq").write_text('<https://w3id.org/cakg/x> <https://w3id.org/cakg/p> "cut\n')
    env = {**os.environ, "KG_BUILD_DIR": str(build), "KG_VAR_DIR": str(tmp_path / "var")}
    env.update(KG_PORT=str(free_port()), KG_QUERY_FORK=fork)
    done = subprocess.run(
        [str(KG), "serve"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert str(build / "cakg.nq") in done.stderr and "line 1" in done.stderr
    assert "kg build" in done.stderr
    assert "serving" not in done.stdout
