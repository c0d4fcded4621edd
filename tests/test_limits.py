"""The sliding window behind the per-client limits (query seconds, writes, crashes), on a clock
the test moves: what it counts, when events leave it, and what it tells a client to wait.

It once summed every event of the last minute on each request, so that its work grew with the
traffic (5 % of the web process's time with one client sending one-row lookups: bench/overhead.py);
it now keeps a running total, which must stay what the events add up to."""

from __future__ import annotations

import random

import pytest

from kg.web.limits import SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_key_under_its_limit_waits_for_nothing(clock: Clock) -> None:
    window = SlidingWindow(60.0, clock=clock)
    window.add("a", 2.5)
    assert window.wait("a", 3.0) is None
    assert window.total("a") == 2.5


def test_a_key_over_its_limit_waits_until_enough_events_leave(clock: Clock) -> None:
    window = SlidingWindow(60.0, clock=clock)
    window.add("a", 2.0)  # at 1000
    clock.now += 10
    window.add("a", 2.0)  # at 1010
    clock.now += 5  # 1015: 4.0 in the window
    # under 3.0 once the first event leaves, at 1060: 45 s from now, rounded up
    assert window.wait("a", 3.0) == 46
    clock.now = 1060.5
    assert window.wait("a", 3.0) is None
    assert window.total("a") == 2.0
    clock.now = 1070.5
    assert window.wait("a", 0.5) is None
    assert window.total("a") == 0.0


def test_keys_are_apart(clock: Clock) -> None:
    window = SlidingWindow(60.0, clock=clock)
    window.add("a", 5.0)
    assert window.wait("a", 5.0) is not None
    assert window.wait("b", 5.0) is None


def test_admit_counts_only_what_it_lets_in(clock: Clock) -> None:
    window = SlidingWindow(60.0, clock=clock)
    assert [window.admit("w", 2) for _ in range(3)] == [None, None, 61]
    assert window.total("w") == 2.0


def test_the_running_total_is_what_the_events_in_the_window_add_up_to(clock: Clock) -> None:
    rng = random.Random(16)
    window = SlidingWindow(60.0, clock=clock)
    kept: list[tuple[float, float]] = []
    for _ in range(20_000):
        clock.now += rng.expovariate(200.0)  # about 200 events a second: 12,000 in a minute
        weight = rng.choice([0.0, 0.001, 0.25, 1.0, 3.7])
        window.add("c", weight)
        kept.append((clock.now, weight))
        if rng.random() < 0.01:
            window.wait("c", 1e9)  # the window moves on when it is asked
            kept = [(t, w) for t, w in kept if clock.now - t <= 60.0]
            assert window.total("c") == pytest.approx(sum(w for _, w in kept), abs=1e-6)
    clock.now += 61
    assert window.wait("c", 1e-9) is None
    assert window.total("c") == 0.0
