"""The Displays of sklearn_bayestune._plot, drawn headless (Agg) from real searches."""

import doctest
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

import sklearn_bayestune
from sklearn_bayestune import (
    BayesOptimizer,
    BayesTuneCV,
    GridTuneCV,
    Integer,
    RandomTuneCV,
    Real,
)
from sklearn_bayestune._plot import (
    ConvergenceDisplay,
    EvaluationsDisplay,
    ObjectiveDisplay,
    ParameterImportanceDisplay,
    convergence,
    evaluations,
    importance,
    objective,
    parameter_importance,
)
from sklearn_bayestune._plot._base import column_names

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

pytestmark = pytest.mark.filterwarnings("error")

IRIS = load_iris(return_X_y=True)
DIABETES = load_diabetes(return_X_y=True)
LOG_C = Real(1e-2, 1e2, prior="log-uniform")
LOG_GAMMA = Real(1e-3, 1.0, prior="log-uniform")
BAYES = dict(n_iter=8, cv=3, random_state=0, progress=False)


@pytest.fixture(scope="module")
def searches():
    """Each search fitted once: the Displays only read them."""
    return {
        "grid": GridTuneCV(
            SVC(), {"C": [0.1, 1.0, 10.0], "kernel": ["linear", "rbf"]}, cv=3
        ).fit(*IRIS),
        "random": RandomTuneCV(
            SVC(),
            {"C": loguniform(1e-2, 1e2), "gamma": LOG_GAMMA},
            n_iter=8,
            cv=3,
            random_state=0,
        ).fit(*IRIS),
        "bayes": BayesTuneCV(
            SVC(),
            {"C": LOG_C, "gamma": LOG_GAMMA, "kernel": ["linear", "rbf"]},
            **BAYES,
        ).fit(*IRIS),
        "subspaces": BayesTuneCV(
            SVC(),
            [
                {"C": LOG_C, "kernel": ["linear"]},
                {"C": LOG_C, "gamma": LOG_GAMMA, "kernel": ["rbf"]},
            ],
            **BAYES,
        ).fit(*IRIS),
        "ridge": BayesTuneCV(
            Ridge(),
            {
                "alpha": Real(1e-3, 1e3, prior="log-uniform"),
                "fit_intercept": [True, False],
            },
            **BAYES,
        ).fit(*DIABETES),
        "sklearn": GridSearchCV(Ridge(), {"alpha": [0.01, 0.1, 1.0, 10.0]}, cv=3).fit(
            *DIABETES
        ),
    }


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def visible_axes(axes):
    return sum(ax.get_visible() for ax in np.ravel(axes))


# -- ConvergenceDisplay --------------------------------------------------------


def test_convergence_skips_nan_scores():
    cv_results = {"mean_test_score": np.array([np.nan, 0.5, np.nan, 0.4, 0.7])}
    display = ConvergenceDisplay.from_cv_results(cv_results, label="run")
    assert_array_equal(display.n_candidates, [1, 2, 3, 4, 5])
    assert_array_equal(display.best_scores, [np.nan, 0.5, 0.5, 0.5, 0.7])
    assert_array_equal(display.line_.get_ydata(), display.best_scores)
    assert display.ax_.get_xlabel() == "Number of evaluated candidates"
    assert display.ax_.get_ylabel() == "Best mean test score so far"
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == ["run"]
    assert display.figure_ is display.ax_.figure


@pytest.mark.parametrize("name", ["grid", "random", "bayes", "sklearn"])
def test_convergence_from_estimator(searches, name):
    search = searches[name]
    display = ConvergenceDisplay.from_estimator(search)
    scores = search.cv_results_["mean_test_score"]
    assert_array_equal(display.scores, scores)
    assert_array_equal(display.best_scores, np.fmax.accumulate(scores))
    assert display.best_scores[-1] == search.best_score_
    assert len(display.ax_.lines) == 1
    assert display.ax_.get_legend() is None
    assert display.plot(ax=display.ax_) is display
    assert len(display.ax_.lines) == 2


