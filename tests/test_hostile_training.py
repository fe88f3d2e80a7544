"""The Training page under a visitor who submits many settings (the fourteenth outside attack,
F4): the server's one training runs on one core, is charged the CPU of every thread of the
server while it trains, and the default settings' training outlives any number of others.
These tests hold the mechanisms, not timings."""
from __future__ import annotations

import pathlib
import threading
import time

from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_info

from explorer.training import FinishedRuns, TrainConfig, train

ENTRY = str(pathlib.Path(__file__).resolve().parents[1] / "streamlit_app.py")


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


def test_settings_kept_apart_outlive_any_number_of_others():
    runs = FinishedRuns(size=2)
    default = TrainConfig()
    runs.put(default, "default", keep=True)
    for seed in range(1, 10):
        runs.put(TrainConfig(seed=seed), f"run {seed}")
    assert runs.get(default) == "default"
    assert runs.get(TrainConfig(seed=8)) == "run 8" and runs.get(TrainConfig(seed=1)) is None


def test_the_default_training_outlives_sixteen_other_settings(monkeypatch):
    """Any seed is another config: 16 submits of new seeds pushed the training every visitor
    opens on out of the replay store, and the next visitor waited for the training slot."""
    import explorer.training
    from app_pages.common import finished_runs
    first = AppTest.from_file(ENTRY, default_timeout=90)
    first.switch_page("app_pages/training.py").run()
    assert not first.exception
    for seed in range(1_000, 1_016):
        finished_runs().put(TrainConfig(seed=seed), first)

    def untrainable(*args, **kwargs):
        raise AssertionError("the page trained the default settings again")
    monkeypatch.setattr(explorer.training, "train", untrainable)
    second = AppTest.from_file(ENTRY, default_timeout=90)
    second.switch_page("app_pages/training.py").run()
    assert not second.exception, [e.value for e in second.exception]
    assert second.caption[0].value == first.caption[0].value
