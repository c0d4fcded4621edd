"""Limits that keep one client from crowding out the others: concurrent queries, write rate."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..errors import TooManyRequests


def queries_per_client(settings: Mapping[str, Any], processes: int) -> int:
    """How many queries one client address may have in flight: MAX_CONCURRENT_PER_CLIENT, and
    no more than its share of the local query processes, so that one client never holds them
    all (issue 11, finding 7). A remote store (no local processes) shares its own way."""
    limit = int(settings["MAX_CONCURRENT_PER_CLIENT"])
    if processes:
        share = int(settings["QUERY_WORKERS_PER_CLIENT"]) or max(1, processes - 1)
        limit = min(limit, share)
    return limit


class ClientSlots:
    """At most `limit` queries at once per client address, so that no client crowds out others."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        with self._lock:
            if self._counts.get(client, 0) >= self.limit:
                raise TooManyRequests(
                    f"this client already runs {self.limit} queries; wait for one to finish",
                    retry_after=1,
                )
            self._counts[client] = self._counts.get(client, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._counts[client] -= 1
                if not self._counts[client]:
                    del self._counts[client]


class RateLimiter:
    """At most `per_minute` writes per curator in any sliding minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, who: str) -> None:
        now = time.monotonic()
        with self._lock:
            times = self._times.setdefault(who, deque())
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= self.per_minute:
                wait = int(60 - (now - times[0])) + 1
                raise TooManyRequests(
                    f"{who} made {self.per_minute} writes in the last minute; wait {wait} s",
                    retry_after=wait,
                )
            times.append(now)
