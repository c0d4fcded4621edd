"""What the app holds, typed in one place: created by the factory, read by the views."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, g
from rdflib import Graph, URIRef

from ..errors import QueryTimeout
from ..store.checking import CheckPool
from ..store.interface import Store
from .drafting import DraftPool
from .limits import Budget, ClientSlots, CrashLimit, RateLimiter
from .metrics import Metrics
from .resultcache import ResultCache

#: Most entries the page cache holds at once.
MAX_CACHED = 64

#: The one key of ``app.extensions`` this package uses.
EXTENSION = "kg"


@dataclass
class AppState:
    """Everything the views share, built once by :func:`kg.web.create_app`."""

    store: Store
    checker: CheckPool  # validation processes
    metrics: Metrics
    query_log: logging.Logger
    curators: list[tuple[str, str]]  # (name, bearer token)
    write_limit: RateLimiter
    client_slots: ClientSlots
    crash_limit: CrashLimit
    query_budget: Budget
    validation_budget: Budget  # anonymous /validate; curators are held to the write rate
    shapes: Graph
    term_labels: dict[URIRef, str]
    drafter: DraftPool  # the review page's drafting process, started by the first article
    result_cache: ResultCache  # answers to repeated queries (RESULT_CACHE_BYTES)
    #: page data computed once per version of the data, keyed by (page, version); only the
    #: current version's entries are kept
    page_cache: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: what is being computed for the page cache, for the readers who arrive meanwhile
    page_building: dict[tuple[str, str], Future[Any]] = field(default_factory=dict)


def get_state() -> AppState:
    """The state of the app handling the current request."""
    state: AppState = current_app.extensions[EXTENSION]
    return state


def get_store() -> Store:
    """The app's store: embedded or remote, which answer alike."""
    return get_state().store


def data_version() -> tuple[str, datetime]:
    """A hash that changes with the data (build and submissions), and when it last changed."""
    inventory = get_store().inventory()  # one look: on a remote store, a round trip
    return inventory.version, inventory.modified


_CACHE_LOCK = threading.Lock()


def cached(name: str, build: Callable[[], Any]) -> Any:
    """Compute something shown (a page's data, a description) once per version of the data;
    what older versions computed is dropped, so the cache holds one version's worth. The
    first reader computes it; readers arriving meanwhile wait for that (within
    PAGE_TIMEOUT_S) rather than run the same queries again: on a large graph a page's
    queries take seconds, and a crowd of first readers would fill the query processes."""
    version, _ = data_version()
    state = get_state()
    key = (name, version)
    with _CACHE_LOCK:
        if key in state.page_cache:
            return state.page_cache[key]
        underway = state.page_building.get(key)
        if underway is None:
            mine: Future[Any] = Future()
            state.page_building[key] = mine
    if underway is not None:
        return wait_for(underway)
    try:
        value = build()
    except BaseException as exc:
        with _CACHE_LOCK:
            del state.page_building[key]
        mine.set_exception(exc)  # the readers waiting get the same answer: a 503, a 400 …
        raise
    state.metrics.page_builds.inc()
    with _CACHE_LOCK:
        keep(state.page_cache, key, value)
        del state.page_building[key]
    mine.set_result(value)
    return value


def keep(cache: dict[tuple[str, str], Any], key: tuple[str, str], value: Any) -> None:
    if len(cache) >= MAX_CACHED:  # e.g. a description per Host header a client makes up
        cache.clear()
    for old in [k for k in cache if k[1] != key[1]]:
        del cache[old]
    cache[key] = value


def wait_for(underway: Future[Any]) -> Any:
    """What another reader is computing, once it is there (its error, if it failed), within
    what is left of this reader's own deadline: a page's parts may each be waited for."""
    try:
        return underway.result(timeout=page_time_left())
    except FutureTimeout:
        raise too_slow(retry_after=5) from None


def page_time_left() -> float:
    """Seconds left of this request's page deadline, which its first query (or wait)
    starts."""
    limit = float(current_app.config["PAGE_TIMEOUT_S"])
    deadline: float = g.setdefault("page_deadline", time.monotonic() + limit)
    left = deadline - time.monotonic()
    if left <= 0:
        raise too_slow(retry_after=1)
    return left


def too_slow(retry_after: int) -> PageTimeout:
    """The 503 of a page past its deadline, naming the setting."""
    limit = float(current_app.config["PAGE_TIMEOUT_S"])
    return PageTimeout(
        f"this page took longer than {limit:g} s to gather its data (PAGE_TIMEOUT_S); try "
        "again later, or ask the SPARQL endpoint for the part you need",
        retry_after=retry_after,
    )


class PageTimeout(QueryTimeout):
    """A page's queries together ran past PAGE_TIMEOUT_S."""