def test_convergence_compares_searches_on_one_axes(searches):
    _, ax = plt.subplots()
    display = ConvergenceDisplay.from_estimator(searches["grid"], ax=ax, label="grid")
    assert display.ax_ is ax
    for name in ("random", "bayes"):
        ConvergenceDisplay.from_estimator(searches[name], ax=display.ax_, label=name)
    assert len(ax.lines) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["grid", "random", "bayes"]


def test_convergence_show_scores(searches):
    display = ConvergenceDisplay.from_estimator(searches["bayes"], show_scores=True)
    assert len(display.scatter_.get_offsets()) == 8
    assert len(display.ax_.lines) == 1


def test_convergence_metric_of_a_multimetric_search():
    search = GridTuneCV(
        SVC(),
        {"C": [0.1, 1.0]},
        scoring={"acc": "accuracy", "f1": "f1_macro"},
        refit="f1",
        cv=3,
    ).fit(*IRIS)
    display = ConvergenceDisplay.from_estimator(search)
    assert display.metric == "f1"
    assert display.ax_.get_ylabel() == "Best mean test f1 so far"
    display = ConvergenceDisplay.from_estimator(search, metric="acc")
    assert_array_equal(display.scores, search.cv_results_["mean_test_acc"])
    with pytest.raises(ValueError, match=r"metric must be one of \['acc', 'f1'\]"):
        ConvergenceDisplay.from_estimator(search, metric="score")
    search.set_params(refit=False)
    search.fit(*IRIS)
    with pytest.raises(ValueError, match="refit does not name one; choose it"):
        ConvergenceDisplay.from_estimator(search)
    # refit before a metric that happens to be named "score".
    search.set_params(scoring={"score": "accuracy", "f1": "f1_macro"}, refit="f1")
    assert ConvergenceDisplay.from_estimator(search.fit(*IRIS)).metric == "f1"


def test_convergence_errors():
    with pytest.raises(NotFittedError, match="GridTuneCV instance is not fitted"):
        ConvergenceDisplay.from_estimator(GridTuneCV(SVC(), {"C": [1.0]}))
    with pytest.raises(TypeError, match="from_cv_results takes a cv_results_ dict"):
        ConvergenceDisplay.from_estimator({"mean_test_score": [0.5]})
    with pytest.raises(TypeError, match="For a search, use from_estimator"):
        ConvergenceDisplay.from_cv_results([0.5])
    # Fitted but not a search: not "not fitted".
    with pytest.raises(TypeError, match="needs a fitted search .* got SVC"):
        ConvergenceDisplay.from_estimator(SVC().fit(*IRIS))


# -- ObjectiveDisplay ----------------------------------------------------------


def test_objective_matrix(searches):
    display = ObjectiveDisplay.from_estimator(searches["bayes"], n_points=12)
    assert display.parameters == ["C", "gamma", "kernel"]
    axes = display.axes_
    assert axes.shape == (3, 3)
    assert visible_axes(axes) == 6  # d (d + 1) / 2
    assert all(line is not None for line in display.lines_)
    assert sum(c is not None for c in display.contours_.ravel()) == 3
    assert display.colorbar_ is not None
    assert [g.shape for g in display.grids] == [(12,), (12,), (2,)]
    assert display.pd_mean_2d[2, 0].shape == (2, 12)
    assert [axes[2, j].get_xlabel() for j in range(3)] == ["C", "gamma", "kernel"]
    assert [axes[i, 0].get_ylabel() for i in (1, 2)] == ["gamma", "kernel"]
    assert axes[0, 0].get_ylabel() == "partial dependence"
    assert [axes[2, j].get_xscale() for j in range(3)] == ["log", "log", "linear"]
    assert axes[1, 0].get_yscale() == "log"
    labels = [t.get_text() for t in axes[2, 2].get_xticklabels()]
    assert labels == ["linear", "rbf"]
    assert display.plot(ax=display.axes_) is display


