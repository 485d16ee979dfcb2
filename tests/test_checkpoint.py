"""Checkpoint and resume: a killed search, re-run, loses no finished fit."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from sklearn_bayestune import (
    BayesTuneCV,
    GridTuneCV,
    MedianStoppingPolicy,
    RandomTuneCV,
    Real,
)
from sklearn_bayestune.exceptions import SearchInterruptedWarning

ROOT = Path(__file__).resolve().parent.parent

# A search whose every fit sleeps and logs itself, run in a subprocess so it
# can really be killed. Prints cv_results_ as JSON at the end.
SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    import numpy as np
    from scipy.stats import loguniform
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC
    from sklearn_bayestune import BayesTuneCV, GridTuneCV, RandomTuneCV

    class LoggedSVC(SVC):
        def fit(self, X, y, sample_weight=None):
            with open(os.environ["FIT_LOG"], "a") as log:
                log.write(f"{self.C}\\n")
            time.sleep(float(os.environ.get("FIT_SLEEP", "0")))
            return super().fit(X, y, sample_weight=sample_weight)

    kind, checkpoint = sys.argv[1], sys.argv[2]
    space = {"C": loguniform(1e-3, 1e2)}
    common = dict(cv=3, checkpoint=checkpoint, refit=False)
    if kind == "grid":
        search = GridTuneCV(LoggedSVC(), {"C": list(np.logspace(-3, 2, 8))}, **common)
    elif kind == "random":
        search = RandomTuneCV(LoggedSVC(), space, n_iter=8, random_state=0, **common)
    else:
        search = BayesTuneCV(LoggedSVC(), space, n_iter=8, random_state=0, **common)
    X, y = load_iris(return_X_y=True)
    search.fit(X, y)
    results = search.cv_results_
    print(json.dumps({
        "C": [float(p["C"]) for p in results["params"]],
        "mean": [float(v) for v in results["mean_test_score"]],
        "split0": [float(v) for v in results["split0_test_score"]],
    }))
    """
)


