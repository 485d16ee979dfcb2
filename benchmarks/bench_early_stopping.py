"""Fold racing: fitting time saved, and whether the chosen model changes.

Each case is a typical search on a dataset scikit-learn ships, run twice with
``n_jobs=1`` on the same folds: once evaluating every fold (scikit-learn's
behaviour) and once with an early-stopping policy. Reported per case and
policy: the summed fit time of the folds that ran (``mean_fit_time`` times the
folds each candidate finished), its ratio to the full search, the fraction of
folds fitted, and whether ``best_params_`` is the same.

Fit time is CPU-bound single-thread work, so the ratio is meaningful on a
shared machine; run it on an idle one for absolute seconds. Usage::

    python benchmarks/bench_early_stopping.py
    python benchmarks/bench_early_stopping.py --tiny
"""

import numpy as np
from _common import base_parser, markdown_table, output_folder, progress, write_report
from scipy.stats import loguniform, randint
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_bayestune import (
    GridTuneCV,
    MedianStoppingPolicy,
    PairedTestPolicy,
    RandomTuneCV,
)

POLICIES = {"median": MedianStoppingPolicy(), "paired": PairedTestPolicy()}


def cases(tiny):
    """(name, data loader, search factory) for each benchmark case."""
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    n = 3 if tiny else None

    def svc(**kw):
        grid = {
            "svc__C": np.logspace(-2, 3, n or 6),
            "svc__gamma": np.logspace(-4, 0, n or 5),
        }
        pipe = make_pipeline(StandardScaler(), SVC())
        return GridTuneCV(pipe, grid, cv=cv, **kw)

    def forest(**kw):
        space = {
            "max_depth": randint(1, 12),
            "min_samples_leaf": randint(1, 20),
            "max_features": ["sqrt", "log2", None],
        }
        return RandomTuneCV(
            RandomForestClassifier(n_estimators=50, random_state=0),
            space,
            n_iter=n or 20,
            cv=cv,
            random_state=0,
            **kw,
        )

    def boosting(**kw):
        space = {
            "learning_rate": loguniform(1e-3, 1.0),
            "max_leaf_nodes": randint(2, 64),
            "min_samples_leaf": randint(1, 50),
        }
        return RandomTuneCV(
            HistGradientBoostingClassifier(max_iter=100, random_state=0),
            space,
            n_iter=n or 12,
            cv=cv,
            random_state=0,
            **kw,
        )

    def logistic(**kw):
        pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
        grid = {"logisticregression__C": np.logspace(-4, 2, n or 8)}
        return GridTuneCV(pipe, grid, cv=cv, **kw)

    return [
        ("SVC grid, breast_cancer", load_breast_cancer, svc),
        ("random forest random, wine", load_wine, forest),
        ("gradient boosting random, breast_cancer", load_breast_cancer, boosting),
        ("logistic regression grid, digits", load_digits, logistic),
    ]


def fit_time(search):
    """Seconds spent fitting the folds that ran, and how many ran."""
    results = search.cv_results_
    ran = np.isfinite(
        [results[f"split{k}_test_score"] for k in range(search.n_splits_)]
    ).sum()
    # Cancelled folds count as taking no time in mean_fit_time.
    return float(np.sum(results["mean_fit_time"]) * search.n_splits_), int(ran)


def main():
    parser = base_parser(
        "Fitting time saved by early stopping, and the selected model.",
        methods=tuple(POLICIES),
    )
    args = parser.parse_args()
    rows, raw = [], []
    for name, load, make in cases(args.tiny):
        X, y = load(return_X_y=True)
        full = make().fit(X, y)
        full_time, full_folds = fit_time(full)
        for policy in args.methods:
            raced = make(early_stopping=POLICIES[policy]).fit(X, y)
            raced_time, raced_folds = fit_time(raced)
            same = raced.best_params_ == full.best_params_
            rows.append(
                [
                    name,
                    policy,
                    full_time,
                    raced_time,
                    full_time / raced_time,
                    raced_folds / full_folds,
                    "yes" if same else "no",
                    raced.best_score_ - full.best_score_,
                ]
            )
            raw.append(
                dict(
                    zip(
                        [
                            "case",
                            "policy",
                            "full_s",
                            "raced_s",
                            "speedup",
                            "folds_fraction",
                            "same_best",
                            "best_score_change",
                        ],
                        rows[-1],
                    )
                )
            )
            progress(
                f"{name:45s} {policy:7s} speed-up {rows[-1][4]:.2f}x  same best: {same}"
            )
    table = markdown_table(
        [
            "case",
            "policy",
            "fit s (all folds)",
            "fit s (raced)",
            "speed-up",
            "folds fitted",
            "same best_params_",
            "best_score_ change",
        ],
        rows,
    )
    print(table)
    summary = (
        "5-fold StratifiedKFold(shuffle, random_state=0), n_jobs=1, accuracy. "
        "Fit seconds are summed over the folds that ran; the speed-up is their "
        "ratio; the score change is raced best_score_ minus full best_score_.\n\n"
        + table
    )
    folder = output_folder(args)
    write_report(
        folder,
        "early_stopping",
        title="Early stopping (fold racing)",
        results=raw,
        summary=summary,
    )
    progress(f"wrote {folder / 'early_stopping.md'}")


if __name__ == "__main__":
    main()
