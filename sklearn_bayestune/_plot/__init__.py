"""Displays of a fitted search, in scikit-learn's Display pattern.

Each Display's ``__init__`` stores computed arrays only; ``from_estimator``
(and ``ConvergenceDisplay.from_cv_results``) computes them from a fitted
search and returns ``cls(...).plot(ax=...)``; ``plot`` draws, keeps its
artists (``ax_`` or ``axes_``, ``figure_``, ``line_``, ...) and returns the
display. matplotlib is imported by ``plot`` only: importing this package
does not import it, and ``plot`` without matplotlib raises an ImportError
naming the ``plot`` extra (``pip install "sklearn-bayestune[plot]"``).

- :class:`ConvergenceDisplay`: best score so far against candidates
  evaluated, for any search (compare several on one axes).
- :class:`EvaluationsDisplay`: where any search sampled, by evaluation order.
- :class:`ObjectiveDisplay`: partial dependence of a ``BayesTuneCV``'s
  Gaussian-process surrogate.
- :class:`ParameterImportanceDisplay` and :func:`parameter_importance`: the
  surrogate's lengthscales as importances.

The Displays read searches and never change them.
"""

from .convergence import ConvergenceDisplay
from .evaluations import EvaluationsDisplay
from .importance import ParameterImportanceDisplay, parameter_importance
from .objective import ObjectiveDisplay

__all__ = [
    "ConvergenceDisplay",
    "EvaluationsDisplay",
    "ObjectiveDisplay",
    "ParameterImportanceDisplay",
    "parameter_importance",
]
