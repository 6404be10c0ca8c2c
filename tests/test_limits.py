"""The time limit holds even where its first alarm is swallowed."""

from __future__ import annotations

import time

import pytest

from pcndocs.render import limits


def test_a_swallowed_alarm_comes_again_and_stops_the_work() -> None:
    # As Python does with an error raised in a garbage-collector callback or a __del__:
    # the first alarm is lost, and the work would otherwise run on unbounded.
    swallowed = 0
    started = time.monotonic()

    def work() -> None:
        while time.monotonic() - started < 20:  # without a second alarm, the work ends here
            sum(range(1000))

    with pytest.raises(limits.OverTimeError), limits.process_limits(0.05, 0):
        # The whole loop inside the try: an alarm may come at any step of it (the loop's own
        # test and jump too), not only inside the sum.
        for _attempt in range(2):
            try:
                work()
            except limits._Alarm:
                if swallowed:
                    raise
                swallowed += 1
    assert swallowed == 1


def test_no_alarm_comes_after_the_work_is_done() -> None:
    with limits.process_limits(0.05, 0):
        pass
    time.sleep(0.1)  # a late alarm would raise here
