"""scikit-learn's callback API (1.9+) on our searchers, also with n_jobs=2."""

import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sklearn_bayestune import BayesTuneCV, GridTuneCV, Integer
from sklearn_bayestune import _evaluator as evaluator

# The callback API and its test helpers ship with scikit-learn from 1.9 on.
_utils = pytest.importorskip("sklearn.callback.tests._utils")

X, y = load_iris(return_X_y=True)


def count(callback, hook):
    return sum(entry["name"] == hook for entry in callback.record)


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("refit", [True, False])
def test_grid_hooks(n_jobs, refit):
    callback = _utils.RecordingCallback()
    search = GridTuneCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [1, 2, 3]},
        cv=2,
        n_jobs=n_jobs,
        refit=refit,
    ).set_callbacks(callback)
    search.fit(X, y)
    # root + search task (+ refit) + one task per (candidate, fold)
    expected = 1 + 1 + refit + 3 * 2
    assert count(callback, "setup") == count(callback, "teardown") == 1
    assert count(callback, "on_fit_task_begin") == expected
    assert count(callback, "on_fit_task_end") == expected


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_bayes_hooks(n_jobs):
    callback = _utils.RecordingCallback()
    search = BayesTuneCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8), "min_samples_leaf": Integer(1, 20)},
        n_iter=6,
        cv=2,
        n_jobs=n_jobs,
        batch_size=2,
        random_state=0,
    ).set_callbacks(callback)
    search.fit(X, y)
    # root + search task + one task per batch + refit + one per (candidate, fold)
    expected = 1 + 1 + 3 + 1 + 6 * 2
    assert count(callback, "on_fit_task_begin") == expected
    assert count(callback, "on_fit_task_end") == expected
    if n_jobs == 1:  # with workers, hooks run on copies of the search
        for entry in callback.record:
            assert entry["estimator"] is search


@pytest.mark.parametrize("with_callback", [False, True])
def test_tasks_carry_a_context_only_with_callbacks(monkeypatch, with_callback):
    # A context drags the search and its parent's growing table of children
    # into every pickled task; without callbacks nothing needs it.
    seen = []
    run_task = evaluator._run_task

    def recording(task, *args):
        seen.append(task.callback_ctx)
        return run_task(task, *args)

    monkeypatch.setattr(evaluator, "_run_task", recording)
    search = GridTuneCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2]}, cv=2
    )
    if with_callback:
        search.set_callbacks(_utils.RecordingCallback())
    search.fit(X, y)
    assert len(seen) == 4
    assert all((ctx is not None) == with_callback for ctx in seen)
