"""results_table: cv_results_ as one row per candidate, with or without pandas."""

import doctest
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sklearn_bayestune
from sklearn_bayestune import BayesTuneCV, GridTuneCV, Real, _table
from sklearn_bayestune._table import results_table

pytestmark = pytest.mark.filterwarnings("error")

IRIS = load_iris(return_X_y=True)
SUBSPACES = [
    {"kernel": ["linear"], "C": [1.0, 10.0]},
    {"kernel": ["rbf"], "gamma": [0.1]},
]


@pytest.fixture(scope="module")
def grid():
    return GridTuneCV(SVC(), SUBSPACES, cv=3).fit(*IRIS)


@pytest.fixture
def no_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)


def test_dict_of_lists(grid):
    table = results_table(grid, as_frame=False)
    assert list(table) == [
        "C",
        "kernel",
        "gamma",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        "mean_fit_time",
        "std_fit_time",
        "mean_score_time",
        "std_score_time",
    ]
    assert table["C"] == [1.0, 10.0, None]
    assert table["gamma"] == [None, None, 0.1]
    assert table["kernel"] == ["linear", "linear", "rbf"]
    assert table["mean_test_score"] == grid.cv_results_["mean_test_score"].tolist()
    assert table["rank_test_score"] == grid.cv_results_["rank_test_score"].tolist()
    assert all(type(v) is float for v in table["mean_fit_time"])
    assert all(type(v) is int for v in table["rank_test_score"])


def test_splits_are_kept_on_request(grid):
    table = results_table(grid, as_frame=False, include_splits=True)
    assert [k for k in table if k.startswith("split")] == [
        "split0_test_score",
        "split1_test_score",
        "split2_test_score",
    ]
    assert table["split1_test_score"] == grid.cv_results_["split1_test_score"].tolist()


def test_multimetric_train_scores_and_scikit_learn_search():
    search = GridSearchCV(
        SVC(),
        {"C": [0.1, 1.0]},
        scoring={"acc": "accuracy", "f1": "f1_macro"},
        refit="acc",
        return_train_score=True,
        cv=3,
    ).fit(*IRIS)
    table = results_table(search, as_frame=False)
    assert list(table)[:11] == [
        "C",
        "mean_test_acc",
        "std_test_acc",
        "rank_test_acc",
        "mean_train_acc",
        "std_train_acc",
        "mean_test_f1",
        "std_test_f1",
        "rank_test_f1",
        "mean_train_f1",
        "std_train_f1",
    ]
    assert len(table) == 15


def test_extra_columns_of_bayes_search():
    search = BayesTuneCV(
        SVC(), {"C": Real(0.1, 10.0)}, n_iter=3, cv=3, random_state=0, progress=False
    ).fit(*IRIS)
    table = results_table(search.cv_results_, as_frame=False)
    assert list(table)[-3:] == ["proposal_step", "proposal_kind", "acquisition_value"]
    assert table["proposal_step"] == [0, 1, 2]
    assert all(type(kind) is str for kind in table["proposal_kind"])
    assert table["C"] == search.cv_results_["param_C"].tolist()


def test_a_parameter_named_like_a_column_keeps_its_prefix():
    cv_results = {
        "params": [{"mean_fit_time": 1}],
        "param_mean_fit_time": np.ma.MaskedArray([1], mask=[False]),
        "mean_fit_time": np.array([0.5]),
    }
    table = results_table(cv_results, as_frame=False)
    assert table == {"param_mean_fit_time": [1], "mean_fit_time": [0.5]}


def test_without_pandas(grid, no_pandas):
    assert isinstance(results_table(grid), dict)
    with pytest.raises(ImportError, match="needs pandas.*pip install pandas"):
        results_table(grid, as_frame=True)


def test_data_frame(grid):
    pd = pytest.importorskip("pandas")
    for as_frame in ("auto", True):
        frame = results_table(grid, as_frame=as_frame)
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == list(results_table(grid, as_frame=False))
        assert frame.index.name == "candidate"
        assert len(frame) == 3
        assert frame["gamma"].isna().tolist() == [True, True, False]
        # Not [1.0, 10.0, nan]: the values set_params takes back, and None.
        assert frame["C"].tolist() == [1, 10, None]
        assert SVC().set_params(**frame.loc[1, ["C", "kernel"]].to_dict()).C == 10


def test_errors(grid):
    with pytest.raises(ValueError, match="as_frame must be 'auto', True or False"):
        results_table(grid, as_frame="yes")
    with pytest.raises(NotFittedError, match="GridTuneCV instance is not fitted"):
        results_table(GridTuneCV(SVC(), {"C": [1.0]}))
    with pytest.raises(ValueError, match="which has a 'params' key"):
        results_table({"mean_test_score": [0.5]})
    with pytest.raises(TypeError, match="needs a fitted search or its cv_results_"):
        results_table([0.5])
    # Fitted, but not a search: not "not fitted", and where the search is.
    with pytest.raises(TypeError, match="got SVC"):
        results_table(SVC().fit(*IRIS))
    pipe = make_pipeline(StandardScaler(), GridTuneCV(SVC(), {"C": [1.0]}, cv=3))
    with pytest.raises(
        TypeError, match=r"Pass the search, its last step: Pipeline\[-1\]"
    ):
        results_table(pipe.fit(*IRIS))


def test_docstring_examples(monkeypatch):
    # The example imports results_table from the package, as users will.
    monkeypatch.setattr(
        sklearn_bayestune, "results_table", results_table, raising=False
    )
    result = doctest.testmod(
        _table, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_importing_the_package_imports_neither_matplotlib_nor_pandas():
    # scikit-learn may import pandas itself when it is installed: count only
    # what importing our modules adds.
    code = (
        "import sys, sklearn.model_selection; before = set(sys.modules); "
        "import sklearn_bayestune, sklearn_bayestune._plot, sklearn_bayestune._table; "
        "added = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(added & {'matplotlib', 'pandas'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
