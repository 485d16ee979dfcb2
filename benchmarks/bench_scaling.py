"""Parallel scaling: wall time of the searchers as ``n_jobs`` grows.

Every fit of the three searchers goes through one joblib ``Parallel`` (the
shared evaluator), which streams each (candidate, fold) back as it finishes.
This script measures what that costs and how far it scales, on the local
machine with joblib's default (loky) backend, against scikit-learn run in the
same process:

- ``grid``: ``GridSearchCV`` and ``GridTuneCV`` on the same grid, for two
  estimators on digits (1797 x 64), ``cv=5``: ``svc``, an RBF SVC whose fit and
  score take about 0.1 s per fold, and ``forest``, a 50-tree random forest
  (about 0.2 s);
- ``bayes``: ``BayesTuneCV`` on the forest, with the default batches
  (``n_jobs // n_splits`` candidates per step) and ``batch_size="async"``
  (a new candidate whenever a worker frees).

For each setting and each ``n_jobs``: the wall time of ``fit`` (``refit=False``,
so only the search), the speed-up over the same setting at the smallest
``n_jobs``, and the **utilisation**: the fit and score seconds of every fold
(from ``cv_results_``) over ``n_jobs x wall``. The grid tables add the ratio
of our wall time to scikit-learn's at the same ``n_jobs`` (below 1: faster).
The Bayesian table adds the best score, so a faster setting is seen not to
buy its speed with worse candidates.

Before each ``n_jobs``, one untimed ``Parallel`` call starts the worker pool
and imports the estimators in it, so no setting pays for starting workers.
The two settings compared in a table run one after the other at each
``n_jobs``; which runs first alternates between cells, so neither always
gets the freshly warmed pool.
BLAS and OpenMP are pinned to one thread per process, as in every script
here, so ``n_jobs`` is the number of busy cores.

Wall time is what this measures: run it on an otherwise idle machine with at
least as many cores as the largest ``n_jobs``. Usage, from the repository
root::

    python benchmarks/bench_scaling.py          # n_jobs 1, 2, 4, ... up to 16 cores
    python benchmarks/bench_scaling.py --n-jobs 1 2 4 8 16
    python benchmarks/bench_scaling.py --tiny   # smoke run for CI
"""

import _common  # noqa: I001  (pins BLAS threads before numpy is imported)
import os
import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.svm import SVC

from sklearn_bayestune import BayesTuneCV, GridTuneCV, Integer, Real

SETTINGS = ("grid", "bayes")
CV = StratifiedKFold(5, shuffle=True, random_state=0)
WORKLOADS = {
    "svc": (
        SVC(),
        {"C": np.logspace(-1, 3, 6).tolist(), "gamma": np.logspace(-4, -1, 5).tolist()},
    ),
    "forest": (
        RandomForestClassifier(n_estimators=50, random_state=0),
        {
            "max_features": [0.05, 0.1, "sqrt", 0.3, 0.6],
            "min_samples_leaf": [1, 2, 4, 8],
        },
    ),
}
BAYES_SPACE = {
    "max_features": Real(0.02, 1.0, prior="log-uniform"),
    "min_samples_leaf": Integer(1, 16),
    "max_depth": Integer(2, 32),
}
BAYES_BATCHES = {"batches": None, "async": "async"}


def _data(tiny):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return (X[:300], y[:300]) if tiny else (X, y)


def _warm_up(n_jobs):
    """Start the pool at this size and import the estimators in every worker."""

    def touch():
        import sklearn.ensemble
        import sklearn.svm  # noqa: F401

        import sklearn_bayestune  # noqa: F401

        time.sleep(0.05)  # keeps a worker busy, so every worker gets one
        return os.getpid()

    Parallel(n_jobs=n_jobs)(delayed(touch)() for _ in range(4 * n_jobs))


def _timed_fit(search, X, y):
    """Wall seconds of ``search.fit``, busy worker-seconds, and the search."""
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    results = search.cv_results_
    busy = sum(
        float(np.nansum(results[f"mean_{kind}_time"])) * search.n_splits_
        for kind in ("fit", "score")
    )
    return {
        "wall": wall,
        "busy": busy,
        "n_candidates": len(results["params"]),
        "best_score": float(np.nanmax(results["mean_test_score"])),
    }


def _grid(workload, tiny):
    """The workload's grid; its first two values per parameter with ``--tiny``."""
    grid = WORKLOADS[workload][1]
    return {k: v[:2] for k, v in grid.items()} if tiny else grid


def _in_turn(pairs, flip):
    """``pairs`` in order, or reversed: cells alternate which setting runs first."""
    return pairs[::-1] if flip else pairs


def _grid_runs(workload, n_jobs, X, y, tiny, flip):
    estimator, grid = WORKLOADS[workload][0], _grid(workload, tiny)
    runs = {}
    searchers = (("scikit-learn", GridSearchCV), ("bayestune", GridTuneCV))
    for name, cls in _in_turn(searchers, flip):
        search = cls(estimator, grid, cv=CV, n_jobs=n_jobs, refit=False)
        runs[name] = _timed_fit(search, X, y)
    return runs


