"""
==================================================
Nested cross-validation of a Bayesian search
==================================================

A search's ``best_score_`` is optimistic: the folds that chose the
hyperparameters also scored them. :func:`~sklearn_bayestune.nested_cross_validate`
scores the whole procedure, "tune, then refit", on outer folds the search
never saw, and reports how stable the chosen hyperparameters are across
those folds.
"""

# %%
# One call
# --------
# The search runs once per outer fold, with its own inner ``cv``, and gets its
# own seed, spawned from ``random_state``.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_bayestune import BayesTuneCV, loguniform, nested_cross_validate

X, y = load_breast_cancer(return_X_y=True)
search = BayesTuneCV(
    make_pipeline(StandardScaler(), LogisticRegression()),
    {"logisticregression__C": loguniform(1e-4, 1e2)},
    n_iter=8,
    cv=3,
)
result = nested_cross_validate(search, X, y, outer_cv=5, random_state=0)
print(result.summary())

# %%
# Outer scores against the search's own estimate
# ----------------------------------------------
# The outer score is the number to report. The inner ``best_score_`` is what
# each search believed on its own training set. Here the two agree: a search
# over one parameter barely overfits its inner folds. With many parameters
# and little data the inner score is often the higher one, and the gap is the
# optimism of the search. The best ``C`` of each fold (right) shows how
# stable the tuning is.
outer = result.outer_scores["score"]
inner = result.inner_best_scores
best_C = [params["logisticregression__C"] for params in result.best_params]

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
folds = np.arange(len(outer))
left.bar(folds - 0.2, inner, width=0.4, label="inner best_score_")
left.bar(folds + 0.2, outer, width=0.4, label="outer test score")
left.set_ylim(0.9, 1.02)
left.set_xticks(folds, [f"fold {k}" for k in folds])
left.set_ylabel("accuracy")
left.legend(loc="upper center", ncols=2)
right.scatter(folds, best_C)
right.set_yscale("log")
right.set_ylim(1e-4, 1e2)
right.set_xticks(folds, [f"fold {k}" for k in folds])
right.set_ylabel("best C (search range 1e-4 to 1e2)")
stability = result.param_stability["logisticregression__C"]
right.set_title(f"C spans {stability.value:.2f} decades across the folds")
plt.show()
