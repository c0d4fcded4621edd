"""The review flow of the curator's assistant (issue 14): an article in, a draft to review,
the accepted facts out as a submission.

``POST /curate/review`` drafts an article (a curator's token needed, as for submissions) in the
drafting process (:mod:`.drafting`) and keeps the draft under ``<VAR_DIR>/drafts/<id>/``;
``/curate/review/<id>`` is the page that shows it, which asks for the draft itself with the
curator's token (``/curate/review/<id>/page``, the page's content; ``review.json``, the draft
as data): only the curator who drafted it may read it. ``POST /curate/review/<id>/submit``
builds the accepted facts' Turtle on the server (:mod:`.reviewing`) and stores it through the
one path of ``POST /submissions`` (:func:`.curation.store_new`): validated in a validation
process, stored atomically as one named graph whose provenance names the document
(dcterms:source). A draft is submitted once (then 409), and removed ``DRAFTS_MAX_AGE_S`` after
it was made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from .. import formats
from ..errors import Forbidden, PayloadTooLarge, ProtocolError
from ..namespaces import KG
from ..store.checking import Addition, Checked, Part, registered_documents
from ..store.submissions import Submission, write_durably
from . import auth, curation, reviewing, reviewpage
from .describe import link_for
from .drafting import (
    DraftJob,
    DraftPool,
    StoredDraft,
    claim,
    drafts_folder,
    load,
    mark_submitted,
    prune,
    release,
    save,
)
from .state import cached, get_state, get_store

bp = Blueprint("assist", __name__)

#: Room for a form's own bytes (boundaries, the other fields) beside the article.
FORM_ROOM = 65536


def init_app(app: Any) -> None:
    """Register the views (the drafting process is in the app's state: state.AppState), and
    remove the drafts that have outlived DRAFTS_MAX_AGE_S while the server was down."""
    app.register_blueprint(bp)
    prune(drafts_folder(app.config), float(app.config["DRAFTS_MAX_AGE_S"]))


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
    snapshot = get_state().checker.snapshot(get_store(), whole=True).path
    job = DraftJob(
        data,
        name,
        media_type,
        int(current_app.config["EXTRACT_MAX_BYTES"]),
        snapshot,
        snapshot,  # a file holds one version of the data for as long as it exists
        **{key: _given(key) for key in ("title", "date", "url", "publisher")},
    )
    drafted = _pool().draft(job)
    max_age = float(current_app.config["DRAFTS_MAX_AGE_S"])
    draft_id = save(drafts_folder(current_app.config), drafted, who, max_age)
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


def _reader(draft_id: str) -> StoredDraft:
    """The draft, for the curator who drafted it: 401 without a token, 403 for a wrong one or
    another curator's, 404 for no such draft."""
    return _own_draft(auth.curator(), draft_id)


def _own_draft(who: str, draft_id: str) -> StoredDraft:
    """The draft, if `who` drafted it (record.json names her); else 403."""
    draft = load(drafts_folder(current_app.config), draft_id)
    if draft.curator != who:
        raise Forbidden(
            "this draft was made by another curator: only the curator who drafted it may read "
            "or submit it"
        )
    return draft


@bp.route("/curate/review/<draft_id>", methods=["GET"])
def review_page(draft_id: str) -> Response:
    """The draft's page: a frame that asks for the draft with the curator's token (a link
    carries no token), so nothing of the draft is in it; 404 for no such draft."""
    load(drafts_folder(current_app.config), draft_id)
    limit = int(current_app.config["EXTRACT_MAX_BYTES"])
    html = render_template("review.html", draft=None, draft_id=draft_id, limit=limit)
    return Response(html, mimetype=formats.HTML, headers={"Cache-Control": "no-store"})


@bp.route("/curate/review/<draft_id>/page", methods=["GET"])
def review_content(draft_id: str) -> Response:
    """What the draft's page shows, as HTML to put in it: the article marked, the facts' cards
    with their edit forms, the pickers' options, the submit form."""
    draft = _reader(draft_id)
    review = draft.review
    entities = reviewpage.graph_entities()
    labels = reviewpage.labels_for(review, entities)
    concepts = reviewpage.scheme_concepts()
    options = reviewpage.picker_options(review, entities)
    submitted = draft.submitted()
    html = render_template(
        "review_draft.html",
        draft=draft,
        record=draft.record,
        registered_href=link_for(draft.registered) if draft.registered else "",
        article=reviewpage.article_html(review),
        notes=reviewpage.notes(review, labels),
        cards=reviewpage.cards(review, labels, concepts, options),
        pickers=options,
        submitted=submitted if submitted and submitted.get("state") == "submitted" else None,
    )
    # the curator's working copy: never kept by a cache
    return Response(html, mimetype=formats.HTML, headers={"Cache-Control": "no-store"})


@bp.route("/curate/review/<draft_id>/review.json", methods=["GET"])
def review_json(draft_id: str) -> Response:
    """The draft as data: what ``kg extract`` writes as review.json, with the record."""
    draft = _reader(draft_id)
    body = {
        "id": draft.id,
        "curator": draft.curator,
        "document": draft.record.iri,
        "registered": draft.registered,
        "submitted": draft.submitted(),
        "review": draft.review,
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )


@bp.route("/curate/review/<draft_id>/submit", methods=["POST"])
def submit_draft(draft_id: str) -> Response:
    """Submit the accepted facts: 201 with the submission, 422 with each problem placed with
    its fact (nothing stored), 400 for an edit that cannot be taken, 409 for a draft that was
    submitted already."""
    who = auth.curator()  # a write: tests/security/test_hostile_routes.py holds it to the token
    draft = _own_draft(who, draft_id)
    auth.check_rate(who)
    decisions = request.get_json(silent=True)
    if decisions is None:
        raise ProtocolError('send the decisions as JSON: {"facts": [{"index": 0}, …]}')
    chosen = reviewing.accepted(draft.review, decisions, reviewpage.concept_sets())
    comment = str(decisions.get("comment") or "").strip() or f"reviewed draft {draft.id}"
    claim(draft)  # from here until it is released, a second submit of this draft is a 409
    try:
        built, document, (checked, submission) = _submit(draft, who, chosen, comment)
    except BaseException:
        release(draft)  # nothing was stored: the draft may be submitted again
        raise
    if submission is None:
        release(draft)
        placed, general = reviewing.by_fact(checked.report, built)
        body = {
            "conforms": False,
            "facts": {str(i): results for i, results in placed.items()},
            "general": general,
            "summary": checked.report.summary(),
        }
        return Response(json.dumps(body, ensure_ascii=False), 422, mimetype="application/json")
    location = f"/submissions/{submission.id}"
    mark_submitted(draft, submission.id, location)
    answer = submission.to_json() | {
        "location": location,
        "iris": {str(i): iri for i, iri in built.iris.items()},
        "pages": {str(i): link_for(iri) for i, iri in built.iris.items()},
        "document": document,
    }
    return Response(
        json.dumps(answer, ensure_ascii=False),
        201,
        mimetype="application/json",
        headers={"Location": location},
    )


def _submit(
    draft: StoredDraft, who: str, chosen: list[reviewing.Accepted], comment: str
) -> tuple[reviewing.Built, str, tuple[Checked, Submission | None]]:
    """Build the accepted facts' Turtle and store it as one submission, if it conforms."""
    registered = _registered(draft)
    labels = reviewpage.labels_for(draft.review, reviewpage.graph_entities())
    built = reviewing.build(draft, chosen, _existing(), registered, labels)
    if registered is None:
        _keep_text(draft)
    addition = Addition((Part(reviewing.turtle(built.graph), "turtle", "the review page"),))
    document = registered or draft.record.iri
    return built, document, curation.store_new(addition, who, comment, document)


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
    # durably: the submission that cites it is, and a quote is checked against it
    write_durably(target, draft.text.encode("utf-8"))