def test_objective_is_the_average_of_the_posterior_mean(searches):
    search = searches["bayes"]
    gp = search.optimizer_.gp_
    display = ObjectiveDisplay.from_estimator(search, parameters=["gamma"], n_points=5)
    u = np.linspace(0.0, 1.0, 5)
    assert_allclose(display.grids[0], LOG_GAMMA.from_unit(u))
    for k in range(5):
        X = gp.X_train.copy()
        X[:, 1] = u[k]
        mean, std = gp.predict(X)
        assert_allclose(display.pd_mean[0][k], mean.mean())
        assert_allclose(display.pd_std[0][k], std.mean())
    assert_array_equal(display.point_scores, gp.y)
    # At most n_samples reference rows, evenly spaced in evaluation order.
    display = ObjectiveDisplay.from_estimator(
        search, parameters=["gamma"], n_points=5, n_samples=2
    )
    X = gp.X_train[[0, -1]].copy()
    X[:, 1] = u[2]
    assert_allclose(display.pd_mean[0][2], gp.predict(X)[0].mean())


def test_objective_parameters_and_ax(searches):
    _, ax = plt.subplots(2, 2)
    display = ObjectiveDisplay.from_estimator(
        searches["bayes"], parameters=["gamma", "C"], n_points=6, ax=ax
    )
    assert display.parameters == ["gamma", "C"]
    assert display.axes_[1, 0] is ax[1, 0]
    assert visible_axes(ax) == 3
    assert ax[1, 0].get_xlabel() == "gamma"
    assert ax[1, 0].get_ylabel() == "C"
    _, single = plt.subplots()
    display = ObjectiveDisplay.from_estimator(
        searches["bayes"], parameters=["C"], n_points=6, ax=single
    )
    assert display.axes_[0, 0] is single
    with pytest.raises(ValueError, match=r"or an array of \(2, 2\) Axes"):
        ObjectiveDisplay.from_estimator(
            searches["bayes"], parameters=["gamma", "C"], ax=single
        )


def test_objective_categorical_parameter(searches):
    display = ObjectiveDisplay.from_estimator(searches["ridge"], n_points=8)
    assert display.parameters == ["alpha", "fit_intercept"]
    assert display.categories == [None, [True, False]]
    assert isinstance(display.bands_[1], matplotlib.container.ErrorbarContainer)
    assert isinstance(display.contours_[1, 0], matplotlib.collections.QuadMesh)
    assert display.axes_[1, 0].get_xscale() == "log"


def test_objective_subspaces(searches):
    search = searches["subspaces"]
    display = ObjectiveDisplay.from_estimator(search, n_points=6)
    # The single-valued kernel columns and the subspace column are not drawn.
    assert display.parameters == ["C", "gamma"]
    rbf = np.array(
        [
            p["kernel"] == "rbf"
            for p in search.optimizer_.space.from_unit(search.optimizer_.gp_.X_train)
        ]
    )
    assert_array_equal(np.isfinite(display.points[:, 1]), rbf)
    assert np.isfinite(display.points[:, 0]).all()
    assert visible_axes(display.axes_) == 3
    with pytest.raises(ValueError, match=r"Unknown parameter 'kernel \(subspace 0\)'"):
        ObjectiveDisplay.from_estimator(search, parameters=["kernel (subspace 0)"])


def test_objective_labels_every_parameter_when_pairs_are_hidden():
    # gamma and degree belong to different subspaces: their pair has no data
    # and is hidden, and gamma's name moves up from the bottom row.
    search = BayesTuneCV(
        SVC(),
        [
            {"C": LOG_C, "gamma": LOG_GAMMA},
            {"C": LOG_C, "degree": Integer(2, 4), "kernel": ["poly"]},
        ],
        **BAYES,
    )
    with warnings.catch_warnings():
        # scikit-learn < 1.6 builds the int column param_degree from np.empty,
        # and numpy warns when that uninitialised memory holds a NaN.
        warnings.filterwarnings(
            "ignore", "invalid value encountered in cast", RuntimeWarning
        )
        search.fit(*IRIS)
    display = ObjectiveDisplay.from_estimator(search, n_points=6)
    assert display.parameters == ["C", "gamma", "degree"]
    axes = display.axes_
    assert not axes[2, 1].get_visible()
    shown = [ax for ax in axes.ravel() if ax.get_visible()]
    assert {ax.get_xlabel() for ax in shown} >= set(display.parameters)
    assert {ax.get_ylabel() for ax in shown} >= {"gamma", "degree"}


