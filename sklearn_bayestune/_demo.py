"""The demo run by ``python -m sklearn_bayestune``.

Tunes an SVC pipeline on scikit-learn's breast-cancer data with each searcher
at the same budget of candidates and prints a compact comparison.
"""

import time

from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from . import GridTuneCV, RandomTuneCV


def main(n_jobs: int = 2) -> None:
    X, y = load_breast_cancer(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    scoring = "neg_log_loss"
    pipe.set_params(svc__probability=True, svc__random_state=0)
    searches = {
        "GridTuneCV": GridTuneCV(
            pipe,
            {"svc__C": [0.1, 1, 10, 100], "svc__gamma": [1e-3, 1e-2, 1e-1, 1]},
            scoring=scoring,
            cv=cv,
            n_jobs=n_jobs,
        ),
        "RandomTuneCV": RandomTuneCV(
            pipe,
            {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-4, 1e0)},
            n_iter=16,
            scoring=scoring,
            cv=cv,
            n_jobs=n_jobs,
            random_state=0,
        ),
    }
    print(
        f"Tuning SVC(C, gamma) on breast_cancer {X.shape}, 5-fold CV, "
        f"scoring={scoring}, 16 candidates each, n_jobs={n_jobs}\n"
    )
    print(
        f"{'searcher':<14} {'best log-loss':>13} {'fits':>5} {'wall s':>7}  best params"
    )
    for name, search in searches.items():
        start = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - start
        n_fits = len(search.cv_results_["params"]) * search.n_splits_
        params = ", ".join(
            f"{k.split('__')[-1]}={v:.3g}" for k, v in search.best_params_.items()
        )
        print(
            f"{name:<14} {-search.best_score_:>13.4f} {n_fits:>5} {wall:>7.1f}"
            f"  {params}"
        )
