"""The ``kg`` command: build, validate, query, serve, export, load.

Exit codes follow pySHACL: 0 = conforms / success, 1 = does not conform,
2 = input error (missing file, unknown format, syntax error, shapes that do not load).
Reports go to standard output, diagnostics to standard error. The top layer: it may
import every other part of the package.
"""

from __future__ import annotations

import errno
import socket
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from .. import config
from ..assist.document import DocumentError
from ..assist.extract import extract, summary, write_draft
from ..assist.text import SourceError, read_source
from ..errors import BuildError, HttpError, KgError
from ..graph.build import build as build_graph
from ..graph.build import dump_file
from ..graph.dataset import assemble, load_built, union
from ..graph.parsing import parse_file
from ..graph.reach import Reach
from ..graph.report import Report
from ..graph.validate import load_shapes, report_json, validate
from ..graph.vocabulary import Vocabulary
from ..namespaces import KG, ONTOLOGY_GRAPH, bind_prefixes
from ..store import guard
from ..store.checking import SUBMITTED, check_shape_of, registered_documents
from ..store.pool import load_whole
from ..store.remote import RemoteStore, check_settings
from ..store.submissions import SubmissionStore, graph_iri, unserved, write_durably
from ..web.server import Server
from .tables import render

EXIT_OK, EXIT_NONCONFORMING, EXIT_INPUT = 0, 1, 2
#: What FROM may name in `kg query`: anything, as Oxigraph fetches nothing for it locally.
ANY_GRAPH = ("",)


def _fail(exc: KgError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=None,
    envvar="KG_CONFIG",
    help="A TOML settings file (see `kg settings`).",
)
@click.pass_context
def main(ctx: click.Context, config_file: Path | None) -> None:
    """Build, validate and query the Central Asia – Japan cooperation knowledge graph."""
    try:
        ctx.obj = config.load({"CONFIG": config_file})
    except KgError as exc:
        _fail(exc)


def _emit_report(report: Report, output: str) -> None:
    if output == "json":
        click.echo(report_json(report))
    elif output == "turtle":
        click.echo(report.to_graph().serialize(format="turtle"))
    else:
        click.echo(report.to_text(), nl=False)


OUTPUT_OPTION = click.option(
    "--output",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    help="How to print the validation report.",
)


@main.command()
@OUTPUT_OPTION
@click.pass_obj
def build(settings: dict[str, Any], output: str) -> None:
    """Assemble ontology and data into the dataset, validate it, and write TriG and N-Quads."""
    _build(settings, output)


def _build(settings: dict[str, Any], output: str = "text", listing: bool = True) -> None:
    """Build, or exit 1 with the report (nothing written) or 2 on an input error. `listing`:
    name each value derived by a rule, not only those no rule explains."""
    try:
        outcome = build_graph(settings)
    except KgError as exc:
        _fail(exc)
    if not outcome.report.conforms:
        _emit_report(outcome.report, output)
        click.echo("error: the graph does not conform; nothing was written", err=True)
        sys.exit(EXIT_NONCONFORMING)
    click.echo(
        f"built {outcome.triples} distinct triples ({outcome.statements} statements in "
        f"{outcome.graphs} named graphs); the graph conforms"
    )
    unexplained = [u for u in outcome.support if not u.explained]
    click.echo(
        f"evidence support: {len(outcome.support) - len(unexplained)} values derived by a "
        f'stated rule, {len(unexplained)} unexplained (docs/modelling.md, "Derived values")'
        + ("" if listing else "; `kg build` lists them")
    )
    for exception in outcome.support if listing else unexplained:
        click.echo(f"  {exception}")
    for path in outcome.written:
        click.echo(f"wrote {path}")


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Input format (turtle, nt, json-ld, xml); default: from the file extension.",
)
@OUTPUT_OPTION
@click.pass_obj
def validate_command(
    settings: dict[str, Any], files: tuple[Path, ...], fmt: str | None, output: str
) -> None:
    """Validate a curator's addition against the shapes, in the context of the existing graph."""
    try:
        addition = Graph()
        for path in files:  # relative IRIs as the server reads them
            addition += parse_file(path, fmt, base=SUBMITTED)
        check_shape_of(addition)  # as the server refuses an empty or all-blank addition
        shapes = load_shapes(settings["SHAPES_DIR"])
        stored = load_built(settings["BUILD_DIR"]) or _assemble(settings)
        vocabulary = Vocabulary.of(stored.graph(ONTOLOGY_GRAPH), shapes)
        beside = [path.parent for path in files]  # a draft's text lies in its folder
        data = union(stored)
        changed = [t for t in addition if t not in data]  # judged as the server judges it
        data += addition
        report = validate(
            data,
            shapes,
            settings["DATA_DIR"],
            *beside,
            new=addition,
            vocabulary=vocabulary,
            changed=(Reach.of(shapes), changed),
        )
    except KgError as exc:
        _fail(exc)
    _emit_report(report, output)
    sys.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