def test_objective_hides_every_pair_when_no_pair_shares_a_subspace():
    search = BayesTuneCV(
        SVC(),
        [
            {"kernel": ["rbf"], "gamma": LOG_GAMMA},
            {"kernel": ["poly"], "degree": Integer(2, 4)},
        ],
        **BAYES,
    )
    with warnings.catch_warnings():
        # As above: scikit-learn < 1.6 and the int column param_degree.
        warnings.filterwarnings(
            "ignore", "invalid value encountered in cast", RuntimeWarning
        )
        search.fit(*IRIS)
    display = ObjectiveDisplay.from_estimator(search, n_points=6)
    assert display.parameters == ["gamma", "degree"]
    assert display.pd_mean_2d == {(1, 0): None}
    assert not display.axes_[1, 0].get_visible()
    assert display.colorbar_ is None
    assert display.axes_[0, 0].get_xlabel() == "gamma"


def test_objective_errors(searches):
    with pytest.raises(TypeError, match="needs a fitted BayesTuneCV.*got GridTuneCV"):
        ObjectiveDisplay.from_estimator(searches["grid"])
    with pytest.raises(NotFittedError, match="BayesTuneCV instance is not fitted"):
        ObjectiveDisplay.from_estimator(BayesTuneCV(SVC(), {"C": LOG_C}))
    with pytest.raises(ValueError, match=r"Unknown parameter 'c'.*\['C', 'gamma', "):
        ObjectiveDisplay.from_estimator(searches["bayes"], parameters=["c"])
    with pytest.raises(ValueError, match="n_points must be an int >= 2"):
        ObjectiveDisplay.from_estimator(searches["bayes"], n_points=1)
    early = BayesTuneCV(SVC(), {"C": LOG_C}, n_iter=2, cv=3, progress=False).fit(*IRIS)
    with pytest.raises(
        ValueError, match=r"none was fitted.*this search's 2 candidates ended"
    ):
        ObjectiveDisplay.from_estimator(early)


# -- EvaluationsDisplay --------------------------------------------------------


@pytest.mark.parametrize("name", ["grid", "random", "bayes", "sklearn"])
def test_evaluations_scatter_matrix(searches, name):
    search = searches[name]
    display = EvaluationsDisplay.from_estimator(search)
    params = search.cv_results_["params"]
    d, n = len(display.parameters), len(params)
    assert display.parameters == sorted(params[0])
    assert visible_axes(display.axes_) == d * (d + 1) // 2
    assert display.values.shape == (n, d)
    assert display.best_index == search.best_index_
    for a in range(d):
        heights = [patch.get_height() for patch in display.histograms_[a]]
        assert sum(heights) == n
        for b in range(a):
            scatter = display.scatters_[a, b]
            assert len(scatter.get_offsets()) == n
            assert_array_equal(scatter.get_array(), np.arange(n))
    assert (display.colorbar_ is None) == (d == 1)
    assert display.plot(ax=display.axes_) is display


def test_evaluations_axes(searches):
    display = EvaluationsDisplay.from_estimator(searches["grid"])
    assert display.categories == [None, ["linear", "rbf"]]
    assert display.log_scale == [True, False]  # [0.1, 1, 10] spans two decades
    assert display.axes_[1, 0].get_xscale() == "log"
    assert display.axes_[1, 0].get_ylabel() == "kernel"
    assert display.axes_[1, 1].get_xlabel() == "kernel"
    display = EvaluationsDisplay.from_estimator(searches["random"])
    assert display.log_scale == [True, True]  # a loguniform and a log-uniform Real
    display = EvaluationsDisplay.from_estimator(searches["ridge"])
    assert display.categories == [None, [True, False]]