def run_script(tmp_path, kind, checkpoint, fit_log, sleep="0"):
    script = tmp_path / "search.py"
    script.write_text(SCRIPT)
    env = {
        **os.environ,
        "FIT_LOG": str(fit_log),
        "FIT_SLEEP": sleep,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    return subprocess.Popen(
        [sys.executable, str(script), kind, str(checkpoint)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def count_lines(path):
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.parametrize("kind", ["grid", "random", "bayes"])
def test_kill_and_resume_gives_the_uninterrupted_results(
    tmp_path, kind, count_journaled_fits
):
    # The reference: one uninterrupted run.
    reference = run_script(tmp_path, kind, tmp_path / "ref.jsonl", tmp_path / "ref.log")
    out, err = reference.communicate(timeout=120)
    assert reference.returncode == 0, err
    expected = json.loads(out)
    total_fits = count_lines(tmp_path / "ref.log")
    assert total_fits == 8 * 3

    # A run killed with SIGKILL once some fits are journaled.
    checkpoint, log = tmp_path / "ckpt.jsonl", tmp_path / "run.log"
    killed = run_script(tmp_path, kind, checkpoint, log, sleep="0.1")
    deadline = time.monotonic() + 60
    while count_journaled_fits(checkpoint) < 7 and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    journaled = count_journaled_fits(checkpoint)
    assert 7 <= journaled < total_fits

    # The same command resumes: journaled fits are not run again.
    log.unlink()
    resumed = run_script(tmp_path, kind, checkpoint, log)
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert json.loads(out) == expected
    assert count_lines(log) == total_fits - journaled
    # The journal is plain JSON lines, and now complete: the header, each
    # candidate once, each fold once.
    lines = [json.loads(line) for line in checkpoint.read_text().splitlines()]
    assert all(isinstance(line, dict) for line in lines)
    assert sorted(line["candidate"] for line in lines[1:] if "split" not in line) == (
        list(range(8))
    )
    assert count_journaled_fits(checkpoint) == total_fits
    assert len(lines) == 1 + 8 + total_fits


def test_checkpoint_of_another_search_is_refused(tmp_path):
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    GridTuneCV(SVC(), {"C": [1.0, 10.0]}, cv=3, checkpoint=path).fit(X, y)
    with pytest.raises(ValueError, match="different search"):
        GridTuneCV(SVC(), {"C": [1.0, 100.0]}, cv=3, checkpoint=path).fit(X, y)
    with pytest.raises(ValueError, match="different search"):
        GridTuneCV(SVC(), {"C": [1.0, 10.0]}, cv=3, checkpoint=path).fit(X[:-3], y[:-3])
    # Fit parameters change every fold's score too.
    weights = np.linspace(0.5, 2.0, len(y))
    with pytest.raises(ValueError, match="different search"):
        GridTuneCV(SVC(), {"C": [1.0, 10.0]}, cv=3, checkpoint=path).fit(
            X, y, sample_weight=weights
        )
    # Options that do not change the results may differ.
    GridTuneCV(
        SVC(), {"C": [1.0, 10.0]}, cv=3, checkpoint=path, n_jobs=2, verbose=1
    ).fit(X, y)


@pytest.mark.parametrize("random_state", [None, np.random.RandomState(0)])
def test_checkpoint_without_an_int_seed_warns_that_it_cannot_resume(
    tmp_path, random_state
):
    X, y = load_iris(return_X_y=True)
    search = RandomTuneCV(
        SVC(),
        {"C": [0.1, 1.0, 10.0]},
        n_iter=2,
        cv=3,
        random_state=random_state,
        checkpoint=tmp_path / "search.jsonl",
    )
    with pytest.warns(UserWarning, match="reuses none of the finished fits"):
        search.fit(X, y)


class InterruptOnce(SVC):
    """Sends SIGINT on its first fit with C == 10 while armed."""

    armed = False  # a class attribute: not a parameter, not fingerprinted

    def fit(self, X, y, sample_weight=None):
        if InterruptOnce.armed and self.C == 10.0:
            InterruptOnce.armed = False
            os.kill(os.getpid(), signal.SIGINT)
        return super().fit(X, y, sample_weight=sample_weight)


def test_ctrl_c_then_resume_in_process(tmp_path, sigint_raises):
    X, y = load_iris(return_X_y=True)
    grid = {"C": [0.1, 1.0, 10.0, 100.0]}
    path = tmp_path / "search.jsonl"
    InterruptOnce.armed = True
    with pytest.warns(SearchInterruptedWarning, match="checkpoint="):
        first = GridTuneCV(InterruptOnce(), grid, cv=3, checkpoint=path).fit(X, y)
    assert len(first.cv_results_["params"]) == 2
    resumed = GridTuneCV(InterruptOnce(), grid, cv=3, checkpoint=path).fit(X, y)
    assert len(resumed.cv_results_["params"]) == 4
    fresh = GridTuneCV(SVC(), grid, cv=3).fit(X, y)
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], fresh.cv_results_["mean_test_score"]
    )


def test_refitting_the_same_object_resumes_with_dimensions(tmp_path):
    # Using a dimension fills in private caches; the fingerprint must not
    # change because of them.
    X, y = load_iris(return_X_y=True)
    search = BayesTuneCV(
        SVC(),
        {"C": Real(1e-2, 1e2, prior="log-uniform")},
        n_iter=4,
        cv=3,
        random_state=0,
        checkpoint=tmp_path / "search.jsonl",
    )
    first = search.fit(X, y).cv_results_["params"]
    assert search.fit(X, y).cv_results_["params"] == first


class CountedSVC(SVC):
    """Counts its fits in a class attribute (threads share it)."""

    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        CountedSVC.n_fits += 1
        time.sleep(0.002 * (hash(self.C) % 5))  # finishing order varies by run
        return super().fit(X, y, sample_weight=sample_weight)


def counted_search(path, **options):
    """A Bayesian search of CountedSVC journaled to ``path``; async by default."""
    options = dict(n_iter=8, n_initial_points=3, cv=3, batch_size="async") | options
    return BayesTuneCV(
        CountedSVC(),
        {"C": Real(1e-3, 1e2, prior="log-uniform")},
        random_state=0,
        refit=False,
        checkpoint=path,
        **options,
    )


@pytest.mark.parametrize(
    "options, stops",
    [
        pytest.param(dict(batch_size="async"), False, id="async"),
        pytest.param(
            dict(batch_size=3, early_stopping=MedianStoppingPolicy()),
            True,
            id="early-stopping",
        ),
        pytest.param(
            dict(batch_size="async", early_stopping=MedianStoppingPolicy()),
            False,  # usually one stop, not always
            id="async-early-stopping",
        ),
    ],
)
def test_replaying_a_parallel_run_fits_nothing_and_gives_its_results(
    tmp_path, options, stops
):
    # With two workers, the folds of these searches finish in an order that
    # differs from run to run, and the search's decisions (proposals,
    # stopped candidates) depend on it. Fitting again on the complete
    # checkpoint must reproduce those decisions from the file alone.
    X, y = load_iris(return_X_y=True)

    def search():
        return counted_search(
            tmp_path / "search.jsonl",
            n_iter=12,
            n_initial_points=4,
            cv=5,
            n_jobs=2,
            pre_dispatch="n_jobs",
            **options,
        )

    with parallel_config(backend="threading"):
        first = search().fit(X, y).cv_results_
        if stops:
            assert first["stopped_early"].any()
        CountedSVC.n_fits = 0
        for _ in range(3):
            replayed = search().fit(X, y).cv_results_
            assert CountedSVC.n_fits == 0
            # Every column, timings too: they are read back from the file.
            assert replayed.keys() == first.keys()
            assert replayed["params"] == first["params"]
            for key in first.keys() - {"params"}:
                np.testing.assert_array_equal(
                    np.asarray(replayed[key]), np.asarray(first[key]), err_msg=key
                )


def _rewrite(path, transform):
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(line) + "\n" for line in transform(lines)))


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _fit_again_changes_nothing(search, X, y, path, expected):
    """Fitting again fits nothing, gives ``expected`` and leaves the file as is."""
    before = path.read_text()
    CountedSVC.n_fits = 0
    results = search().fit(X, y).cv_results_
    assert CountedSVC.n_fits == 0
    assert results["params"] == expected["params"]
    np.testing.assert_array_equal(
        results["mean_test_score"], expected["mean_test_score"]
    )
    assert path.read_text() == before