def _bayes_runs(n_jobs, X, y, n_iter, flip):
    runs = {}
    for name, batch_size in _in_turn(list(BAYES_BATCHES.items()), flip):
        search = BayesTuneCV(
            WORKLOADS["forest"][0],
            BAYES_SPACE,
            n_iter=n_iter,
            cv=CV,
            n_jobs=n_jobs,
            refit=False,
            batch_size=batch_size,
            random_state=0,
        )
        runs[name] = _timed_fit(search, X, y)
    return runs


def _rows(runs_by_n_jobs, names, *, ratio_to=None, best=False):
    """One table row per (name, n_jobs): wall, speed-up, utilisation, ..."""
    smallest = min(runs_by_n_jobs)
    rows = []
    for name in names:
        for n_jobs, runs in sorted(runs_by_n_jobs.items()):
            run = runs[name]
            row = [
                name,
                n_jobs,
                run["wall"],
                runs_by_n_jobs[smallest][name]["wall"] / run["wall"],
                run["busy"] / (n_jobs * run["wall"]),
            ]
            if ratio_to is not None:
                row.append(run["wall"] / runs[ratio_to]["wall"])
            if best:
                row += [run["n_candidates"], run["best_score"]]
            rows.append(row)
    return rows


def main():
    parser = _common.base_parser(__doc__.splitlines()[0], methods=SETTINGS)
    parser.add_argument(
        "--n-jobs",
        nargs="+",
        type=int,
        default=None,
        help="worker counts (default: 1, 2, 4, ... up to the machine's cores, "
        "16 at most; --tiny: 1 2)",
    )
    parser.add_argument(
        "--n-iter",
        type=int,
        default=None,
        help="BayesTuneCV candidates (default: 32; --tiny: 4)",
    )
    args = parser.parse_args()
    if args.n_jobs is None:
        cores = min(os.cpu_count() or 1, 16)
        args.n_jobs = [1, 2] if args.tiny else [2**k for k in range(5) if 2**k <= cores]
    n_iter = args.n_iter or (4 if args.tiny else 32)
    X, y = _data(args.tiny)

    results = {"grid": {w: {} for w in WORKLOADS}, "bayes": {}}
    for cell, n_jobs in enumerate(args.n_jobs):
        _warm_up(n_jobs)
        if "grid" in args.methods:
            for w, workload in enumerate(WORKLOADS):
                flip = (cell + w) % 2 == 1
                runs = _grid_runs(workload, n_jobs, X, y, args.tiny, flip)
                results["grid"][workload][n_jobs] = runs
                _common.progress(
                    f"grid {workload:6s} n_jobs={n_jobs:2d}  "
                    + "  ".join(f"{k} {r['wall']:.2f} s" for k, r in runs.items())
                )
        if "bayes" in args.methods:
            runs = _bayes_runs(n_jobs, X, y, n_iter, cell % 2 == 1)
            results["bayes"][n_jobs] = runs
            _common.progress(
                f"bayes forest n_jobs={n_jobs:2d}  "
                + "  ".join(f"{k} {r['wall']:.2f} s" for k, r in runs.items())
            )

    head = ["searcher", "n_jobs", "wall s", "speed-up", "utilisation"]
    sections = []
    if "grid" in args.methods:
        for workload, runs in results["grid"].items():
            estimator, grid = WORKLOADS[workload][0], _grid(workload, args.tiny)
            n_candidates = int(np.prod([len(v) for v in grid.values()]))
            table = _common.markdown_table(
                [*head, "wall / scikit-learn's"],
                _rows(runs, ("scikit-learn", "bayestune"), ratio_to="scikit-learn"),
            )
            sections.append(
                f"## Grid, {workload}: {estimator!r}, {n_candidates} candidates x "
                f"5 folds\n\n{table}"
            )
    if "bayes" in args.methods:
        table = _common.markdown_table(
            [*head, "candidates", "best accuracy"],
            _rows(results["bayes"], tuple(BAYES_BATCHES), best=True),
        )
        sections.append(
            f"## BayesTuneCV, forest: {n_iter} candidates x 5 folds, "
            "max_features (log), min_samples_leaf, max_depth\n\n" + table
        )
    data = "digits[:300]" if args.tiny else "digits (1797 x 64)"
    summary = (
        f"Data: {data}, features / 16; `StratifiedKFold(5, shuffle=True, "
        "random_state=0)`; `refit=False`; loky backend. Speed-up: wall time at "
        f"n_jobs={min(args.n_jobs)} over wall time. Utilisation: fit + score "
        "seconds of every fold over n_jobs x wall. One run per cell; the two "
        "settings of a table run one after the other, the first one alternating "
        "between cells.\n\n" + "\n\n".join(sections)
    )
    print(summary)
    folder = _common.output_folder(args)
    _common.write_report(
        folder,
        "scaling",
        title="Parallel scaling with n_jobs",
        results=results,
        summary=summary,
    )
    _common.progress(f"wrote {folder / 'scaling.md'}")


if __name__ == "__main__":
    main()
