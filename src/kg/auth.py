"""Who may write: bearer tokens configured by the operator, and a rate limit per curator.

Tokens come from ``CURATOR_TOKENS`` (``alice=s3cret bob=…``) and ``CURATOR_TOKENS_FILE``
(one ``name=token`` a line); every comparison is constant-time, and every configured token
is compared, so timing tells nothing about which one nearly matched.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from flask import current_app, request

from .errors import Forbidden, TooManyRequests, Unauthorized

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cakg curation"'}


def load_tokens(config: Any) -> list[tuple[str, str]]:
    """(curator, token) pairs from the settings and the tokens file."""
    entries = str(config.get("CURATOR_TOKENS", "")).split()
    path = str(config.get("CURATOR_TOKENS_FILE", ""))
    if path:
        lines = Path(path).read_text("utf-8").splitlines()
        entries += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    pairs = []
    for entry in entries:
        name, sep, token = entry.partition("=")
        if sep and name and token:
            pairs.append((name.strip(), token.strip()))
    return pairs


def curator() -> str:
    """The curator the request's bearer token names; 401 without one, 403 for a wrong one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "writing needs a curator's token: Authorization: Bearer <token>", headers=CHALLENGE
        )
    given = token.strip().encode()
    found: str | None = None
    tokens: list[tuple[str, str]] = current_app.extensions["kg.tokens"]
    for name, expected in tokens:
        if hmac.compare_digest(given, expected.encode()):
            found = name
    if found is None:
        raise Forbidden("this token is not a curator's token")
    return found


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


def init_app(app: Any) -> None:
    app.extensions["kg.tokens"] = load_tokens(app.config)
    app.extensions["kg.ratelimit"] = RateLimiter(int(app.config["WRITE_RATE_PER_MINUTE"]))


def check_rate(who: str) -> None:
    current_app.extensions["kg.ratelimit"].check(who)
