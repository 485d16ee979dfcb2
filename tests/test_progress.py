import io
import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from sklearn_bayestune import (
    BayesTuneCV,
    GridTuneCV,
    MedianStoppingPolicy,
    RandomTuneCV,
    Real,
    _progress,
)
from sklearn_bayestune._progress import ProgressReporter, _format_seconds


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def no_tqdm(monkeypatch):
    """Hide tqdm, so the plain-text reporter is used."""
    monkeypatch.setitem(sys.modules, "tqdm", None)


@pytest.fixture
def clock(monkeypatch):
    """A manual clock for the reporter, in seconds."""
    now = [1000.0]
    monkeypatch.setattr(_progress.time, "monotonic", lambda: now[0])
    return now


def test_disabled_writes_nothing():
    out = io.StringIO()
    with ProgressReporter(enabled=False, total=10, file=out) as progress:
        for i in range(10):
            progress.update(i + 1, best_score=0.5)
    assert out.getvalue() == ""


@pytest.mark.parametrize("file_cls", [io.StringIO, FakeTTY])
def test_auto_follows_isatty(file_cls):
    out = file_cls()
    progress = ProgressReporter(total=3, file=out)
    assert progress.enabled is (file_cls is FakeTTY)
    progress.update(3, best_score=0.5)
    progress.close()
    assert (out.getvalue() == "") is (file_cls is io.StringIO)


def test_auto_with_default_non_tty_stderr_is_off(capsys):
    progress = ProgressReporter(total=3)
    progress.update(3, best_score=0.5)
    progress.close()
    assert not progress.enabled
    assert capsys.readouterr().err == ""


def test_invalid_enabled():
    with pytest.raises(ValueError, match="'enabled' parameter.*got 'yes'"):
        ProgressReporter(enabled="yes")


@pytest.mark.parametrize("enabled", [np.True_, np.False_])
def test_numpy_bools_are_accepted(enabled):
    # The searches' "boolean" constraint lets them through to the reporter.
    progress = ProgressReporter(enabled=enabled, file=io.StringIO())
    assert progress.enabled is bool(enabled)
    X, y = load_iris(return_X_y=True)
    GridTuneCV(SVC(), {"C": [1, 10]}, cv=2, progress=enabled).fit(X, y)


def test_plain_writes_counts_and_best_score(no_tqdm, clock):
    out = io.StringIO()
    with ProgressReporter(enabled=True, total=10, file=out) as progress:
        progress.update(1, best_score=0.25)
        clock[0] += 0.1
        progress.update(2, best_score=0.5)  # within 0.5 s: not shown
        clock[0] += 0.5
        progress.update(3)  # best score kept
    lines = out.getvalue().splitlines()
    assert lines == [
        "fits: 1/10 (10%), best score 0.25",
        "fits: 3/10 (30%), best score 0.5",
        "fits: 3/10 (30%), best score 0.5",  # the final line of close
    ]


def test_plain_total_grows_and_unknown_total(no_tqdm, clock):
    out = io.StringIO()
    with ProgressReporter(enabled=True, file=out, desc="candidates") as progress:
        progress.update(2)
        clock[0] += 1
        progress.update(4, total=8)
        clock[0] += 1
        progress.update(5, total=12)
    lines = out.getvalue().splitlines()
    assert lines[0] == "candidates: 2"
    assert lines[1] == "candidates: 4/8 (50%)"
    assert lines[2].startswith("candidates: 5/12 (42%)")


def test_plain_on_tty_uses_carriage_returns(no_tqdm, clock):
    out = FakeTTY()
    with ProgressReporter(total=100, file=out) as progress:
        progress.update(10, best_score=0.123456)
        clock[0] += 1
        progress.update(100, best_score=1)
    text = out.getvalue()
    assert text.startswith("\rfits: 10/100 (10%), best score 0.1235")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "\rfits: 100/100 (100%), best score 1" in text


