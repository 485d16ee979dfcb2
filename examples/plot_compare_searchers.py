"""
==========================================================
Grid, random and Bayesian search at the same budget
==========================================================

The three searchers share one interface, so comparing them is a matter of
fitting each with the same budget and the same folds.
:class:`~sklearn_bayestune.ConvergenceDisplay` draws the best mean test score
so far against the number of candidates evaluated, and several searches can
share one axes.

The problem: an RBF support vector regressor on the diabetes data, with
``C`` and ``gamma`` searched on a log scale, 25 candidates per searcher.
"""

# %%
# Three searches
# --------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

from sklearn_bayestune import (
    BayesTuneCV,
    ConvergenceDisplay,
    GridTuneCV,
    RandomTuneCV,
    loguniform,
)

X, y = load_diabetes(return_X_y=True)
pipe = make_pipeline(StandardScaler(), SVR())
cv = KFold(3, shuffle=True, random_state=0)  # the same folds for all three
common = dict(cv=cv, scoring="r2")
space = {"svr__C": loguniform(1e-1, 1e3), "svr__gamma": loguniform(1e-4, 1e0)}

grid = GridTuneCV(
    pipe,
    {"svr__C": np.logspace(-1, 3, 5), "svr__gamma": np.logspace(-4, 0, 5)},
    **common,
).fit(X, y)
rand = RandomTuneCV(pipe, space, n_iter=25, random_state=0, **common).fit(X, y)
bayes = BayesTuneCV(pipe, space, n_iter=25, random_state=0, **common).fit(X, y)

for name, search in [("grid", grid), ("random", rand), ("Bayes", bayes)]:
    print(f"{name:6s} best R2 {search.best_score_:.4f}  {search.best_params_}")

# %%
# Convergence on one axes
# -----------------------
# Pass the first display's ``ax_`` to the next ones. The grid's curve follows
# grid order, which says nothing about how fast a grid "converges": it only
# shows where in the grid the best point lies. ``show_scores=True`` adds each
# candidate's own score: the Bayesian search spends most of its budget near
# the best region once its initial design is done.
display = ConvergenceDisplay.from_estimator(grid, label="GridTuneCV (grid order)")
ConvergenceDisplay.from_estimator(rand, ax=display.ax_, label="RandomTuneCV")
ConvergenceDisplay.from_estimator(
    bayes, ax=display.ax_, label="BayesTuneCV", show_scores=True
)
display.ax_.set_ylim(0.4, 0.52)  # zoom on the top; the worst candidates are far below
display.ax_.set_title("SVR(C, gamma) on diabetes, 3-fold R2")
plt.show()
