"""What the app holds, typed in one place: created by the factory, read by the views."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from rdflib import Graph, URIRef

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
    what older versions computed is dropped, so the cache holds one version's worth. Built
    outside the lock (two threads may build the same thing once each), kept under it."""
    version, _ = data_version()
    cache = get_state().page_cache
    key = (name, version)
    with _CACHE_LOCK:
        if key in cache:
            return cache[key]
    value = build()
    with _CACHE_LOCK:
        if len(cache) >= MAX_CACHED:  # e.g. a description per Host header a client makes up
            cache.clear()
        for old in [k for k in cache if k[1] != version]:
            del cache[old]
        cache[key] = value
    return value
