"""Who may write: bearer tokens configured by the operator, and a rate limit per curator.

Tokens come from ``CURATOR_TOKENS`` (``alice=s3cret bob=…``) and ``CURATOR_TOKENS_FILE``
(one ``name=token`` a line); every comparison is constant-time, and every configured token
is compared, so timing tells nothing about which one nearly matched.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import request

from ..errors import Forbidden, Unauthorized
from .state import get_state

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cakg curation"'}


def load_tokens(config: Mapping[str, Any]) -> list[tuple[str, str]]:
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
    for name, expected in get_state().curators:
        if hmac.compare_digest(given, expected.encode()):
            found = name
    if found is None:
        raise Forbidden("this token is not a curator's token")
    return found


def curator_if_any() -> str | None:
    """The curator the bearer token names, or None without one; 403 for a wrong one."""
    return curator() if "Authorization" in request.headers else None


def check_rate(who: str) -> None:
    """Refuse a write past the curator's rate (429)."""
    get_state().write_limit.check(who)
