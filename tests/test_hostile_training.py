"""The Training page under a visitor who submits many settings (the fourteenth outside attack,
F4): the server's one training runs on one core and is charged the CPU of every thread of the
server while it trains. These tests hold the mechanisms, not timings."""
from __future__ import annotations

import threading
import time

from threadpoolctl import threadpool_info

from explorer.training import TrainConfig, train


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_blas_runs_on_one_thread_while_a_training_runs_and_gets_its_threads_back():
    """NumPy's BLAS ran the training's matrix products on every core: one submit took both."""
    before = blas_threads()
    steps = train(TrainConfig(steps=3))
    next(steps)
    assert blas_threads() == {1}
    assert len(list(steps)) == 2
    assert blas_threads() == before
    left = train(TrainConfig(steps=3))
    next(left)
    left.close()                      # a page stopped mid-training closes it
    assert blas_threads() == before


def burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_training_is_charged_the_cpu_of_every_thread_not_only_its_own():
    """The budget counted the training thread's CPU only (time.thread_time): BLAS's threads
    used as much again, uncounted. CPU spent by another thread while it trains now counts."""
    steps = train(TrainConfig(steps=200), cpu_seconds=0.3)
    assert next(steps).step == 0
    other = threading.Thread(target=burn, args=(0.5,))
    other.start()
    other.join()
    assert [record.step for record in steps] == [1]
