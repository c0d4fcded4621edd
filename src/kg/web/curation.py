"""Curation over HTTP: validate additions, accept them as submissions, revert them, and the
SPARQL 1.1 Graph Store HTTP Protocol on submission graphs.

https://www.w3.org/TR/sparql11-http-rdf-update/ — reading any graph is open; writing needs a
curator's token and touches only submission graphs. Every write is validated first, by the
same code as ``kg validate``, against the shapes and the stored graph; what does not
conform is answered 422 with the report, and nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph

from .. import formats
from ..errors import (
    Conflict,
    Forbidden,
    NotAcceptable,
    NotFound,
    PayloadTooLarge,
    ProtocolError,
    UnsupportedMediaType,
)
from ..graph.parsing import FORMAT_ALIASES, FORMAT_BY_EXTENSION
from ..graph.report import Report
from ..namespaces import BASE, SUBMISSION_GRAPHS, bind_prefixes
from ..store.checking import Addition, Checked, Keep, Part
from ..store.interface import Store
from ..store.submissions import Submission, is_submission_graph
from . import auth
from .documents import serialize
from .limits import client_of
from .state import get_state, get_store

bp = Blueprint("curation", __name__)

#: IRIs a submission may not describe: the ontology, its lists, the shapes, the graphs.
RESERVED = (BASE + "ontology", BASE + "vocab/", BASE + "shapes", BASE + "graph/", BASE + "curator/")
REPORT_TYPES = ("application/json", formats.TURTLE, formats.JSONLD, formats.HTML)


# ------------------------------------------------------------------------------ reading input


def read_addition() -> Addition:
    """The RDF a curator sent (a body, a form field, or an uploaded file), still unparsed:
    parsing runs in a validation process."""
    limit = int(current_app.config["MAX_SUBMISSION_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes (MAX_SUBMISSION_BYTES)")
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        sent = _read_form(limit)
    else:
        name = request.mimetype
        if not name:
            raise UnsupportedMediaType(
                "say what you send: Content-Type text/turtle, "
                "application/n-triples, application/ld+json or "
                "application/rdf+xml"
            )
        try:
            sent = [(request.get_data().decode("utf-8"), name, "body")]
        except UnicodeDecodeError:
            raise ProtocolError("the body is not UTF-8 text") from None
    if sum(len(text.encode("utf-8")) for text, _, _ in sent) > limit:
        raise PayloadTooLarge(f"the data is larger than {limit} bytes (MAX_SUBMISSION_BYTES)")
    return Addition(tuple(_part(*one) for one in sent))


def _part(text: str, name: str, source: str) -> Part:
    rdf_format = FORMAT_ALIASES.get(name.strip().lower())
    if rdf_format is None:
        raise UnsupportedMediaType(
            f"cannot read {name!r} ({source}): send Turtle, N-Triples, JSON-LD or RDF/XML"
        )
    return Part(text, rdf_format, source)


def _read_form(limit: int) -> list[tuple[str, str, str]]:
    """(text, format, source) of each graph a form sends: its file parts of any name (Graph
    Store clients name parts as they like; their graphs are merged), or a `data` field. A form
    with none is an error, never an empty graph: issue 12, finding 2, where a POST answered
    204 and stored nothing."""
    uploads = [f for _, f in request.files.items(multi=True) if f.filename]
    sent = []
    for upload in uploads:
        try:
            text = upload.read(limit + 1).decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise ProtocolError(f"{upload.filename} is not UTF-8 text") from None
        named = request.form.get("format") or _format_of_upload(upload.mimetype)
        filename = upload.filename or "file"
        sent.append((text, named or _format_of_file(filename), filename))
    if sent:
        return sent
    if "data" not in request.form:
        raise ProtocolError("no RDF in this form: send it as a file part or in a `data` field")
    return [(request.form["data"], request.form.get("format") or "turtle", "data")]


def _format_of_upload(media_type: str) -> str | None:
    """The format a part's own Content-Type names, if it is an RDF one."""
    return media_type if media_type.lower() in FORMAT_ALIASES else None


def _format_of_file(filename: str) -> str:
    fmt = FORMAT_BY_EXTENSION.get(Path(filename).suffix.lower())
    if fmt is None:
        raise UnsupportedMediaType(f"cannot tell the format of {filename!r}; choose one")
    return fmt


# ------------------------------------------------------------------------------ checks


def check_collisions(
    store: Store, subjects: frozenset[str], who: str, replacing: str | None = None
) -> None:
    """Refuse IRIs of the ontology, and subjects that other curators' submissions own."""
    reserved = sorted(s for s in subjects if s.startswith(RESERVED))
    if reserved:
        raise Conflict(
            f"{reserved[0]} belongs to the ontology or the service; a submission cannot describe it"
        )
    if request.args.get("allow_shared") in ("1", "true", "yes"):
        return
    for submission_id, curator, subject in store.submissions.describers(subjects):
        if submission_id != replacing and curator != who:
            raise Conflict(
                f"{subject} is described by {curator}'s submission "
                f"{submission_id}; add ?allow_shared=true to describe it too"
            )


