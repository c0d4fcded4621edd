"""The suite's own layout: a test file split by store mode (helpers.in_modes) has a file for
every mode, so that no store goes untested when one is added."""

from __future__ import annotations

from pathlib import Path

from helpers import MODES

TESTS = Path(__file__).parent
SPLIT = ("write_path", "w3c_protocol")


def test_every_split_file_has_a_file_per_mode() -> None:
    for base in SPLIT:
        present = {base + "_" + mode for mode in MODES if mode != "embedded"}
        files = {p.stem.removeprefix("test_") for p in TESTS.glob(f"test_{base}_*.py")}
        assert files == present, base
        embedded = (TESTS / f"test_{base}.py").read_text("utf-8")
        assert "in_modes(" in embedded and '"embedded")' in embedded
