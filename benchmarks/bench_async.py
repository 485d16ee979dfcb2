"""Asynchronous vs batch Bayesian proposals with two workers.

``BayesTuneCV`` with ``n_jobs=2`` on a problem whose fit times vary a lot
between candidates (an RBF SVC over a wide range of C and gamma on digits:
large C and small gamma fit many times slower than the rest). Three settings:

- ``batch``: the default, ``batch_size=None`` (``n_jobs // n_splits = 1``
  candidate per step; its folds run in parallel, and the last fold of a
  candidate leaves a worker idle);
- ``batch2``: ``batch_size=2`` (two candidates per step; a step waits for
  its slowest candidate);
- ``async``: ``batch_size="async"`` (a new candidate whenever a worker frees).

Reported per setting (mean over seeds): wall time of the search, worker idle
time (``n_jobs x wall`` minus the fit and score time of every fold, which
includes the proposals' own time), and the wall time until the best score so
far first reaches a target (the median over all runs of the final best
score, so every setting is measured against the same bar).

Wall time is what this benchmark is about, so it needs the two cores to
itself: run it on an otherwise idle machine. Usage::

    python benchmarks/bench_async.py            # 5 seeds x 24 candidates
    python benchmarks/bench_async.py --tiny     # smoke run
"""

import time

import numpy as np
from _common import base_parser, markdown_table, output_folder, progress, write_report
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from sklearn_bayestune import BayesTuneCV

SETTINGS = {"batch": None, "batch2": 2, "async": "async"}
SPACE = {"C": loguniform(1e-2, 1e4), "gamma": loguniform(1e-5, 1e-1)}


def run(setting, seed, n_iter, n_samples):
    """One search; returns its wall time, idle time and best-so-far trajectory."""
    X, y = load_digits(return_X_y=True)
    X, y = X[:n_samples] / 16.0, y[:n_samples]
    finished = []  # (elapsed wall seconds, best score so far) per candidate
    search = BayesTuneCV(
        SVC(),
        SPACE,
        n_iter=n_iter,
        cv=3,
        n_jobs=2,
        random_state=seed,
        batch_size=SETTINGS[setting],
        callbacks=[lambda r: finished.append((r.elapsed, r.best_score))],
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start - search.refit_time_
    results = search.cv_results_
    busy = sum(
        np.nansum(results[f"mean_{kind}_time"]) * search.n_splits_
        for kind in ("fit", "score")
    )
    return {"wall": wall, "idle": 2 * wall - busy, "trajectory": finished}


def time_to_target(trajectory, target):
    for elapsed, best in trajectory:
        if best >= target:
            return elapsed
    return float("nan")


def main():
    parser = base_parser(
        "Asynchronous vs batch proposals with two workers.",
        methods=tuple(SETTINGS),
    )
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=24)
    args = parser.parse_args()
    if args.tiny:
        args.seeds, args.n_iter = 1, 4
    n_samples = 300 if args.tiny else 1000
    runs = {setting: [] for setting in args.methods}
    # Start the worker pool first, so no setting pays for it.
    run("batch", 0, 2, 100)
    for seed in range(args.seeds):
        for setting in args.methods:
            outcome = run(setting, seed, args.n_iter, n_samples)
            runs[setting].append(outcome)
            progress(
                f"{setting:7s} seed {seed}  wall {outcome['wall']:.1f} s  "
                f"idle {outcome['idle']:.1f} s  best {outcome['trajectory'][-1][1]:.4f}"
            )
    target = float(
        np.median([r["trajectory"][-1][1] for rs in runs.values() for r in rs])
    )
    rows = []
    for setting, outcomes in runs.items():
        reach = [time_to_target(r["trajectory"], target) for r in outcomes]
        rows.append(
            [
                setting,
                np.mean([r["wall"] for r in outcomes]),
                np.mean([r["idle"] for r in outcomes]),
                np.mean([r["idle"] / (2 * r["wall"]) for r in outcomes]),
                np.nanmean(reach) if np.isfinite(reach).any() else float("nan"),
                int(np.isfinite(reach).sum()),
                np.mean([r["trajectory"][-1][1] for r in outcomes]),
            ]
        )
    table = markdown_table(
        [
            "setting",
            "wall s",
            "idle worker-s",
            "idle fraction",
            f"s to reach {target:.4f}",
            "runs reaching it",
            "final best",
        ],
        rows,
    )
    print(table)
    summary = (
        f"BayesTuneCV(SVC) on digits[:{n_samples}], C in [1e-2, 1e4], gamma in "
        f"[1e-5, 1e-1] (log), cv=3, n_jobs=2, {args.n_iter} candidates, "
        f"{args.seeds} seeds; accuracy. Wall seconds exclude the final refit. "
        "Idle worker-seconds = 2 x wall - (fit + score time of every fold).\n\n" + table
    )
    folder = output_folder(args)
    write_report(
        folder,
        "async",
        title="Asynchronous vs batch proposals, two workers",
        results={setting: outcomes for setting, outcomes in runs.items()},
        summary=summary,
    )
    progress(f"wrote {folder / 'async.md'}")


if __name__ == "__main__":
    main()