def test_time_left_with_max_time(no_tqdm, clock):
    out = io.StringIO()
    with ProgressReporter(enabled=True, total=10, max_time=120, file=out) as p:
        clock[0] += 30
        p.update(1)
        clock[0] += 3600
        p.update(2)
    lines = out.getvalue().splitlines()
    assert lines[0] == "fits: 1/10 (10%), 1:30 left"
    assert lines[1] == "fits: 2/10 (20%), 0:00 left"


def test_no_time_left_without_max_time(no_tqdm):
    out = io.StringIO()
    with ProgressReporter(enabled=True, total=1, file=out) as progress:
        progress.update(1)
    assert "left" not in out.getvalue()


@pytest.mark.parametrize(
    "seconds, text", [(0, "0:00"), (59.2, "1:00"), (3725, "1:02:05")]
)
def test_format_seconds(seconds, text):
    assert _format_seconds(seconds) == text


def test_invalid_max_time():
    with pytest.raises(ValueError, match="'max_time' parameter.*got 0"):
        ProgressReporter(max_time=0)


@pytest.mark.parametrize("use_tqdm", [False, True])
def test_update_and_close_after_file_closed_do_not_raise(monkeypatch, use_tqdm):
    if use_tqdm:
        pytest.importorskip("tqdm")
    else:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    out = io.StringIO()
    progress = ProgressReporter(enabled=True, total=5, max_time=10, file=out)
    progress.update(1, best_score=0.5)
    out.close()
    progress.update(2, best_score=0.6)
    progress.close()
    progress.update(3)
    progress.close()


def test_update_after_close_does_not_raise(no_tqdm):
    out = io.StringIO()
    progress = ProgressReporter(enabled=True, total=5, file=out)
    progress.close()
    written = out.getvalue()
    progress.update(4, best_score=1.0)
    progress.close()
    assert out.getvalue() == written


def test_forced_on_with_closed_file_does_not_raise(no_tqdm):
    out = io.StringIO()
    out.close()
    with ProgressReporter(enabled=True, total=5, file=out) as progress:
        progress.update(1)


def test_tqdm_path(monkeypatch):
    pytest.importorskip("tqdm")
    out = io.StringIO()
    with ProgressReporter(enabled=True, total=10, max_time=60, file=out) as progress:
        assert progress._bar is not None
        progress.update(3, best_score=0.5)
        progress.update(12, best_score=0.75, total=20)
    text = out.getvalue()
    assert "fits" in text
    assert "12/20" in text
    assert "best=0.75" in text
    assert "left=" in text


@pytest.mark.parametrize(
    "make_search",
    [
        lambda est, **kw: GridTuneCV(est, {"C": [0.1, 1.0, 10.0, 100.0]}, **kw),
        lambda est, **kw: RandomTuneCV(est, {"C": Real(0.1, 100.0)}, n_iter=4, **kw),
        lambda est, **kw: BayesTuneCV(est, {"C": Real(0.1, 100.0)}, n_iter=4, **kw),
        lambda est, **kw: BayesTuneCV(
            est, {"C": Real(0.1, 100.0)}, n_iter=4, batch_size="async", **kw
        ),
    ],
    ids=["grid", "random", "bayes", "bayes-async"],
)
def test_search_shows_its_whole_budget_from_the_first_line(
    make_search, no_tqdm, clock, capsys
):
    # A frozen clock shows the first line and the final one only.
    X, y = load_iris(return_X_y=True)
    make_search(LogisticRegression(max_iter=200), cv=3, progress=True).fit(X, y)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("fits: 0/12 (0%)")
    assert lines[-1].startswith("fits: 12/12 (100%)")


def test_folds_stopped_by_the_policy_leave_the_total(no_tqdm, clock, capsys):
    # The bar ends at 100 %: folds the policy cancelled are not still due.
    X, y = load_iris(return_X_y=True)
    search = GridTuneCV(
        SVC(),
        {"C": [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]},
        cv=5,
        early_stopping=MedianStoppingPolicy(),
        progress=True,
    ).fit(X, y)
    n_fits = np.isfinite(
        [search.cv_results_[f"split{k}_test_score"] for k in range(5)]
    ).sum()
    assert n_fits < 7 * 5
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith(f"fits: {n_fits}/{n_fits} (100%)")