@main.command("extract")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--title", default=None, help="The article's title (default: from its HTML or Markdown)."
)
@click.option(
    "--date", default=None, help='The article\'s date, YYYY-MM-DD (resolves "last year").'
)
@click.option("--url", default=None, help="Where the article was published (http or https).")
@click.option("--publisher", default=None, help="Its publisher: a name, or an IRI such as org:uza.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of drafts (default: the DRAFTS_DIR setting).",
)
@click.pass_obj
def extract_command(
    settings: dict[str, Any],
    file: Path,
    title: str | None,
    date: str | None,
    url: str | None,
    publisher: str | None,
    out: Path | None,
) -> None:
    """Draft the facts of a new article (plain text, HTML or Markdown) for a curator to review.

    Writes a folder with the article's text, draft.ttl (its record and the candidate facts,
    each with a verbatim quote) and review.json; nothing enters the graph. Edit draft.ttl, check
    it with `kg validate`, then submit it.
    """
    limit = int(settings["EXTRACT_MAX_BYTES"])
    try:
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        _fail(KgError(f"cannot read {file}: {exc.strerror or exc}"))
    try:
        source = read_source(data, file.name, max_bytes=limit)
        context = union(load_built(settings["BUILD_DIR"]) or _assemble(settings))
        found = extract(source, context, title=title, date=date, url=url, publisher=publisher)
    except (SourceError, DocumentError) as exc:
        _fail(KgError(str(exc)))
    folder = write_draft(found, out or Path(settings["DRAFTS_DIR"]))
    for line in summary(found):
        click.echo(line)
    click.echo(
        f"wrote {folder}/draft.ttl and review.json; check with: kg validate {folder}/draft.ttl"
    )


@main.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    help="Result format.",
)
@click.pass_obj
def query(settings: dict[str, Any], query: str, fmt: str) -> None:
    """Run a SPARQL query (text, or a .rq file) on the built graph."""
    path = Path(query)
    try:
        text = path.read_text("utf-8") if query.endswith(".rq") or path.is_file() else query
    except OSError as exc:
        click.echo(f"error: {query}: {exc.strerror}", err=True)
        sys.exit(EXIT_INPUT)
    try:
        guard.check(  # as the server: no SERVICE unless allowed, bounded nesting
            text,
            max_depth=int(settings["MAX_QUERY_DEPTH"]),
            allowed_service_prefixes=str(settings["ALLOWED_SERVICE_PREFIXES"]).split(),
            local_graph_prefixes=ANY_GRAPH,
        )
        click.echo(render(load_whole(_built_dump(settings)), text, fmt), nl=False)
    except HttpError as exc:
        where = f":{exc.line}:{exc.column}" if exc.line else ""
        click.echo(f"error: query{where}: {exc.message}", err=True)
        sys.exit(EXIT_INPUT)
    except KgError as exc:
        _fail(exc)
    except OSError as exc:  # an allowed SERVICE that cannot be reached
        click.echo(f"error: query: {' '.join(str(exc).split())}", err=True)
        sys.exit(EXIT_INPUT)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: HOST setting).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: PORT setting).")
@click.option(
    "--workers", type=int, default=None, help="Query processes (default: QUERY_WORKERS setting)."
)
@click.option(
    "--threads", type=int, default=None, help="Web server threads (default: HTTP_THREADS setting)."
)
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="Query deadline in seconds (default: QUERY_TIMEOUT_S setting).",
)
@click.option(
    "--store",
    "store_url",
    default=None,
    help="SPARQL endpoint of a remote store (default: STORE_URL setting).",
)
@click.option(
    "--build",
    "rebuild",
    is_flag=True,
    help="Build the graph first, as `kg build` does (after checking the port is free).",
)
@click.pass_obj
def serve(
    loaded: dict[str, Any],
    rebuild: bool,
    store_url: str | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    timeout: float | None,
) -> None:
    """Serve the SPARQL endpoint and pages under waitress, on the embedded or a remote store."""
    flags = {
        "STORE_URL": store_url,
        "HOST": host,
        "PORT": port,
        "QUERY_WORKERS": workers,
        "HTTP_THREADS": threads,
        "QUERY_TIMEOUT_S": timeout,
    }
    settings = {**loaded, **{k: v for k, v in flags.items() if v is not None}}
    _check_port(str(settings["HOST"]), int(settings["PORT"]))  # before touching build/
    try:
        if settings["STORE_URL"]:
            check_settings(settings)
        elif rebuild or not dump_file(settings).is_file():
            if not rebuild:
                click.echo(f"building the graph first: {dump_file(settings)} does not exist yet")
            _build(settings, listing=False)
    except KgError as exc:
        _fail(exc)
    server = Server(settings)
    try:
        server.start()
    except KgError as exc:  # a build that cannot be loaded: one line, before "serving"
        _fail(exc)
    url = f"http://{settings['HOST']}:{settings['PORT']}"
    click.echo(f"serving {url}/ (SPARQL endpoint: {url}/sparql)")
    click.echo(f"the kg command is {_kg_command()}; stop the server with Ctrl-C")
    sys.stdout.flush()
    server.run()


