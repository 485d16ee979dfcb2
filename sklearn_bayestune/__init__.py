"""Drop-in hyperparameter search for scikit-learn with a fast Bayesian searcher."""

__version__ = "0.1.0.dev0"
