"""
=============================================================
Early termination: stop hopeless candidates between folds
=============================================================

A cross-validated search fits every candidate on every fold, although after
a fold or two most candidates are plainly worse than the best ones. With a
stopping policy (``early_stopping=``), the search runs the folds fold by fold
across candidates, and a candidate whose running score falls below the
policy's threshold gets its remaining folds cancelled.

Here a random search over a :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
runs twice on the same candidates and folds: once without a policy, once
with :class:`~sklearn_bayestune.MedianStoppingPolicy`, which stops a
candidate whose running score is below the median of the others on the same
folds. The second run fits fewer models and picks the same winner.
"""

# %%
# Two searches, one policy apart
# ------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier

from sklearn_bayestune import (
    Integer,
    MedianStoppingPolicy,
    RandomTuneCV,
    loguniform,
)

X, y = load_breast_cancer(return_X_y=True)
space = {
    "learning_rate": loguniform(1e-3, 1.0),
    "max_leaf_nodes": Integer(2, 64, prior="log-uniform"),
    "min_samples_leaf": Integer(2, 100, prior="log-uniform"),
}


def tune(early_stopping):
    search = RandomTuneCV(
        HistGradientBoostingClassifier(max_iter=20, early_stopping=False),
        space,
        n_iter=12,
        cv=3,
        scoring="neg_log_loss",
        random_state=0,
        early_stopping=early_stopping,
    )
    start = time.perf_counter()
    search.fit(X, y)
    return search, time.perf_counter() - start


full, full_time = tune(None)
raced, raced_time = tune(MedianStoppingPolicy())

# %%
# Fits saved, same winner
# -----------------------
# A stopped candidate keeps its finished folds in ``cv_results_``, with NaN
# for the folds it skipped and for its mean; the ``stopped_early`` column
# marks it, and it is never the best.
n_splits = full.n_splits_


def n_fits(search):
    folds = [search.cv_results_[f"split{k}_test_score"] for k in range(n_splits)]
    return int(np.sum(np.isfinite(folds)))


for name, search, seconds in [
    ("no policy", full, full_time),
    ("MedianStoppingPolicy", raced, raced_time),
]:
    print(
        f"{name:21s} fits {n_fits(search):2d}  {seconds:4.1f} s  "
        f"best log-loss {-search.best_score_:.4f}  best index {search.best_index_}"
    )
print("stopped early:", np.flatnonzero(raced.cv_results_["stopped_early"]).tolist())
assert raced.best_params_ == full.best_params_

# %%
# Where the folds went
# --------------------
# Each row is a candidate, each column a fold: the log-loss of every fold the
# raced search fitted, blank where the policy cancelled the rest. The policy
# judges a candidate from its first fold on, comparing it with the others on
# the same folds only; ``delay_evaluation=k`` would give every candidate
# ``k`` folds first.
folds = -np.array(
    [raced.cv_results_[f"split{k}_test_score"] for k in range(n_splits)]
).T
fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
image = ax.imshow(np.ma.masked_invalid(folds), cmap="viridis_r", aspect="auto")
ax.set_xticks(range(n_splits), [f"fold {k}" for k in range(n_splits)])
ax.set_yticks(range(len(folds)))
ax.set_ylabel("candidate")
ax.set_title("Folds fitted with MedianStoppingPolicy")
fig.colorbar(image, ax=ax, label="log-loss (lower is better)")
plt.show()
