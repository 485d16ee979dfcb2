"""The demo run by ``python -m sklearn_bayestune``.

Tunes a scaled SVC pipeline (``C`` and ``gamma``) on scikit-learn's
breast-cancer data with each of the three searchers at the same budget of 16
candidates on the same 5 folds, prints a compact comparison, and, when
matplotlib is installed, saves their convergence curves on one axes as a PNG
in the current directory.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from . import BayesTuneCV, ConvergenceDisplay, GridTuneCV, RandomTuneCV, loguniform

N_CANDIDATES = 16
PLOT_FILE = "bayestune_demo_convergence.png"


def _searches(pipe, cv, scoring, n_jobs):
    """The three searchers, each with a budget of N_CANDIDATES candidates."""
    common = dict(scoring=scoring, cv=cv, n_jobs=n_jobs, progress=False)
    space = {"svc__C": loguniform(1e-3, 1e3), "svc__gamma": loguniform(1e-5, 1e1)}
    return {
        "GridTuneCV": GridTuneCV(
            pipe,
            # 4 x 4 = 16 points, log-spaced over the same ranges.
            {"svc__C": [1e-3, 1e-1, 1e1, 1e3], "svc__gamma": [1e-5, 1e-3, 1e-1, 1e1]},
            **common,
        ),
        "RandomTuneCV": RandomTuneCV(
            pipe, space, n_iter=N_CANDIDATES, random_state=0, **common
        ),
        "BayesTuneCV": BayesTuneCV(
            pipe, space, n_iter=N_CANDIDATES, random_state=0, **common
        ),
    }


def _save_plot(searches) -> str | None:
    """The convergence curves of every search on one axes; the PNG's path."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = figure.subplots()
    for name, search in searches.items():
        label = f"{name} (grid order)" if name == "GridTuneCV" else name
        ConvergenceDisplay.from_estimator(search, ax=ax, label=label)
    ax.set_title("SVC(C, gamma) on breast_cancer, 5-fold ROC AUC")
    figure.savefig(PLOT_FILE, dpi=100)
    return PLOT_FILE


def main(n_jobs: int = 2) -> None:
    """Run the three searchers on one problem and print how each did.

    Parameters
    ----------
    n_jobs : int, default=2
        Workers for the cross-validation fits of every search.
    """
    X, y = load_breast_cancer(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    scoring = "roc_auc"
    searches = _searches(pipe, cv, scoring, n_jobs)
    # Start the worker processes first, so no searcher's time includes it.
    cross_validate(pipe, X, y, cv=2, n_jobs=n_jobs)
    print(
        f"Tuning StandardScaler + SVC(C, gamma) on breast_cancer {X.shape}:\n"
        f"{N_CANDIDATES} candidates per searcher on the same 5 folds, "
        f"scoring={scoring!r}, n_jobs={n_jobs}\n"
    )
    print(
        f"{'searcher':<13} {'best ROC AUC':>12} {'median':>7} {'fits':>5} "
        f"{'wall s':>7}  best params"
    )
    for name, search in searches.items():
        start = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - start
        scores = search.cv_results_["mean_test_score"]
        n_fits = len(scores) * search.n_splits_
        params = ", ".join(
            f"{key.split('__')[-1]}={value:.3g}"
            for key, value in search.best_params_.items()
        )
        print(
            f"{name:<13} {search.best_score_:>12.4f} {np.nanmedian(scores):>7.4f} "
            f"{n_fits:>5} {wall:>7.1f}  {params}"
        )
    print(
        "\nbest: the best candidate's mean ROC AUC over the folds; median: the "
        f"median\nof that mean over all {N_CANDIDATES} candidates (how much of the "
        "budget went to\ngood settings); fits: candidates x folds."
    )
    path = _save_plot(searches)
    if path is None:
        print('\nInstall matplotlib (pip install "sklearn-bayestune[plot]") to get')
        print("a plot of the three searches' best score so far.")
    else:
        print(
            f"\nConvergence plot (best score so far, all three): {path} "
            "in the current directory"
        )
