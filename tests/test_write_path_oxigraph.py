"""The tests of test_write_path.py against Oxigraph (a file per mode: helpers.in_modes)."""

from helpers import in_modes
from test_write_path import *  # noqa: F403

pytest_generate_tests = in_modes("service", "oxigraph")
