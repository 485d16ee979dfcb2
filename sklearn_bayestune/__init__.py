"""Drop-in hyperparameter search for scikit-learn with a fast Bayesian searcher.

``GridTuneCV`` and ``RandomTuneCV`` replace scikit-learn's ``GridSearchCV`` and
``RandomizedSearchCV`` by changing one import. Search spaces accept everything
scikit-learn accepts plus explicit dimensions (``Real``, ``Integer``,
``Categorical``) and Azure ML HyperDrive-style constructors. ``BayesTuneCV``
searches with a Gaussian-process surrogate, and ``BayesOptimizer`` /
``minimize`` expose the same optimiser through an ask/tell interface.
"""

from ._bayes_search import BayesTuneCV
from ._dimensions import (
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
from ._nested import NestedCVResult, ParamStability, nested_cross_validate
from ._optimizer import BayesOptimizer, minimize
from ._plot import (
    ConvergenceDisplay,
    EvaluationsDisplay,
    ObjectiveDisplay,
    ParameterImportanceDisplay,
    parameter_importance,
)
from ._run import CandidateResult
from ._search import GridTuneCV, RandomTuneCV
from ._stopping import (
    BanditPolicy,
    MedianStoppingPolicy,
    PairedTestPolicy,
    StoppingPolicy,
    TruncationSelectionPolicy,
)
from ._table import results_table

__version__ = "0.1.0.dev0"

__all__ = [
    "ConvergenceDisplay",
    "EvaluationsDisplay",
    "NestedCVResult",
    "ObjectiveDisplay",
    "ParamStability",
    "ParameterImportanceDisplay",
    "nested_cross_validate",
    "parameter_importance",
    "results_table",
    "BanditPolicy",
    "CandidateResult",
    "MedianStoppingPolicy",
    "PairedTestPolicy",
    "StoppingPolicy",
    "TruncationSelectionPolicy",
    "BayesOptimizer",
    "BayesTuneCV",
    "Categorical",
    "GridTuneCV",
    "Integer",
    "RandomTuneCV",
    "Real",
    "choice",
    "lognormal",
    "loguniform",
    "minimize",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]