def _as_version_1(lines):
    return [{**lines[0], "version": 1}] + [e for e in lines[1:] if "split" in e]


def test_version_1_checkpoint_still_replays_without_fitting(tmp_path):
    # Version 1 files hold no candidate lines: each candidate's folds are
    # replayed when it is proposed again, and the file becomes a version-2
    # history that later fits replay in order.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    first = counted_search(path).fit(X, y).cv_results_
    _rewrite(path, _as_version_1)
    CountedSVC.n_fits = 0
    replayed = counted_search(path).fit(X, y).cv_results_
    assert CountedSVC.n_fits == 0
    assert replayed["params"] == first["params"]
    np.testing.assert_array_equal(replayed["mean_test_score"], first["mean_test_score"])
    lines = _lines(path)
    assert lines[0]["version"] == 2
    assert lines[25] == {"resumed_at": 0}  # after the 24 fold lines
    _fit_again_changes_nothing(lambda: counted_search(path), X, y, path, first)


def test_a_parted_parallel_history_is_replayed_in_order_afterwards(tmp_path):
    # Half a version-1 checkpoint resumed with two workers: asynchronous
    # proposals part from the journaled ones (they depend on which folds
    # finish first), so the resumed run fits anew. What it handled is
    # journaled in order, so every later fit replays it exactly.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"

    def search():
        return counted_search(
            path, n_iter=10, n_initial_points=3, cv=5, n_jobs=2, pre_dispatch="n_jobs"
        )

    with parallel_config(backend="threading"):
        search().set_params(n_jobs=1).fit(X, y)
        _rewrite(path, lambda lines: _as_version_1(lines)[:26])
        resumed = search().fit(X, y).cv_results_
        for _ in range(2):
            _fit_again_changes_nothing(search, X, y, path, resumed)


def test_replay_after_a_different_proposal_still_fits_nothing_journaled(tmp_path):
    # A journaled proposal that the resumed search does not make again ends
    # the replay in order; the journaled folds are then still used wherever
    # the parameters match, and the history is journaled again from there.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    first = counted_search(path).fit(X, y).cv_results_

    def other_fifth_proposal(lines):
        return [
            {**e, "params": '{"C": -1.0}'}
            if e.get("candidate") == 5 and "split" not in e
            else e
            for e in lines
        ]

    _rewrite(path, other_fifth_proposal)
    n_lines = len(_lines(path))
    CountedSVC.n_fits = 0
    replayed = counted_search(path).fit(X, y).cv_results_
    assert CountedSVC.n_fits == 0
    assert replayed["params"] == first["params"]
    lines = _lines(path)
    resumed_at = lines[n_lines]["resumed_at"]
    # The history kept: the lines before candidate 5's (the header is not in it).
    assert lines[1 + resumed_at] == {"candidate": 5, "params": '{"C": -1.0}'}
    assert [e["candidate"] for e in lines[n_lines + 1 :] if "split" not in e] == [
        5,
        6,
        7,
    ]
    _fit_again_changes_nothing(lambda: counted_search(path), X, y, path, first)


def test_a_complete_replay_is_no_stop_for_max_time(tmp_path):
    # Replayed folds are no tasks: a budget spent before any task leaves a
    # completed search's replay complete, with no stop_reason_.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    for batch_size in ("async", None):
        first = counted_search(path, batch_size=batch_size).fit(X, y).cv_results_
        search = counted_search(path, batch_size=batch_size, max_time=1e-9)
        assert search.fit(X, y).cv_results_["params"] == first["params"]
        assert not hasattr(search, "stop_reason_")
        path.unlink()


