import copy
import functools
import gc
import json
import math
import os
import re
import subprocess
import sys
import threading
from collections import OrderedDict, defaultdict

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_bayestune._journal import (
    FORMAT,
    VERSION,
    Entry,
    Journal,
    Resumed,
    _encode_out,
    describe,
    fingerprint,
    params_key,
)

FP = fingerprint(estimator="SVC()", X="abc", cv="KFold(n_splits=3)")

OUTS = [
    {
        "test_scores": 0.75,
        "n_test_samples": 10,
        "fit_time": 0.01,
        "score_time": 0.002,
        "fit_error": None,
    },
    {
        "test_scores": {"accuracy": 0.5, "f1": np.float64(0.25)},
        "train_scores": {"accuracy": np.float32(0.5), "f1": 1.0},
        "n_test_samples": np.int64(7),
        "fit_time": np.float64(0.125),
        "score_time": 0.0,
        "fit_error": None,
    },
    {
        "test_scores": math.nan,
        "train_scores": -math.inf,
        "n_test_samples": 3,
        "fit_time": math.inf,
        "score_time": 0.0,
        "fit_error": 'Traceback (most recent call last):\n  ValueError: "NaN"\n',
    },
    {
        "test_scores": {"float": math.nan, "inf": 1.0},
        "train_scores": {"float": np.float64(np.nan)},
        "fit_error": "NaN",
        "extra": {"dict": {"float": "inf"}, "list": [1, "inf", None, True]},
    },
]


def _same(a, b):
    """Equality where NaN equals NaN, and types must match."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


def _as_python(value):
    if isinstance(value, dict):
        return {k: _as_python(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _folds(entries):
    """(candidate, split) -> (params key, out) of the fold entries."""
    return {
        (e.candidate, e.split): (e.params, e.out)
        for e in entries
        if e.split is not None
    }


def _lines(path):
    with open(path, "rb") as f:
        return f.read().decode("ascii").splitlines()


def test_outs_round_trip_and_file_is_standard_json_lines(tmp_path):
    path = tmp_path / "search.jsonl"
    with Journal(path, FP, search="GridTuneCV") as journal:
        assert journal.load() == []
        for i, out in enumerate(OUTS):
            journal.append(i, 1, params_key({"C": i}), out)
    with Journal(path, FP, search="GridTuneCV") as journal:
        entries = _folds(journal.load())
    assert sorted(entries) == [(i, 1) for i in range(len(OUTS))]
    for i, out in enumerate(OUTS):
        key, loaded = entries[i, 1]
        assert key == params_key({"C": i})
        assert _same(loaded, _as_python(out)), (loaded, out)
    # numpy floats come back as Python floats
    assert type(entries[1, 1][1]["test_scores"]["f1"]) is float
    assert type(entries[1, 1][1]["n_test_samples"]) is int

    lines = _lines(path)
    assert len(lines) == 1 + len(OUTS)
    for line in lines:
        # Standard JSON: no NaN/Infinity tokens anywhere.
        json.loads(line, parse_constant=pytest.fail)
    header = json.loads(lines[0])
    assert header["format"] == FORMAT
    assert header["version"] == VERSION == 2
    assert header["fingerprint"] == FP
    assert header["search"] == "GridTuneCV"
    assert "created" in header
    assert json.loads(lines[3])["out"]["test_scores"] == {"float": "nan"}
    with open(path, "rb") as f:
        assert b"\x80" not in f.read()  # no pickle protocol marker


def test_non_finite_floats_are_distinct_from_none_and_strings(tmp_path):
    path = tmp_path / "c.jsonl"
    out = {"a": None, "b": math.nan, "c": "nan", "d": math.inf, "e": "inf"}
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append(0, 0, "{}", out)
    with Journal(path, FP, search="S") as journal:
        (entry,) = journal.load()
        loaded = entry.out
    assert loaded["a"] is None
    assert math.isnan(loaded["b"])
    assert loaded["c"] == "nan"
    assert loaded["d"] == math.inf
    assert loaded["e"] == "inf"


def test_append_refuses_objects():
    with pytest.raises(TypeError, match=r"out\['estimator'\].*got a SVC"):
        _encode_out({"estimator": SVC()}, "out")


def test_append_before_load_raises(tmp_path):
    journal = Journal(tmp_path / "c.jsonl", FP, search="S")
    with pytest.raises(RuntimeError, match=r"call Journal.load\(\)"):
        journal.append(0, 0, "{}", {})


@pytest.mark.parametrize(
    "a, b",
    [
        (1, 1.0),
        (1, True),
        (1.0, True),
        (1, "1"),
        (None, "None"),
        (None, 0),
        (0, False),
        ((1, 2), [1, 2]),
        ((1, (2, 3)), (1, [2, 3])),
        ((1, (2, 3)), (1, 2, 3)),
        (((1,),), ((1, 1),)),
        (math.nan, None),
        (math.inf, -math.inf),
        (SVC(C=1), SVC(C=2)),
        (np.array([0.1]), np.array([0.1 + 1e-12])),
    ],
)
def test_params_key_distinguishes(a, b):
    assert params_key({"p": a}) != params_key({"p": b})


def test_params_key_canonical():
    assert params_key({"b": 1, "a": "x"}) == params_key({"a": "x", "b": 1})
    assert params_key({"a": "x", "b": 1}) == '{"a": "x", "b": 1}'
    # numpy scalars are converted to their Python equivalent
    assert params_key({"p": np.int64(3)}) == params_key({"p": 3})
    assert params_key({"p": np.float64(0.5)}) == params_key({"p": 0.5})
    assert params_key({"p": np.bool_(True)}) == params_key({"p": True})
    assert params_key({"p": np.str_("rbf")}) == params_key({"p": "rbf"})
    assert params_key({"p": math.nan}) == params_key({"p": np.nan})
    key = json.loads(params_key({"p": (1, [2.5, None], "a")}))
    assert key == {"p": {"tuple": [1, [2.5, None], "a"]}}


def test_params_key_object_is_its_type_and_a_digest_of_its_description():
    key = json.loads(params_key({"clf": SVC(C=2.0)}))
    assert key["clf"]["type"] == "sklearn.svm._classes.SVC"
    assert len(key["clf"]["described"]) == 64
    assert params_key({"clf": SVC(C=2.0)}) == params_key({"clf": SVC(C=2.0)})
    assert params_key({"clf": SVC(C=2.0)}) != params_key({"clf": SVC(C=3.0)})
    assert params_key({"f": lambda x: x + 1}) != params_key({"f": lambda x: x + 2})


_DESCRIBE_IN_A_NEW_PROCESS = """
import numpy as np
from sklearn.preprocessing import FunctionTransformer
from sklearn_bayestune._journal import describe, params_key
k = 2
def make(k):
    return lambda Z: Z * k
