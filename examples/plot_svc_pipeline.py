"""
==========================================
Tuning an SVC pipeline with BayesTuneCV
==========================================

A support vector classifier needs its inputs scaled and its two
hyperparameters, ``C`` and ``gamma``, searched on a log scale.
:class:`~sklearn_bayestune.BayesTuneCV` searches them with a Gaussian-process
surrogate of the cross-validated score: a few space-filling candidates first,
then, at every step, the candidate the surrogate expects to improve the most.

:class:`~sklearn_bayestune.ObjectiveDisplay` then shows what the surrogate
learned: the partial dependence of the score on each parameter and on the
pair, with the evaluated candidates on top.
"""

# %%
# The search
# ----------
# The pipeline's step names prefix the parameter names, as in
# ``GridSearchCV``. ``loguniform`` gives a log-uniform
# :class:`~sklearn_bayestune.Real` dimension; a frozen ``scipy.stats``
# distribution would do as well.
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_bayestune import BayesTuneCV, ObjectiveDisplay, loguniform

X, y = load_breast_cancer(return_X_y=True)
search = BayesTuneCV(
    make_pipeline(StandardScaler(), SVC()),
    {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-4, 1e0)},
    n_iter=20,
    cv=3,
    scoring="roc_auc",
    random_state=0,
)
search.fit(X, y)
print(f"best ROC AUC {search.best_score_:.4f} with {search.best_params_}")

# %%
# Every candidate is in ``cv_results_`` in the order it was proposed, with
# ``GridSearchCV``'s columns plus how it was proposed: ``"initial"`` for the
# space-filling design, then the acquisition function (``"log_ei"``).
results = search.cv_results_
for step, kind, score in zip(
    results["proposal_step"], results["proposal_kind"], results["mean_test_score"]
):
    print(f"step {step:2d}  {kind:8s}  ROC AUC {score:.4f}")

# %%
# What the surrogate learned
# --------------------------
# On the diagonal, the partial dependence on each parameter, with a band of
# one posterior standard deviation; below it, the pair, with every evaluated
# candidate and the best one (red star). The scale is the surrogate's
# (standardised scores): higher is better. The good region is a diagonal
# ridge, large ``C`` with small ``gamma``, which a coarse grid would cross
# only at a few points.
display = ObjectiveDisplay.from_estimator(search, n_points=30)
display.figure_.suptitle("Partial dependence of the ROC AUC surrogate")
plt.show()
