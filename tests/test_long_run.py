"""Long runs, kept small for CI: they complete, never repeat a proposal, and
assemble ``cv_results_`` once per fit rather than once per step.

The full-size measurement (n_iter=500, time per proposal against n, peak
memory) is ``benchmarks/bench_long_run.py``; timings belong there, not in
assertions. Here the cost of result assembly is checked by counting calls:
the number of ``_format_results`` / ``format_inputs`` / ``kept`` calls must be
the same for a 15-candidate and a 60-candidate search (O(1) per fit), which a
searcher that rebuilt ``cv_results_`` after every step (O(n) calls of O(n)
work, quadratic overall) would fail.
"""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge

from sklearn_bayestune import (
    BayesOptimizer,
    BayesTuneCV,
    Categorical,
    GridTuneCV,
    Integer,
    RandomTuneCV,
    Real,
)
from sklearn_bayestune._results import SearchRecord

X, Y = make_regression(n_samples=60, n_features=5, noise=5.0, random_state=0)
N_ITER = 60
SPACE = {
    "alpha": Real(1e-3, 1e3, prior="log-uniform"),
    "fit_intercept": [True, False],
}


def as_key(params):
    return tuple(sorted(params.items()))


def make_search(kind, n, **kwargs):
    kwargs.setdefault("cv", 2)
    if kind == "grid":
        grid = {"alpha": list(np.logspace(-3, 3, n))}
        return GridTuneCV(Ridge(), grid, **kwargs)
    cls = RandomTuneCV if kind == "random" else BayesTuneCV
    return cls(Ridge(), SPACE, n_iter=n, random_state=0, **kwargs)


def test_bayes_long_run_completes_and_never_repeats():
    seen = []
    search = BayesTuneCV(
        Ridge(),
        SPACE,
        n_iter=N_ITER,
        cv=2,
        random_state=0,
        callbacks=[lambda result: seen.append(result.n_done)],
    ).fit(X, Y)
    results = search.cv_results_
    params = results["params"]
    assert len(params) == N_ITER
    assert len({as_key(p) for p in params}) == N_ITER
    assert len(np.unique(search.optimizer_.X_unit, axis=0)) == N_ITER
    assert search.optimizer_.n_observed == N_ITER
    assert np.isfinite(results["mean_test_score"]).all()
    assert seen == list(range(1, N_ITER + 1))
    # The model proposed most of them, after the initial design.
    kinds = list(results["proposal_kind"])
    assert kinds.count("log_ei") >= N_ITER - 20
    assert kinds.index("log_ei") == kinds.count("initial")
    assert np.all(np.diff(results["proposal_step"]) >= 0)
    assert search.best_score_ == np.max(results["mean_test_score"])


def test_bayes_exhausts_a_finite_space_without_repeats():
    # 12 x 5 = 60 candidates and n_iter = 60: the whole space, each once.
    space = {
        "alpha": Integer(1, 12),
        "solver": ["auto", "svd", "cholesky", "lsqr", "sparse_cg"],
    }
    search = BayesTuneCV(Ridge(), space, n_iter=60, cv=2, random_state=0).fit(X, Y)
    params = search.cv_results_["params"]
    expected = {(a, s) for a in range(1, 13) for s in space["solver"]}
    assert len(params) == 60
    assert {(p["alpha"], p["solver"]) for p in params} == expected


@pytest.mark.parametrize("batch_size", [4, "async"])
def test_bayes_batches_never_repeat(batch_size):
    search = BayesTuneCV(
        Ridge(), SPACE, n_iter=40, cv=2, random_state=0, batch_size=batch_size
    ).fit(X, Y)
    params = search.cv_results_["params"]
    assert len(params) == 40
    assert len({as_key(p) for p in params}) == 40


def test_optimizer_long_ask_tell_never_repeats():
    space = {
        "x": Real(-2.0, 2.0),
        "k": Integer(0, 4),
        "c": Categorical(["a", "b", "c"]),
    }
    opt = BayesOptimizer(space, random_state=0)

    def objective(p):
        return (p["x"] - 0.5) ** 2 + 0.1 * p["k"] + (p["c"] != "b")

    asked = []
    for _ in range(25):
        batch = opt.ask(4)
        asked += batch
        opt.tell(batch, [objective(p) for p in batch])
    assert opt.n_observed == 100
    assert len({as_key(p) for p in asked}) == 100
    assert len(np.unique(opt.X_unit, axis=0)) == 100
    assert opt.best_params["c"] == "b"


class Counter:
    """Counts the calls of the methods it wraps."""

    def __init__(self, monkeypatch, targets):
        self.counts = {}
        for owner, name in targets:
            self._wrap(monkeypatch, owner, name)

    def _wrap(self, monkeypatch, owner, name):
        original = getattr(owner, name)
        key = f"{owner.__name__}.{name}"
        self.counts[key] = 0

        def counting(*args, **kwargs):
            self.counts[key] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)

    def reset(self):
        self.counts = dict.fromkeys(self.counts, 0)


@pytest.mark.parametrize("kind", ["grid", "random", "bayes"])
def test_results_are_assembled_a_constant_number_of_times_per_fit(monkeypatch, kind):
    cls = type(make_search(kind, 2))
    counter = Counter(
        monkeypatch,
        [
            (cls, "_format_results"),
            (SearchRecord, "format_inputs"),
            (SearchRecord, "kept"),
        ],
    )
    counts = {}
    for n in (15, N_ITER):
        counter.reset()
        search = make_search(kind, n).fit(X, Y)
        assert len(search.cv_results_["params"]) == n
        counts[n] = dict(counter.counts)
    assert counts[15] == counts[N_ITER]
    assert counts[N_ITER][f"{cls.__name__}._format_results"] == 1


def test_dummy_estimator_long_random_run():
    # Every candidate scores the same (a constant predictor): a long run of
    # ties ranks them all first and keeps the first as best, as scikit-learn.
    # quantile does nothing with strategy="mean".
    search = RandomTuneCV(
        DummyRegressor(strategy="mean"),
        {"quantile": Real(0.0, 1.0)},
        n_iter=N_ITER,
        cv=2,
        random_state=0,
    ).fit(X, Y)
    ranks = search.cv_results_["rank_test_score"]
    assert len(ranks) == N_ITER
    assert (ranks == 1).all()
    assert search.best_index_ == 0