print(describe(FunctionTransformer(lambda Z: np.log1p(Z) + 1)))
print(describe([make(2), make(3), lambda x, a=1: x, lambda x, a=2: x]))
print(describe({frozenset({"alpha", "beta", "gamma"}): {"delta", "epsilon"}}))
def local_node():
    class Node:
        def __init__(self):
            self.me = self
    return Node()
class Columns:
    def __init__(self, cols):
        self.cols, self.post = list(cols), lambda Z: Z
print(describe([local_node(), Columns([0]), Columns([2, 3])]))
print(params_key({"prep": FunctionTransformer(lambda Z: Z ** 2), "k": make(2)}))
def double(Z):
    return Z * 2
print(params_key({"prep": FunctionTransformer(double)}))
print(params_key({"kw": {"cols": {"sepal", "petal", "width"}}, "f": frozenset("abcd")}))
from functools import partial
from operator import contains
from scipy import stats
from sklearn.svm import SVC
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
class Frozen(BaseEstimator):
    def __init__(self, estimator):
        self.estimator = estimator
    def __sklearn_clone__(self):
        return self
def above(k):
    class Above:
        __slots__ = ()
        def __call__(self, x):
            return x > k
    return Above()
def edited_in_the_script(X):
    return X + 1
def local_svc():
    class MySVC(SVC):
        pass
    return MySVC(C=2.0)
