"""The review flow of the curator's assistant (issue 14): an article in, a draft to review,
the accepted facts out as a submission.

``POST /curate/review`` drafts an article (a curator's token needed, as for submissions) in the
drafting process (:mod:`.drafting`) and keeps the draft under ``<VAR_DIR>/drafts/<id>/``;
``/curate/review/<id>`` shows it; ``POST /curate/review/<id>/submit`` builds the accepted facts'
Turtle on the server (:mod:`.reviewing`) and stores it through the one path of
``POST /submissions`` (:func:`.curation.store_new`): validated in a validation process, stored
atomically as one named graph whose provenance names the document (dcterms:source).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from .. import formats
from ..errors import PayloadTooLarge, ProtocolError
from ..namespaces import KG
from ..store.checking import Addition, Part, registered_documents
from . import auth, curation, reviewing, reviewpage
from .describe import link_for
from .drafting import DraftJob, DraftPool, StoredDraft, drafts_folder, load, save
from .state import cached, get_state, get_store

bp = Blueprint("assist", __name__)

#: Room for a form's own bytes (boundaries, the other fields) beside the article.
FORM_ROOM = 65536


def init_app(app: Any) -> None:
    """Register the views (the drafting process is in the app's state: state.AppState)."""
    app.register_blueprint(bp)


def _pool() -> DraftPool:
    return get_state().drafter


# ------------------------------------------------------------------------------ drafting


@bp.route("/curate/review", methods=["GET"])
def new_draft_page() -> Response:
    limit = int(current_app.config["EXTRACT_MAX_BYTES"])
    return Response(render_template("review.html", draft=None, limit=limit), mimetype=formats.HTML)


@bp.route("/curate/review", methods=["POST"])
def make_draft() -> Response:
    """Draft an article: 201 with the draft's page, 400 for input the assistant cannot read,
    413 past EXTRACT_MAX_BYTES."""
    who = auth.curator()
    auth.check_rate(who)
    data, name, media_type = _article()
    version, snapshot = get_state().checker.snapshot(get_store())
    job = DraftJob(
        data,
        name,
        media_type,
        int(current_app.config["EXTRACT_MAX_BYTES"]),
        snapshot,
        version,
        **{key: _given(key) for key in ("title", "date", "url", "publisher")},
    )
    drafted = _pool().draft(job)
    draft_id = save(drafts_folder(current_app.config), drafted, who)
    location = f"/curate/review/{draft_id}"
    body = {"id": draft_id, "location": location, "facts": len(drafted.review["facts"])}
    return Response(
        json.dumps(body), 201, mimetype="application/json", headers={"Location": location}
    )


def _article() -> tuple[bytes, str, str | None]:
    """The article's bytes (an uploaded file, else the pasted text), its name and media type."""
    limit = int(current_app.config["EXTRACT_MAX_BYTES"])
    too_large = PayloadTooLarge(f"the article is larger than {limit:,} bytes (EXTRACT_MAX_BYTES)")
    if request.content_length is not None and request.content_length > limit + FORM_ROOM:
        raise too_large
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read(limit + 1)
        name, media_type = upload.filename, upload.mimetype or None
    else:
        data = request.form.get("text", "").encode("utf-8")
        name, media_type = "pasted text", None
    if len(data) > limit:
        raise too_large
    if not data.strip():
        raise ProtocolError("paste the article's text or choose a file")
    return data, name, media_type


def _given(key: str) -> str | None:
    return (request.form.get(key) or "").strip() or None


# ------------------------------------------------------------------------------ reviewing


@bp.route("/curate/review/<draft_id>", methods=["GET"])
def review_page(draft_id: str) -> Response:
    draft = load(drafts_folder(current_app.config), draft_id)
    review = draft.review
    entities = reviewpage.graph_entities()
    labels = reviewpage.labels_for(review, entities)
    html = render_template(
        "review.html",
        draft=draft,
        record=draft.record,
        registered_href=link_for(draft.registered) if draft.registered else "",
        article=reviewpage.article_html(review),
        notes=reviewpage.notes(review, labels),
        cards=reviewpage.cards(review, labels),
        statuses=reviewpage.statuses(labels),
        datalists=reviewpage.datalists(review, entities),
        limit=int(current_app.config["EXTRACT_MAX_BYTES"]),
    )
    # the draft's page is the curator's working copy: never kept by a cache
    return Response(html, mimetype=formats.HTML, headers={"Cache-Control": "no-store"})


@bp.route("/curate/review/<draft_id>/submit", methods=["POST"])
def submit_draft(draft_id: str) -> Response:
    """Submit the accepted facts: 201 with the submission, 422 with each problem placed with
    its fact (nothing stored), 400 for an edit that cannot be taken."""
    who = auth.curator()
    auth.check_rate(who)
    draft = load(drafts_folder(current_app.config), draft_id)
    decisions = request.get_json(silent=True)
    if decisions is None:
        raise ProtocolError('send the decisions as JSON: {"facts": [{"index": 0}, …]}')
    chosen = reviewing.accepted(draft.review, decisions)
    registered = _registered(draft)
    built = reviewing.build(draft, chosen, _existing(), registered)
    if registered is None:
        _keep_text(draft)
    addition = Addition((Part(reviewing.turtle(built.graph), "turtle", "the review page"),))
    comment = str(decisions.get("comment") or "").strip() or f"reviewed draft {draft.id}"
    document = registered or draft.record.iri
    checked, submission = curation.store_new(addition, who, comment, document)
    if submission is None:
        placed, general = reviewing.by_fact(checked.report, built)
        body = {
            "conforms": False,
            "facts": {str(i): results for i, results in placed.items()},
            "general": general,
            "summary": checked.report.summary(),
        }
        return Response(json.dumps(body, ensure_ascii=False), 422, mimetype="application/json")
    answer = submission.to_json() | {
        "location": f"/submissions/{submission.id}",
        "iris": {str(i): iri for i, iri in built.iris.items()},
        "pages": {str(i): link_for(iri) for i, iri in built.iris.items()},
        "document": document,
    }
    return Response(
        json.dumps(answer, ensure_ascii=False),
        201,
        mimetype="application/json",
        headers={"Location": f"/submissions/{submission.id}"},
    )


def _registered(draft: StoredDraft) -> str | None:
    """The document already in the graph with the draft's text (looked up now: another curator
    may have registered it since the draft was made)."""
    digest = draft.record.sha256  # hex digits only: safe inside the query
    query = f'SELECT ?d WHERE {{ ?d <{KG.sha256}> ?h FILTER (lcase(str(?h)) = "{digest}") }}'
    rows = get_store().select(query)
    return min((row["d"] for row in rows), default=None)


def _existing() -> frozenset[str]:
    """The IRIs the served graph describes: what a fact's minted IRI must keep apart from."""

    def fetch() -> frozenset[str]:
        rows = get_store().select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }")
        return frozenset(row["s"] for row in rows)

    existing: frozenset[str] = cached("review-existing", fetch)
    return existing


def _keep_text(draft: StoredDraft) -> None:
    """Put the article's text where the validation reads documents' texts, under the name its
    record gives; written whole then renamed, since a validation may read it at any time."""
    folder: Path = registered_documents(current_app.config)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(draft.record.file_name).name
    if target.is_file():
        return  # named by the text's hash: the same name holds the same text
    partial = folder / f".{target.name}.{secrets.token_hex(8)}.partial"
    partial.write_text(draft.text, "utf-8")
    partial.replace(target)