def check(
    addition: Addition, old: Graph | None = None, merge: bool = False, keep: Keep | None = None
) -> Checked:
    """Parse and validate an addition in the context of the stored graph, in a validation
    process (one code path with the CLI's validation)."""
    state = get_state()
    with state.crash_limit.watch(client_of(request.remote_addr)):
        return state.checker.check(state.store, addition, old=old, merge=merge, keep=keep)


# ------------------------------------------------------------------------------ answering


def report_response(report: Report, status: int = 200) -> Response:
    chosen = formats.from_parameters(request.args.getlist("format"), "resource") or _accept_report()
    if chosen == formats.HTML:
        html = render_template("report.html", report=report)
        return _varies(Response(html, status, mimetype=formats.HTML))
    if chosen in (formats.TURTLE, formats.JSONLD):
        return _varies(
            Response(serialize(bind_prefixes(report.to_graph()), chosen), status, mimetype=chosen)
        )
    return _varies(
        Response(
            json.dumps(report.to_json(), ensure_ascii=False), status, mimetype="application/json"
        )
    )


def _accept_report() -> str:
    accept = request.headers.get("Accept")
    if not accept:
        return "application/json"
    chosen = request.accept_mimetypes.best_match(REPORT_TYPES)
    if chosen is None:
        raise NotAcceptable("offered: " + ", ".join(REPORT_TYPES), allowed=REPORT_TYPES)
    return chosen


def not_conforming(report: Report) -> Response:
    return report_response(report, 422)


# ------------------------------------------------------------------------------ endpoints


@bp.route("/validate", methods=["POST"])
def validate_addition() -> Response:
    """Validate without writing anything. Without a curator's token it is charged to the
    client's validation seconds: the validation processes are the curators' too."""
    state = get_state()
    client = client_of(request.remote_addr)
    charged = auth.curator_if_any() is None
    budget = state.validation_budget.spend(client, state.checker.work_seconds)
    with budget if charged else nullcontext():
        return report_response(check(read_addition()).report)


@bp.route("/submissions", methods=["POST"])
def submit() -> Response:
    who = auth.curator()
    auth.check_rate(who)
    return _submit_new(who, lambda submission: f"/submissions/{submission.id}")


def _submit_new(who: str, location: Callable[[Submission], str]) -> Response:
    """Store what a curator sent as a new submission, if it conforms: 201 at `location`."""
    checked, submission = store_new(read_addition(), who, _comment(), _source())
    if submission is None:
        return not_conforming(checked.report)
    response = Response(json.dumps(submission.to_json()), 201, mimetype="application/json")
    response.headers["Location"] = location(submission)
    return response


def store_new(
    addition: Addition, who: str, comment: str, source: str | None
) -> tuple[Checked, Submission | None]:
    """Validate an addition and, if it conforms, store it atomically as a new submission of
    `who`'s (the one path of POST /submissions and the review page's submit); the submission
    is None when it does not conform, and nothing is stored."""
    store = get_store()
    with store.write_lock:
        keep = Keep(store.submissions.new_id(), who, comment, source)
        checked = check(addition, keep=keep)
        check_collisions(store, checked.subjects, who)
        if not checked.report.conforms:
            return checked, None
        submission = _store(store, keep.submission_id, checked)
        store.added(submission.id)
    return checked, submission


def _comment() -> str:
    return (request.args.get("comment") or request.form.get("comment") or "").strip()


def _source() -> str | None:
    """The document a curator names as the source (else the one the facts cite is used)."""
    return request.args.get("source") or request.form.get("source") or None


def _store(store: Store, submission_id: str, checked: Checked) -> Submission:
    assert checked.data is not None and checked.submission is not None  # kept: it conforms
    store.submissions.write(submission_id, checked.data)
    return checked.submission


@bp.route("/submissions", methods=["GET"])
def list_submissions() -> Response:
    store = get_store()
    items = []
    for submission_id in store.submissions.ids():
        try:
            items.append(store.submissions.describe(submission_id).to_json())
        except NotFound:  # reverted since the folder was listed
            continue
    return Response(json.dumps({"submissions": items}), mimetype="application/json")


def _known(submission_id: str) -> str:
    store = get_store()
    if submission_id not in store.submissions.ids():
        raise NotFound(f"there is no submission {submission_id}")
    return submission_id


@bp.route("/submissions/<submission_id>", methods=["GET"])
def show_submission(submission_id: str) -> Response:
    store = get_store()
    _known(submission_id)
    wanted = formats.from_parameters(request.args.getlist("format"), "resource")
    best = request.accept_mimetypes.best_match(["application/json", *formats.offered("graph")])
    if wanted is None and best not in (None, "application/json"):  # no Accept: the JSON
        wanted = formats.choose(request.headers.get("Accept"), "graph")
    if wanted and wanted != formats.HTML:
        content = store.submissions.content(submission_id)
        return _varies(Response(serialize(content, wanted), mimetype=wanted))
    return _varies(
        Response(
            json.dumps(store.submissions.describe(submission_id).to_json()),
            mimetype="application/json",
        )
    )