def test_a_fold_line_of_an_unknown_split_is_ignored(tmp_path):
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    first = counted_search(path, batch_size=None).fit(X, y).cv_results_
    _rewrite(
        path,
        lambda lines: [
            line | {"split": 7}
            if line.get("split") == 2 and line["candidate"] == 1
            else line
            for line in lines
        ],
    )
    CountedSVC.n_fits = 0
    results = counted_search(path, batch_size=None).fit(X, y).cv_results_
    assert CountedSVC.n_fits == 1  # that fold, fitted again
    np.testing.assert_array_equal(
        results["split2_test_score"], first["split2_test_score"]
    )


def test_a_stop_during_the_replay_leaves_the_history_whole(tmp_path):
    # Patience may change between runs: a run that stops early while
    # replaying has not parted from the history, and writes nothing.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    first = counted_search(path).fit(X, y).cv_results_
    before = path.read_text()
    CountedSVC.n_fits = 0
    stopped = counted_search(path, n_iter_no_change=1).fit(X, y)
    assert stopped.stop_reason_ == "n_iter_no_change"
    assert CountedSVC.n_fits == 0
    assert path.read_text() == before
    _fit_again_changes_nothing(lambda: counted_search(path), X, y, path, first)


def test_stored_folds_outside_the_history_skip_stopped_candidates(tmp_path):
    # A fold stored before a resumed_at line is outside the history: handed
    # in for a running candidate, never for one the policy stopped.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"

    def search():
        return counted_search(
            path, n_iter=10, cv=5, early_stopping=MedianStoppingPolicy()
        )

    first = search().fit(X, y).cv_results_
    stopped = int(np.flatnonzero(first["stopped_early"])[0])
    lines = _lines(path)
    folds = [line for line in lines if "split" in line]
    ran = [line for line in folds if line["candidate"] == stopped]
    unrun = next(s for s in range(5) if s not in {line["split"] for line in ran})
    stored = {**ran[0], "split": unrun, "out": folds[-1]["out"]}
    _rewrite(path, lambda lines: [*lines, stored, {"resumed_at": len(lines) - 1}])
    _fit_again_changes_nothing(search, X, y, path, first)
    assert search().fit(X, y).cv_results_["stopped_early"][stopped]


def _without_fit_error(lines):
    *head, last = lines
    return [
        *head,
        {**last, "out": {k: v for k, v in last["out"].items() if k != "fit_error"}},
    ]


def _string_score(lines):
    *head, last = lines
    return [*head, {**last, "out": {**last["out"], "test_scores": "0.9"}}]


def _extra_key(lines):
    *head, last = lines
    return [*head, {**last, "out": {**last["out"], "note": 1}}]


def _train_scores_added(lines):
    *head, last = lines
    return [*head, {**last, "out": {**last["out"], "train_scores": 1.0}}]


def _metric_renamed(lines):
    *head, last = lines
    score = last["out"]["test_scores"]
    return [*head, {**last, "out": {**last["out"], "test_scores": {"acc": score}}}]


@pytest.mark.parametrize(
    "damage",
    [
        _without_fit_error,
        _string_score,
        _extra_key,
        _train_scores_added,
        _metric_renamed,
    ],
)
def test_an_edited_fold_result_is_refused_with_its_line(tmp_path, damage):
    # It was read back and failed inside scikit-learn's formatting, with a
    # KeyError or "could not convert string to float".
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    counted_search(path, batch_size=1).fit(X, y)
    assert "split" in _lines(path)[-1]
    n_lines = len(_lines(path))
    _rewrite(path, damage)
    with pytest.raises(
        ValueError, match=f"Line {n_lines} of the checkpoint .* not a valid"
    ):
        counted_search(path, batch_size=1).fit(X, y)


def test_an_empty_checkpoint_path_names_the_parameter():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="'checkpoint' parameter .* empty string"):
        counted_search("").fit(X, y)


def _at_least_90(estimator, X, y):
    return bool((estimator.predict(X) == y).mean() >= 0.9)


@pytest.mark.parametrize(
    "scoring, return_train_score",
    [(_at_least_90, False), (["accuracy", "f1_macro"], True), ("accuracy", True)],
)
def test_what_a_search_writes_it_resumes(tmp_path, scoring, return_train_score):
    # Not refused as edited: a bool score (scikit-learn takes it), several
    # metrics, train scores, a numeric error_score.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"

    def search():
        return GridTuneCV(
            CountedSVC(),
            {"C": [0.01, 1.0]},
            cv=3,
            scoring=scoring,
            refit=not isinstance(scoring, list),
            return_train_score=return_train_score,
            error_score=-1,
            checkpoint=path,
        )

    several = isinstance(scoring, list)
    first = search().fit(X, y).cv_results_
    CountedSVC.n_fits = 0
    again = search().fit(X, y).cv_results_
    assert CountedSVC.n_fits == (0 if several else 1)  # the refit only
    key = "mean_test_accuracy" if several else "mean_test_score"
    np.testing.assert_array_equal(again[key], first[key])