shared = frozenset({"z"})
print(describe([
    local_svc(),
    {("a", shared), ("b", shared), ("c", shared)},
    partial(contains, frozenset({"age", "income", "height", "weight"})),
    stats.rv_discrete(values=([1, 3, 5], [0.2, 0.3, 0.5])),
    edited_in_the_script,
    Frozen(TfidfVectorizer().fit(["a rose is a rose", "a daisy"])),
    above(1),
]))
"""


def test_describe_is_the_same_in_every_process():
    # A checkpoint is resumed in a new process: lambdas (a FunctionTransformer
    # in the pipeline), sets and unpicklable objects (a local object that holds
    # itself, an object holding a lambda) must be described without memory
    # addresses or hash-seeded order.
    outputs = [
        subprocess.run(
            [sys.executable, "-c", _DESCRIBE_IN_A_NEW_PROCESS],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, PYTHONHASHSEED=str(seed)),
        ).stdout
        for seed in (1, 2)
    ]
    assert outputs[0] == outputs[1]
    assert "0x" not in outputs[0]


def test_describe_tells_functions_apart_by_code_defaults_and_closure():
    def make(k):
        return lambda Z: Z * k

    described = [
        describe(f)
        for f in [
            lambda x: x + 1,
            lambda x: x + 2,
            lambda x, a=1: x,
            lambda x, a=2: x,
            make(2),
            make(3),
        ]
    ]
    assert len(set(described)) == len(described)
    assert describe(make(2)) == describe(make(2))


def test_describe_handles_recursion_empty_cells_partials_and_numpy_scalars():
    def make_recursive(depth):
        def shrink(x, d=depth):
            return x if d == 0 else shrink(x * 0.9, d - 1)

        return shrink

    def reads_later():
        def f():
            return later

        described = describe(f)
        later = 1
        return described, later

    assert describe(make_recursive(2)) != describe(make_recursive(3))
    assert "function" in reads_later()[0]
    two, three = (functools.partial(lambda x, k: x * k, k=k) for k in (2, 3))
    assert describe(two) != describe(three) and "0x" not in describe(two)

    # A bound method of a local class's instance: class, attributes, code.
    def bound(k):
        class Scaler:
            def __init__(self, k):
                self.k = k

            def apply(self, x):
                return x * self.k

        return Scaler(k).apply

    assert describe(bound(2)) == describe(bound(2)) != describe(bound(3))
    assert "0x" not in describe(bound(2))
    # Not into modules (a closure over a locally imported numpy walked the
    # loaded modules for minutes), and not round a container holding itself.
    import numpy

    def closes_over_numpy():
        return numpy.log1p

    cycle = []
    cycle.append(cycle)
    assert re.search(r",list\[@\d+\]\]$", describe([closes_over_numpy, cycle]))
    # random_state=np.int64(0) fits the checkpoint random_state=0 wrote.
    assert describe({"random_state": np.int64(0)}) == describe({"random_state": 0})


def test_fingerprint():
    assert len(FP) == 64
    assert fingerprint(a="1", b="2") == fingerprint(b="2", a="1")
    assert fingerprint(a="1", b="2") != fingerprint(a="2", b="1")
    with pytest.raises(TypeError, match="fingerprint part 'a' must be a str"):
        fingerprint(a=1)


def test_fingerprint_mismatch_refused(tmp_path):
    path = tmp_path / "c.jsonl"
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append(0, 0, "{}", {"test_scores": 1.0})
    before = path.read_bytes()
    other = fingerprint(estimator="SVC(C=2)")
    with pytest.raises(
        ValueError,
        match=(
            r"The checkpoint '.*c.jsonl' was written by a different search "
            r"\(its estimator, search space, options such as n_iter, scoring or "
            r"random_state, data, fit parameters or cross-validation differ\)"
            r".*Delete it or pass another path."
        ),
    ):
        Journal(path, other, search="S").load()
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        b"x,y\n1,2\n",
        b"[1, 2]\n",
        b'{"format": "something-else", "version": 1}\n',
        b"not json at all",
    ],
)
def test_non_checkpoint_file_refused(tmp_path, content):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="is not a checkpoint"):
        Journal(path, FP, search="S").load()
    assert path.read_bytes() == content


def test_newer_version_refused(tmp_path):
    path = tmp_path / "c.jsonl"
    header = {"format": FORMAT, "version": 3, "fingerprint": FP}
    path.write_text(json.dumps(header) + "\n")
    with pytest.raises(ValueError, match="format version 3.*reads versions 1 to 2"):
        Journal(path, FP, search="S").load()


def test_version_1_file_is_read(tmp_path):
    # Version 1 had fold lines only.
    path = tmp_path / "c.jsonl"
    header = {"format": FORMAT, "version": 1, "fingerprint": FP}
    fold = {"candidate": 0, "split": 1, "params": "{}", "out": {"test_scores": 1.0}}
    path.write_text(json.dumps(header) + "\n" + json.dumps(fold) + "\n")
    with Journal(path, FP, search="S") as journal:
        assert journal.load() == [Entry(0, "{}", 1, {"test_scores": 1.0})]


def test_candidate_and_fold_lines_come_back_in_file_order(tmp_path):
    path = tmp_path / "c.jsonl"
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append_candidate(0, '{"C": 1}')
        journal.append_candidate(1, '{"C": 2}')
        journal.append(1, 0, '{"C": 2}', {"test_scores": 0.5})
        journal.append(0, 0, '{"C": 1}', {"test_scores": 0.25})
    assert json.loads(_lines(path)[1]) == {"candidate": 0, "params": '{"C": 1}'}
    with Journal(path, FP, search="S") as journal:
        assert journal.load() == [
            Entry(0, '{"C": 1}'),
            Entry(1, '{"C": 2}'),
            Entry(1, '{"C": 2}', 0, {"test_scores": 0.5}),
            Entry(0, '{"C": 1}', 0, {"test_scores": 0.25}),
        ]


def test_resumed_lines_round_trip(tmp_path):
    path = tmp_path / "c.jsonl"
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append_candidate(0, "{}")
        journal.append_resumed(0)
    assert json.loads(_lines(path)[2]) == {"resumed_at": 0}
    with Journal(path, FP, search="S") as journal:
        assert journal.load() == [Entry(0, "{}"), Resumed(0)]


def test_version_1_header_is_upgraded_before_appending(tmp_path):
    path = tmp_path / "c.jsonl"
    header = {"format": FORMAT, "version": 1, "fingerprint": FP, "search": "S"}
    fold = {"candidate": 0, "split": 1, "params": "{}", "out": {"test_scores": 1.0}}
    # A line cut short by a kill is dropped too.
    path.write_text(json.dumps(header) + "\n" + json.dumps(fold) + '\n{"cand')
    with Journal(path, FP, search="S") as journal:
        assert journal.load() == [Entry(0, "{}", 1, {"test_scores": 1.0})]
        journal.append_candidate(1, "{}")
    lines = [json.loads(line) for line in _lines(path)]
    assert lines == [header | {"version": 2}, fold, {"candidate": 1, "params": "{}"}]
    assert os.listdir(tmp_path) == ["c.jsonl"]


@pytest.mark.parametrize(
    "line",
    [
        {"resumed_at": -1},
        {"resumed_at": "0"},
        {"candidate": -1, "params": "{}"},
        {"candidate": 0, "split": -1, "params": "{}", "out": {}},
        {"candidate": "0", "params": "{}"},
        {"candidate": 0, "params": {"C": 1}},
        {"candidate": 0},
        {"candidate": 0, "split": 0, "params": "{}"},
        {"candidate": 0, "split": 0.0, "params": "{}", "out": {}},
        [0, "{}"],
    ],
)
def test_malformed_entry_refused(tmp_path, line):
    path = tmp_path / "c.jsonl"
    header = {"format": FORMAT, "version": VERSION, "fingerprint": FP}
    path.write_text(json.dumps(header) + "\n" + json.dumps(line) + "\n")
    with pytest.raises(ValueError, match="Line 2 of the checkpoint"):
        Journal(path, FP, search="S").load()


def test_corrupt_middle_line_refused(tmp_path):
    path = tmp_path / "c.jsonl"
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append(0, 0, "{}", {"test_scores": 1.0})
    with open(path, "ab") as f:
        f.write(b'{"candidate": 1, "spl\n')
    with pytest.raises(ValueError, match="Line 3 of the checkpoint"):
        Journal(path, FP, search="S").load()


def test_missing_directory_refused(tmp_path):
    path = tmp_path / "missing" / "c.jsonl"
    with pytest.raises(ValueError, match=r"'checkpoint' parameter.*does not exist"):
        Journal(path, FP, search="S").load()


def test_directory_path_refused(tmp_path):
    with pytest.raises(ValueError, match=r"'checkpoint' parameter.*is a directory"):
        Journal(tmp_path, FP, search="S").load()


def test_empty_file_gets_header(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"")
    with Journal(path, FP, search="S") as journal:
        assert journal.load() == []
    assert json.loads(_lines(path)[0])["fingerprint"] == FP


def test_truncated_header_is_rewritten(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"format": "sklearn-bay')
    with Journal(path, FP, search="S") as journal:
        assert journal.load() == []
    lines = _lines(path)
    assert len(lines) == 1
    assert json.loads(lines[0])["fingerprint"] == FP


def test_truncated_last_line_ignored_and_repaired(tmp_path):
    path = tmp_path / "c.jsonl"
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append(0, 0, "{}", {"test_scores": 1.0})
        journal.append(0, 1, "{}", {"test_scores": 0.5})
    complete = path.read_bytes()
    # A kill in the middle of writing the third line.
    path.write_bytes(complete + b'{"candidate": 1, "split": 0, "params": "{}", "ou')
    with Journal(path, FP, search="S") as journal:
        entries = _folds(journal.load())
        assert sorted(entries) == [(0, 0), (0, 1)]
        assert path.read_bytes() == complete
        journal.append(1, 0, "{}", {"test_scores": 0.25})
    lines = _lines(path)
    assert len(lines) == 4
    for line in lines:
        json.loads(line)
    with Journal(path, FP, search="S") as journal:
        assert sorted(_folds(journal.load())) == [(0, 0), (0, 1), (1, 0)]


def test_resume_appends_after_existing_lines(tmp_path):
    path = tmp_path / "c.jsonl"
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append(0, 0, '{"C": 1}', {"test_scores": 1.0})
    first = path.read_bytes()
    with Journal(path, FP, search="S") as journal:
        assert journal.load() == [Entry(0, '{"C": 1}', 0, {"test_scores": 1.0})]
        journal.append(0, 1, '{"C": 1}', {"test_scores": 0.0})
        # flushed at once, before close
        assert path.read_bytes().startswith(first)
        assert len(_lines(path)) == 3
    with Journal(path, FP, search="S") as journal:
        entries = journal.load()
    assert entries == [
        Entry(0, '{"C": 1}', 0, {"test_scores": 1.0}),
        Entry(0, '{"C": 1}', 1, {"test_scores": 0.0}),
    ]


def test_repeated_entries_are_all_kept(tmp_path):
    # A resumed search that proposed another candidate at an index writes its
    # lines again, with the new parameters key; the reader keeps both.
    path = tmp_path / "c.jsonl"
    with Journal(path, FP, search="S") as journal:
        journal.load()
        journal.append(0, 0, '{"C": 1}', {"test_scores": 1.0})
        journal.append(0, 0, '{"C": 2}', {"test_scores": 2.0})
    with Journal(path, FP, search="S") as journal:
        assert [e.params for e in journal.load()] == ['{"C": 1}', '{"C": 2}']


def test_close_is_idempotent_and_append_after_close_raises(tmp_path):
    journal = Journal(os.fspath(tmp_path / "c.jsonl"), FP, search="S")
    journal.load()
    journal.close()
    journal.close()
    with pytest.raises(RuntimeError, match="do not append after close"):
        journal.append(0, 0, "{}", {})


class _Columns:
    """Unpicklable (it holds a lambda), with state that changes its results."""

    def __init__(self, cols):
        self.cols, self.post = list(cols), lambda Z: Z

    def __call__(self, X):
        return self.post(X[:, self.cols])


class _Slotted:
    __slots__ = ("k", "f")

    def __init__(self, k):
        self.k, self.f = k, lambda x: x


def test_unpicklable_objects_are_told_apart_by_their_state():
    # Described by their repr without its address, two such objects with
    # different state matched, and a resume reused one's fits for the other.
    assert describe(_Columns([0])) == describe(_Columns([0]))
    assert describe(_Columns([0])) != describe(_Columns([2, 3]))
    assert params_key({"f": _Columns([0])}) != params_key({"f": _Columns([2, 3])})
    assert describe(_Slotted(1)) != describe(_Slotted(2))

    # Local classes count their methods, which may close over values.
    def make(k):
        class Scale:
            def __call__(self, x):
                return x * k

        return Scale()

    assert describe(make(2)) != describe(make(3))
    # State that cannot be read: the object's identity in this process, so a
    # resume elsewhere is refused rather than wrong.
    lock = threading.Lock()
    assert describe(lock) == describe(lock) != describe(threading.Lock())


def test_what_a_local_class_holds_besides_its_methods_counts():
    def make(k):
        class Noise:
            scale = k

            @property
            def doubled(self):
                return 2 * k

            @classmethod
            def factor(cls):
                return k

        return Noise()

    def make_estimator(k):
        class Shift(BaseEstimator):
            def transform(self, X):
                return X + k

        return Shift()

    assert describe(make(2)) == describe(make(2)) != describe(make(3))
    assert describe(make_estimator(2)) != describe(make_estimator(3))


class _TaggedList(list):
    pass


class Pipeline(SVC):
    """Another module's class of a scikit-learn class's name."""


def test_container_subclasses_and_classes_of_other_modules_are_told_apart():
    a, b = _TaggedList([1]), _TaggedList([1])
    a.tag, b.tag = "a", "b"
    assert describe(a) != describe(b) != describe([1])
    assert describe(defaultdict(lambda: 1)) != describe(defaultdict(lambda: 2))
    assert describe(Pipeline()) != describe(SVC())


class _Member:
    def __init__(self, i):
        self.i, self.peers, self.act = i, [], lambda Z: Z


def test_a_shared_object_graph_is_described_once_per_object():
    # Every path through the graph was walked: 36 MB for 9 members.
    members = [_Member(i) for i in range(9)]
    for m in members:
        m.peers = [p for p in members if p is not m]
    before = describe(members[0])
    assert len(before) < 20 * len(describe(_Member(0)))
    members[1].i = -1  # a peer's state still counts
    assert describe(members[0]) != before


class _Frozen(BaseEstimator):
    """Its own clone, fitted estimator included, as FrozenEstimator is."""

    def __init__(self, estimator):
        self.estimator = estimator

    def __sklearn_clone__(self):
        return self


def test_an_estimator_is_described_as_the_clone_the_search_fits():
    # get_params alone: a frozen fitted estimator matched another and a
    # resume reused its fits. Its full state: an estimator fitted once before
    # the search (whose clone is unfitted) refused the resume.
    X, y = load_iris(return_X_y=True)
    plain = LogisticRegression(max_iter=500)
    fitted = LogisticRegression(max_iter=500).fit(X, y)
    assert params_key({"p": plain}) == params_key({"p": fitted})
    frozen = [_Frozen(LogisticRegression(max_iter=500).fit(X, t)) for t in (y, y[::-1])]
    configured = StandardScaler().set_output(transform="default")
    keys = {
        params_key({"p": e}) for e in (plain, *frozen, configured, StandardScaler())
    }
    assert len(keys) == 5
    # A cache keyed by id() is no state (TfidfVectorizer's _stop_words_id).
    docs = ["a rose is a rose", "a daisy"]
    used = TfidfVectorizer()
    used.build_analyzer()(docs[0])
    assert describe(used) == describe(TfidfVectorizer())
    assert describe(_Frozen(TfidfVectorizer().fit(docs))) == describe(
        _Frozen(TfidfVectorizer().fit(docs))
    )


def test_descriptions_that_collided():
    def above(k):
        class Above:
            __slots__ = ()

            def __call__(self, x):
                return x > k

            def __repr__(self):
                return "Above()"

        return Above()

    def reads_later(assign):
        if assign:
            x = None
        return lambda: x

    class Private:
        __slots__ = ("__v", "g")

        def __init__(self, v):
            self.__v, self.g = v, lambda: 0

    class Text(str):
        pass

    a = np.zeros(5000)
    b = a.copy()
    b[2500] = 1
    P, Q = (2,), (8,)
    pairs = [
        (above(1), above(2)),
        ({"w": a}.values(), {"w": b}.values()),
        (lambda x, y: y, lambda x, *y: y),
        (lambda x, y: y, lambda x, *, y: y),
        (reads_later(False), reads_later(True)),
        (Private(1), Private(2)),
        ({"k": Text("x")}, {"k": "x"}),
        ({"k": np.timedelta64(5, "ns")}, {"k": 5}),
        (OrderedDict([("a", 1), ("b", 2)]), OrderedDict([("b", 2), ("a", 1)])),
        ({(Q,), (P,), (P, Q)}, {(P,), (Q,), (Q, P)}),
        (
            stats.rv_discrete(values=([1, 3], [0.5, 0.5])),
            stats.rv_discrete(values=([1, 5], [0.5, 0.5])),
        ),
        (
            stats.rv_histogram(np.histogram([1, 2, 2, 3], bins=3))(),
            stats.rv_histogram(np.histogram([1, 1, 2, 3], bins=3))(),
        ),
    ]
    for first, second in pairs:
        assert describe(first) != describe(second), (first, second)
    # Too deep to walk: described, by identity, not raised.
    deep = [1]
    for _ in range(5000):
        deep = [deep]
    assert describe(deep) == describe(deep)


def _printed_by_a_script(source, expression):
    """What a script with ``source`` prints for ``expression``, in a new process."""
    code = f"{source}\nfrom sklearn_bayestune._journal import describe, params_key\n"
    code += f"print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_code_of_the_script_counts_and_identities_are_not_reused():
    # joblib pickles a script's functions, classes and bound methods by
    # name: editing one between the killed run and the resume reused the old
    # code's fits. A script class counts its script bases' code too.
    cases = [
        ("def features(X):\n    return {}", "describe(features)"),
        (
            "class Base:\n    def predict(self, X):\n        return {}\n"
            "class Model(Base):\n    pass",
            "describe(Model())",
        ),
        (
            "class Shift:\n    def apply(self, X):\n        return {}",
            "describe(Shift().apply)",
        ),
    ]
    for source, expression in cases:
        before = _printed_by_a_script(source.format("X"), expression)
        assert before != _printed_by_a_script(source.format("0 * X"), expression)
    # Its classes' instances count their value too (an int subclass's).
    same = _printed_by_a_script(
        "class Level(int):\n    pass",
        "params_key({'p': Level(1)}) == params_key({'p': Level(100)})",
    )
    assert same.strip() == "False"
    # An object described by its identity keeps it: no later object in this
    # process takes its address and its description.
    first = describe(threading.Lock())
    gc.collect()
    assert all(describe(threading.Lock()) != first for _ in range(100))


def test_what_clone_does_not_reach_keeps_its_fitted_state():
    # Cloned wherever met, an estimator held by a partial or a closure lost
    # its fitted state: two differently fitted models matched, and a resume
    # reused one's fits for the other. scikit-learn only deep-copies these.
    X, y = load_iris(return_X_y=True)
    a = LogisticRegression(max_iter=500).fit(X, y)
    b = LogisticRegression(max_iter=500).fit(X, y[::-1])
    assert describe(functools.partial(max, a)) != describe(functools.partial(max, b))
    assert describe(lambda: a) != describe(lambda: b)
    assert describe(OrderedDict(m=a)) != describe(OrderedDict(m=b))
    assert describe({"m": [a]}) == describe({"m": [b]})  # cloned, as in a search


def test_a_class_reads_the_same_after_its_first_copy():
    # copyreg caches __slotnames__ on a class at its first deepcopy: a
    # search fitted again in the same session was refused.
    def make():
        class Clip:
            def __init__(self, hi):
                self.hi = hi

        return Clip(2.0)

    clip = make()
    before = describe(type(clip))
    copy.deepcopy(clip)
    assert "__slotnames__" in vars(type(clip))
    assert describe(type(clip)) == before


def test_an_estimator_met_as_a_clone_and_beyond_is_described_both_ways():
    # Numbered by id alone, the partial's fitted model was written as a
    # back-reference to the unfitted clone met first.
    X, y = load_iris(return_X_y=True)
    a = LogisticRegression(max_iter=500).fit(X, y)
    b = LogisticRegression(max_iter=500).fit(X, y[::-1])
    assert describe({"base": a, "prep": functools.partial(max, a)}) != describe(
        {"base": b, "prep": functools.partial(max, b)}
    )


def test_estimator_callbacks_do_not_count():
    # They watch a fit (and hold process handles); the search's own
    # callbacks do not count either.
    callback = pytest.importorskip("sklearn.callback")  # scikit-learn >= 1.9
    plain = LogisticRegression(max_iter=200)
    watched = LogisticRegression(max_iter=200).set_callbacks(
        callback.ScoringMonitor(scoring="accuracy")
    )
    assert describe(watched) == describe(plain)