def test_evaluations_subspaces(searches):
    search = searches["subspaces"]
    display = EvaluationsDisplay.from_estimator(search, parameters=["C", "gamma"])
    rbf = [p["kernel"] == "rbf" for p in search.cv_results_["params"]]
    assert_array_equal(np.isfinite(display.values[:, 1]), rbf)
    assert len(display.scatters_[1, 0].get_offsets()) == sum(rbf)


def test_evaluations_log_axis_only_for_positive_values():
    # "log-regularise, or not at all": alpha is 0 in the second subspace.
    search = RandomTuneCV(
        Ridge(),
        [{"alpha": Real(1e-4, 10, prior="log-uniform")}, {"alpha": [0.0]}],
        n_iter=8,
        cv=3,
        random_state=0,
    ).fit(*DIABETES)
    assert 0.0 in [p["alpha"] for p in search.cv_results_["params"]]
    display = EvaluationsDisplay.from_estimator(search)
    assert display.log_scale == [False]
    assert display.axes_[0, 0].get_xscale() == "linear"


def test_evaluations_ax_and_errors(searches):
    _, ax = plt.subplots()
    display = EvaluationsDisplay.from_estimator(
        searches["bayes"], parameters="C", ax=ax
    )
    assert display.axes_[0, 0] is ax
    assert ax.get_xlabel() == "C"
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match=r"Unknown parameter 'degree'"):
        EvaluationsDisplay.from_estimator(searches["bayes"], parameters=["degree"])
    with pytest.raises(NotFittedError, match="RandomTuneCV instance is not fitted"):
        EvaluationsDisplay.from_estimator(RandomTuneCV(SVC(), {"C": LOG_C}))


# -- parameter importance ------------------------------------------------------


def test_parameter_importance_is_normalised_inverse_squared_lengthscales(searches):
    search = searches["bayes"]
    importance = parameter_importance(search)
    relevance = 1.0 / search.optimizer_.gp_.lengthscales**2
    expected = dict(zip(["C", "gamma", "kernel"], relevance / relevance.sum()))
    assert importance == pytest.approx(expected)
    values = list(importance.values())
    assert values == sorted(values, reverse=True)


def test_parameter_importance_names_subspace_columns_and_skips_fixed_keys(searches):
    search = searches["subspaces"]
    importance = parameter_importance(search)
    # Each subspace's kernel is a single value: its column has a lengthscale
    # no data inform, and ranking it would take importance from the others.
    assert set(importance) == {"subspace", "C", "gamma"}
    names = ["subspace", "C", "gamma"]
    columns = [column_names(search.optimizer_.space).index(n) for n in names]
    relevance = 1.0 / search.optimizer_.gp_.lengthscales[columns] ** 2
    assert importance == pytest.approx(dict(zip(names, relevance / relevance.sum())))


def test_parameter_importance_display(searches):
    _, ax = plt.subplots()
    display = ParameterImportanceDisplay.from_estimator(searches["bayes"], ax=ax)
    assert display.ax_ is ax
    importance = parameter_importance(searches["bayes"])
    assert display.parameters == list(importance)
    widths = [bar.get_width() for bar in display.bars_]
    assert_allclose(widths, list(importance.values()))
    # The most important parameter is the top bar.
    ys = [bar.get_y() for bar in display.bars_]
    assert ys[0] == max(ys)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == display.parameters[::-1]
    assert display.plot() is display


def test_parameter_importance_errors(searches):
    with pytest.raises(TypeError, match="needs a fitted BayesTuneCV.*got RandomTuneCV"):
        parameter_importance(searches["random"])
    with pytest.raises(TypeError, match="got GridSearchCV"):
        ParameterImportanceDisplay.from_estimator(searches["sklearn"])


# -- matplotlib is optional ----------------------------------------------------


