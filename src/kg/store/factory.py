"""Open the store the settings name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .embedded import EmbeddedStore
from .interface import Store
from .remote import RemoteStore


def open_store(config: Mapping[str, Any]) -> Store:
    """A remote store when ``STORE_URL`` is set, else the embedded store over the build."""
    if config["STORE_URL"]:
        return RemoteStore(config)
    return EmbeddedStore(config)
