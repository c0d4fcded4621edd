"""Settings: one table of every setting, its default and what it is for.

Values come from the defaults below, then environment variables ``KG_<NAME>``, then
explicit overrides (command-line flags or a test's config), the last one winning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The checkout this package was installed from (an editable install keeps data beside it).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "data", "Folder of the source documents (*.txt) and their facts (*.ttl)."),
    Setting("ONTOLOGY_DIR", "ontology", "Folder of the ontology (*.ttl)."),
    Setting("SHAPES_DIR", "shapes", "Folder of the SHACL shapes (*.ttl)."),
    Setting("BUILD_DIR", "build", "Where `kg build` writes the dataset (TriG and N-Quads)."),
    Setting(
        "BASE_IRI", "https://w3id.org/cakg/", "Canonical base IRI of everything the graph mints."
    ),
)

PATH_SETTINGS = frozenset({"DATA_DIR", "ONTOLOGY_DIR", "SHAPES_DIR", "BUILD_DIR"})


def _coerce(raw: str, default: Any) -> Any:
    """Turn an environment string into the type of the setting's default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return every setting: defaults, then ``KG_*`` environment variables, then overrides."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = setting.default
        env = os.environ.get(f"KG_{setting.name}")
        if env is not None:
            value = _coerce(env, setting.default)
        values[setting.name] = value
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    for name in PATH_SETTINGS:
        path = Path(values[name])
        values[name] = path if path.is_absolute() else PROJECT_ROOT / path
    return values
