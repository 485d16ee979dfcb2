"""Drop-in hyperparameter search for scikit-learn with a fast Bayesian searcher.

``GridTuneCV`` and ``RandomTuneCV`` replace scikit-learn's ``GridSearchCV`` and
``RandomizedSearchCV`` by changing one import. Search spaces accept everything
scikit-learn accepts plus explicit dimensions (``Real``, ``Integer``,
``Categorical``) and Azure ML HyperDrive-style constructors.
"""

from ._search import GridTuneCV, RandomTuneCV
from ._space import (
    Categorical,
    Integer,
    Real,
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "Categorical",
    "GridTuneCV",
    "Integer",
    "RandomTuneCV",
    "Real",
    "choice",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]
