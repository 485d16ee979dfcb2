"""Sample efficiency on scikit-learn cross-validation objectives.

Runs every method of :mod:`peers` on every problem of :data:`problems.SKLEARN`
(SVC on breast_cancer, ElasticNet and a decision tree on diabetes, k-NN and a
random forest on wine, histogram gradient boosting on breast_cancer; 5-fold CV
log-loss or MSE on fixed folds, memoised) and reports the best CV loss found
after 16, 32 and 64 evaluations, mean and median over seeds. See
:mod:`_convergence` for the protocol.

Usage, from the repository root::

    python benchmarks/bench_sklearn.py              # full: 30 seeds x 64 evaluations
    python benchmarks/bench_sklearn.py --tiny       # smoke run: 1 seed x 8, 2 problems
    python benchmarks/bench_sklearn.py --problems svc_breast knn_wine --seeds 3
"""

import _common  # noqa: F401  (first: pins BLAS/OpenMP to one thread)
import _convergence
from problems import SKLEARN

if __name__ == "__main__":
    _convergence.main(
        "sklearn",
        "scikit-learn benchmark: best cross-validated loss so far",
        __doc__.splitlines()[0],
        SKLEARN,
        seeds=30,
        n_evals=64,
        tiny_problems=("elasticnet_diabetes", "knn_wine"),
    )
