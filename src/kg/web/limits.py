"""Limits that keep one client from crowding out the others: concurrent queries, write rate,
processes killed."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..errors import OverMemory, QueryCrashed, TooManyRequests


def client_of(address: str | None) -> str:
    """Whom a request's share is kept for: its address, or for IPv6 its /64, the network a
    subscriber is given and may take any address of (RFC 6177), so that a client cannot get a
    fresh share with each address it takes."""
    if not address:
        return "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a name a proxy passed on, say: as given
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)


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


class _Events:
    """One key's events, oldest first, and their total weight, kept as they come and go."""

    __slots__ = ("queue", "total")

    def __init__(self) -> None:
        self.queue: deque[tuple[float, float]] = deque()
        self.total = 0.0


class SlidingWindow:
    """Weighted events per key in the last `seconds`: writes per curator, crashes per client,
    seconds of query time per client.

    Each key keeps a running total, so that a request costs the same however many came in the
    last minute (summing them on each request was 5 % of the web process's time with one client:
    bench/overhead.py)."""

    def __init__(self, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._events: dict[str, _Events] = {}
        self._lock = threading.Lock()

    def _current(self, key: str, now: float) -> _Events | None:
        """`key`'s events still in the window (call under the lock); None once it has none,
        and a quiet key is forgotten: the table stays as small as the traffic."""
        events = self._events.get(key)
        if events is None:
            return None
        queue = events.queue
        while queue and now - queue[0][0] > self.seconds:
            events.total -= queue.popleft()[1]
        if not queue:
            del self._events[key]
            return None
        return events

    def _wait(self, key: str, limit: float, now: float) -> int | None:
        """Seconds until `key` is under `limit` again, or None (call under the lock)."""
        events = self._current(key, now)
        if events is None or events.total < limit:
            return None
        total = events.total
        for when, weight in events.queue:  # the oldest leave the window first
            total -= weight
            if total < limit:
                return int(self.seconds - (now - when)) + 1
        return int(self.seconds) + 1

    def _add(self, key: str, weight: float, now: float) -> None:
        events = self._events.setdefault(key, _Events())
        events.queue.append((now, weight))
        events.total += weight

    def total(self, key: str) -> float:
        """The weight of `key`'s events in the window."""
        with self._lock:
            events = self._current(key, self._clock())
            return events.total if events else 0.0

    def wait(self, key: str, limit: float) -> int | None:
        """Seconds until `key` is under `limit` again, or None if it is already."""
        with self._lock:
            return self._wait(key, limit, self._clock())

    def add(self, key: str, weight: float = 1.0) -> None:
        with self._lock:
            self._add(key, weight, self._clock())

    def admit(self, key: str, limit: float) -> int | None:
        """Count one event for `key` if it is under `limit`, at once (so that concurrent
        callers cannot all slip under it); else the seconds to wait."""
        with self._lock:
            now = self._clock()
            wait = self._wait(key, limit, now)
            if wait is None:
                self._add(key, 1.0, now)
            return wait


class RateLimiter:
    """At most `per_minute` writes per curator in any sliding minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._window = SlidingWindow()

    def check(self, who: str) -> None:
        wait = self._window.admit(who, self.per_minute)
        if wait is not None:
            raise TooManyRequests(
                f"{who} made {self.per_minute} writes in the last minute; wait {wait} s",
                retry_after=wait,
            )


class CrashLimit:
    """A client whose queries kept killing query processes waits before it may send more.

    A process that dies is replaced, but while it reloads everyone has one process fewer; a
    client that crashes them on purpose (issue 11, finding 2) is refused with 429 before the
    other clients suffer. ``CRASHES_PER_CLIENT`` in a minute; 0 turns the check off.
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._window = SlidingWindow()

    def check(self, client: str) -> None:
        wait = self._window.wait(client, self.per_minute) if self.per_minute else None
        if wait is not None:
            raise TooManyRequests(
                f"this client's queries stopped {self.per_minute} query processes in the last "
                f"minute; wait {wait} s",
                retry_after=wait,
            )

    @contextmanager
    def watch(self, client: str) -> Iterator[None]:
        """Refuse a client over its limit; count the processes its work kills."""
        self.check(client)
        try:
            yield
        except (QueryCrashed, OverMemory):
            self._window.add(client)
            raise


class Budget:
    """Seconds of processing one client may use in any minute, counted as the Wikidata Query
    Service counts them: past it, 429 with Retry-After until enough time has passed.

    The per-client share of the processes bounds how many queries a client runs at once; this
    bounds how long it keeps them, so a client that sends one heavy query after another (each
    stopped at the deadline) leaves the processes to the others most of the time (the soak in
    bench/soak.py). ``QUERY_SECONDS_PER_MINUTE`` for queries, ``VALIDATION_SECONDS_PER_MINUTE``
    for anonymous validations (a budget of their own, so that neither eats the other's); 0
    turns one off.
    """

    def __init__(self, seconds_per_minute: float, work: str = "queries") -> None:
        self.seconds_per_minute = seconds_per_minute
        self.work = work
        self._window = SlidingWindow()

    @contextmanager
    def spend(self, client: str, work_seconds: Callable[[], float]) -> Iterator[None]:
        """Refuse a client over its budget; charge it `work_seconds()` once its work ends."""
        if not self.seconds_per_minute:
            yield
            return
        wait = self._window.wait(client, self.seconds_per_minute)
        if wait is not None:
            raise TooManyRequests(
                f"this client's {self.work} took {self.seconds_per_minute:g} s of processing in "
                f"the last minute; wait {wait} s",
                retry_after=wait,
            )
        try:
            yield
        finally:
            self._window.add(client, work_seconds())
