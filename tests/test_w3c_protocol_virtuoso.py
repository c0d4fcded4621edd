"""The tests of test_w3c_protocol.py against Virtuoso (a file per mode: helpers.in_modes)."""

from helpers import in_modes
from test_w3c_protocol import *  # noqa: F403

pytest_generate_tests = in_modes("target", "virtuoso")