def _check_port(host: str, port: int) -> None:
    """Exit 2 with advice if the address is taken, e.g. by a `kg serve` already running."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
            click.echo(
                f"error: {host}:{port} {reason} (is `kg serve` already running?); "
                "choose another port with --port or KG_PORT",
                err=True,
            )
            sys.exit(EXIT_INPUT)


def _kg_command() -> str:
    """How to reach `kg` from a shell: its path in the virtual environment, or plain `kg`."""
    here = Path(sys.argv[0])
    if here.name != "kg" or here.parent.name != "bin":
        return "kg"
    if (here.parent / "activate").is_file():  # a virtual environment's bin/
        return f"{here} (or `source {here.parent / 'activate'}`, then `kg`)"
    return str(here)


def _built_dump(settings: dict[str, Any]) -> Path:
    """The built N-Quads dump; exit 2 saying to run `kg build` if there is none."""
    path = dump_file(settings)
    if not path.is_file():
        _fail(BuildError(f"no built dataset at {path}: run `kg build` first"))
    return path


@main.command("export")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to write to (default: DATA_DIR/submissions).",
)
@click.option(
    "--remove",
    is_flag=True,
    help="Remove each exported submission from the store afterwards (stop the server first).",
)
@click.pass_obj
def export(settings: dict[str, Any], out: Path | None, remove: bool) -> None:
    """Write accepted submissions as Turtle, one file each, for review and commit into data/."""
    var_dir = Path(settings["VAR_DIR"])
    try:
        with unserved(var_dir) if remove else nullcontext():
            _export(settings, SubmissionStore(var_dir / "submissions"), out, remove)
    except KgError as exc:
        _fail(exc)


def _export(
    settings: dict[str, Any], store: SubmissionStore, out: Path | None, remove: bool
) -> None:
    folder = out or Path(settings["DATA_DIR"]) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    ids = store.ids()
    for submission_id in ids:
        graph = bind_prefixes(Graph())
        graph += store.read(submission_id).graph(URIRef(graph_iri(submission_id)))
        target = folder / f"{submission_id}.ttl"
        # on the disk before the submission may be removed from the store (--remove)
        write_durably(target, graph.serialize(format="turtle", encoding="utf-8"))
        click.echo(f"wrote {target} ({len(graph)} triples)")
        for text in _registered_texts(graph, registered_documents(settings), folder):
            click.echo(f"wrote {text} (the text of a document it registers)")
        if remove:
            store.remove(submission_id)
    click.echo(f"exported {len(ids)} submission{'s' if len(ids) != 1 else ''}")


def _registered_texts(graph: Graph, registered: Path, folder: Path) -> list[Path]:
    """Copy the texts of the documents a submission registers (those the review page kept)
    beside it, where `kg build` checks their quotes."""
    written = []
    for name in graph.objects(None, KG.fileName):
        source = registered / Path(str(name)).name  # never leave the folder
        if source.is_file():
            target = folder / source.name
            write_durably(target, source.read_bytes())
            written.append(target)
    return written


@main.command("load")
@click.option(
    "--store",
    "store_url",
    default=None,
    help="SPARQL endpoint of the store (default: STORE_URL setting).",
)
@click.pass_obj
def load(settings: dict[str, Any], store_url: str | None) -> None:
    """Put the built graph into the remote store (Graph Store protocol, one PUT a graph)."""
    if store_url:
        settings = {**settings, "STORE_URL": store_url}
    if not settings["STORE_URL"] or not settings["STORE_GSP_URL"]:
        missing = [n for n in ("STORE_URL", "STORE_GSP_URL") if not settings[n]]
        click.echo(
            f"error: give {' and '.join(missing)} (the store's query endpoint, then its Graph "
            "Store endpoint; see `kg settings`)",
            err=True,
        )
        sys.exit(EXIT_INPUT)
    try:
        quads = list(ox.parse(path=str(_built_dump(settings)), format=ox.RdfFormat.N_QUADS))
        count = RemoteStore(settings).load(quads)
    except KgError as exc:
        _fail(exc)
    click.echo(f"loaded {count} triples into {settings['STORE_URL']}")


@main.command("settings")
def settings_table() -> None:
    """Print every setting, its default and what it is for (a Markdown table)."""
    click.echo("| setting | default | what it is for |\n|---|---|---|")
    for setting in config.SETTINGS:
        default = f"`{setting.default}`" if setting.default != "" else "(empty)"
        click.echo(f"| `{setting.name}` | {default} | {setting.help} |")


def _assemble(settings: dict[str, Any]) -> Dataset:
    return assemble(settings["DATA_DIR"], settings["ONTOLOGY_DIR"])
