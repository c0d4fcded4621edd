"""Answers to repeated queries, kept in the web process (issue #16): a notebook re-running its
cells, or a page asking what another asked, gets the bytes it got before without a query
process being asked. Keyed by everything an answer depends on, the data's version first, so a
submission makes every older answer unreachable (and they are dropped at the next store).
Capped in bytes, least recently used first out; an answer larger than the cap is not kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..store.engine import Answer


@dataclass(frozen=True)
class Key:
    """What an answer depends on: the data, the query, the dataset, the format and the base
    IRI that relative IRIs of the query resolve against."""

    version: str
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    media_type: str
    base_iri: str

    def size(self) -> int:
        """Roughly what keeping this key costs: a query can be far larger than its answer."""
        texts = (self.query, self.base_iri, *self.default_graphs, *self.named_graphs)
        return sum(len(text) for text in texts)

    def etag(self) -> str:
        """The answer's validator, unquoted (sent weak: the same answer, not necessarily the
        same bytes from another server)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:32]


class ResultCache:
    """A thread-safe LRU of answers, at most ``max_bytes`` of bodies and the keys they are
    kept under."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._version = ""  # the data version of every answer held
        self._answers: OrderedDict[Key, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Key) -> Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: Key, answer: Answer) -> None:
        size = _size(key, answer)
        if size > self.max_bytes:
            return
        with self._lock:
            if key.version != self._version:  # older answers are never asked for again
                self._answers.clear()
                self.bytes = 0
                self._version = key.version
            if key in self._answers:
                self._drop(key)
            while self._answers and self.bytes + size > self.max_bytes:
                self._drop(next(iter(self._answers)))
            self._answers[key] = answer
            self.bytes += size

    def _drop(self, key: Key) -> None:
        self.bytes -= _size(key, self._answers.pop(key))


def _size(key: Key, answer: Answer) -> int:
    return key.size() + len(answer.body)