def _varies(response: Response) -> Response:
    """An answer chosen by Accept says so, or a cache may give it to a client asking for
    another format."""
    response.vary.add("Accept")
    return response


@bp.route("/submissions/<submission_id>", methods=["DELETE"])
def revert_submission(submission_id: str) -> Response:
    who = auth.curator()
    auth.check_rate(who)
    store = get_store()
    with store.write_lock:
        _known(submission_id)
        refused = _remove(store, submission_id, who)
    return refused or Response(status=204)


def _remove(store: Store, submission_id: str, who: str) -> Response | None:
    """Revert a submission; the report (409) instead if what is left would not conform."""
    owner = store.submissions.describe(submission_id).curator
    if owner != who:
        raise Forbidden(f"submission {submission_id} is {owner}'s; only they can change it")
    state = get_state()
    with state.crash_limit.watch(client_of(request.remote_addr)):
        left = state.checker.check_removal(store, submission_id)
    if not left.report.conforms:  # another curator's facts stand on this one's
        return report_response(left.report, 409)
    content = store.submissions.content(submission_id)
    store.submissions.remove(submission_id)
    store.removed(content)
    return None


# ------------------------------------------------------------------------------ Graph Store


def _target_graph() -> str | None:
    """The graph a Graph Store request names (?graph=), or None for ?default."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if len(graphs) + int(default) != 1:
        raise ProtocolError("name exactly one graph: ?graph=<IRI> or ?default")
    return graphs[0] if graphs else None


@bp.route("/rdf-graphs", methods=["GET", "HEAD"])
def gsp_get() -> Response:
    target = _target_graph()
    media = formats.from_parameters(request.args.getlist("format"), "graph") or formats.choose(
        request.headers.get("Accept"), "graph"
    )
    if media is None or media in (formats.TRIG, formats.NQUADS):
        media = formats.TURTLE if media is None else media
    store = get_store()
    headers = {}
    if target is None:
        graph = store.graph()
    elif target not in store.graphs:
        raise NotFound(f"there is no graph {target}")
    elif is_submission_graph(target):
        # what the curator sent, so that a GET can be PUT back; the server's provenance
        # of the submission is a resource of its own
        submission_id = target[len(SUBMISSION_GRAPHS) :]
        graph = store.submissions.content(submission_id)
        headers["Link"] = f'</submissions/{submission_id}>; rel="describedby"'
    else:
        graph = store.named_graph(target)
    if media in (formats.TRIG, formats.NQUADS):
        media = formats.TURTLE
    return _varies(
        Response(serialize(bind_prefixes(graph), media), mimetype=media, headers=headers)
    )


@bp.route("/rdf-graphs", methods=["PUT", "POST", "DELETE"])
def gsp_write() -> Response:
    who = auth.curator()
    auth.check_rate(who)
    names = request.args.getlist("graph") or "default" in request.args
    if request.method == "POST" and not names:
        # a POST to the graph store itself makes a new graph (Graph Store protocol, 5.5)
        return _submit_new(who, lambda submission: _gsp_location(submission.graph))
    target = _target_graph()
    if target is None or not is_submission_graph(target):
        raise Forbidden(f"only submission graphs ({SUBMISSION_GRAPHS}<id>) can be written")
    submission_id = target[len(SUBMISSION_GRAPHS) :]
    store = get_store()
    with store.write_lock:
        exists = submission_id in store.submissions.ids()
        if request.method == "DELETE":
            if not exists:
                raise NotFound(f"there is no graph {target}")
            refused = _remove(store, submission_id, who)
            return refused or Response(status=204)
        addition = read_addition()
        old = store.submissions.content(submission_id) if exists else None
        if exists and store.submissions.describe(submission_id).curator != who:
            raise Forbidden(f"graph {target} is another curator's")
        keep = Keep(submission_id, who, _comment(), _source())
        # POST merges into the graph; either way the old version leaves the context
        checked = check(addition, old=old, merge=request.method == "POST", keep=keep)
        check_collisions(store, checked.subjects, who, replacing=submission_id)
        if not checked.report.conforms:
            return not_conforming(checked.report)
        _store(store, submission_id, checked)
        if old is not None:
            store.removed(old)
        store.added(submission_id)
    return Response(
        status=204 if exists else 201,
        headers={} if exists else {"Location": _gsp_location(target)},
    )


def _gsp_location(graph: str) -> str:
    return "/rdf-graphs?" + urlencode({"graph": graph})


# ------------------------------------------------------------------------------ curator page


@bp.route("/curate")
def curate_page() -> Response:
    return Response(render_template("curate.html"), mimetype=formats.HTML)