def told_optimizer(n_points, direction="minimize"):
    """A BayesOptimizer told a quadratic in log10(C), one failure at point 3."""
    optimizer = BayesOptimizer(
        {"C": LOG_C, "kernel": ["linear", "rbf"]},
        direction=direction,
        n_initial_points=4,
        random_state=0,
    )
    for i in range(n_points):
        params = optimizer.ask()
        value = np.log10(params["C"]) ** 2 + (params["kernel"] == "rbf")
        optimizer.tell(params, np.nan if i == 3 else value)
    return optimizer


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_displays_of_a_bayes_optimizer(direction):
    optimizer = told_optimizer(10, direction)
    values = optimizer.values
    assert np.isnan(values[3])

    display = ConvergenceDisplay.from_estimator(optimizer, show_scores=True)
    finite = np.where(np.isnan(values), np.inf, values)
    lowest = np.minimum.accumulate(finite)
    highest = -np.minimum.accumulate(-np.where(np.isnan(values), -np.inf, values))
    assert_array_equal(
        display.best_scores, lowest if direction == "minimize" else highest
    )
    assert display.best_scores[-1] == optimizer.best_value
    assert_array_equal(display.n_candidates, np.arange(1, 11))
    assert display.ax_.get_ylabel() == "Best told value so far"
    assert display.ax_.get_xlabel() == "Number of told points"

    display = EvaluationsDisplay.from_estimator(optimizer)
    assert display.parameters == ["C", "kernel"]
    told = optimizer.told_params
    assert_array_equal(display.values[:, 0], [p["C"] for p in told])
    assert display.categories == [None, ["linear", "rbf"]]
    assert display.log_scale == [True, False]
    assert display.best_index == optimizer.best_index
    assert told[optimizer.best_index] == optimizer.best_params

    display = ObjectiveDisplay.from_estimator(optimizer, n_points=6)
    assert display.parameters == ["C", "kernel"]
    assert_array_equal(display.point_scores, optimizer.gp_.y)
    importance = parameter_importance(optimizer)
    relevance = 1.0 / optimizer.gp_.lengthscales**2
    assert importance == pytest.approx(
        dict(zip(["C", "kernel"], relevance / relevance.sum()))
    )
    assert ParameterImportanceDisplay.from_estimator(optimizer).importances == (
        pytest.approx(list(importance.values()))
    )


def test_evaluations_of_numpy_bools_told_to_an_optimizer():
    optimizer = BayesOptimizer({"flag": [True, False], "x": LOG_C}, random_state=0)
    for flag in (np.True_, np.False_, True):
        optimizer.tell({"flag": flag, "x": 1.0}, 0.5)
    display = EvaluationsDisplay.from_estimator(optimizer)
    assert display.categories[0] == [True, False]
    assert_array_equal(display.values[:, 0], [0, 1, 0])


def test_displays_of_a_bayes_optimizer_errors():
    fresh = told_optimizer(0)
    for make in (ConvergenceDisplay.from_estimator, EvaluationsDisplay.from_estimator):
        with pytest.raises(ValueError, match="has not been told any yet"):
            make(fresh)
    with pytest.raises(ValueError, match="has not been told any yet"):
        ObjectiveDisplay.from_estimator(fresh)
    # Four points: the initial design, so no surrogate yet.
    with pytest.raises(
        ValueError, match=r"none was fitted.*this optimizer was told 4 points.*Ask"
    ):
        parameter_importance(told_optimizer(4))
    with pytest.raises(ValueError, match="metric must be None for a BayesOptimizer"):
        ConvergenceDisplay.from_estimator(told_optimizer(2), metric="score")


def test_plot_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    message = r'plot requires matplotlib.*pip install "sklearn-bayestune\[plot\]"'
    with pytest.raises(ImportError, match=message):
        ConvergenceDisplay.from_cv_results({"mean_test_score": [0.5]})


@pytest.mark.parametrize("module", [convergence, objective, evaluations, importance])
def test_docstring_examples(module, monkeypatch):
    # The examples import the Displays from the package, as users will.
    for name in sklearn_bayestune._plot.__all__:
        monkeypatch.setattr(
            sklearn_bayestune,
            name,
            getattr(sklearn_bayestune._plot, name),
            raising=False,
        )
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0
