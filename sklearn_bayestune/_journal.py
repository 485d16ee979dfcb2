"""The checkpoint journal: finished fits on disk, so a killed search resumes.

A search given ``checkpoint="path"`` appends every finished (candidate, split)
fit to a :class:`Journal` as it completes. Run again with the same arguments
after an interruption (Ctrl-C, ``kill -9``, a lost node), the search replays
its proposals deterministically and, for each fold whose entry is in the
journal with the same parameters, takes the stored result instead of fitting.
The journal therefore never rebuilds parameter values: it stores a canonical
key of them (:func:`params_key`) only to compare.

Format
------
JSON lines, append-only, UTF-8, readable by any JSON parser and never
unpickled, so a checkpoint from elsewhere cannot run code. The first line is a
header::

    {"format": "sklearn-bayestune-checkpoint", "version": 1,
     "fingerprint": "<sha256 hex>", "search": "<class name>",
     "created": "<ISO 8601 time>"}

then, in the order the search handled them, one line per candidate when it
is added (proposed) and one per finished fold::

    {"candidate": 3, "params": "<params_key>"}
    {"candidate": 3, "split": 1, "params": "<params_key>", "out": {...}}

The order is what lets a resumed search take the same decisions again: which
candidate an asynchronous search proposed while which folds were running,
and which candidates a stopping policy stopped, depend on the order in which
folds finished, which differs between runs with several workers.

A resumed asynchronous search whose proposals part from the journal's after
its first ``k`` lines (after the header and earlier such markers) writes::

    {"resumed_at": k}

and from then on every candidate and fold it handles, replayed ones too: the
history is then the first ``k`` lines followed by what comes after the
marker, while the lines in between still serve as stored fits. Version 1
files hold fold lines only; they are still read, and their header is
rewritten as version 2 before anything is appended.

``out`` is the dict returned by scikit-learn's ``_fit_and_score``. Standard
JSON has no NaN or infinity, so a non-finite float is written as a tagged
object: ``{"float": "nan"}``, ``{"float": "inf"}`` or ``{"float": "-inf"}``
(``null`` stays ``None``, and the strings ``"NaN"`` or ``"inf"`` stay strings).
A dict whose only key is ``"float"`` or ``"dict"``, such as the scores of a
single metric named ``"float"``, is written wrapped as ``{"dict": {...}}`` so
it cannot be read back as a tag. Reading undoes both exactly; numpy scalars
come back as Python scalars and tuples as lists.

Durability
----------
Each line is written with one ``write`` and flushed, without ``fsync``: a
killed process keeps every flushed line (the operating system holds it), while
a power loss or kernel crash may lose the last lines, whose fits are simply
run again. A kill in the middle of a write leaves a last line without its
newline; :meth:`Journal.load` ignores it and cuts it off before appending, so
the file stays valid JSON lines.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import types
from collections import OrderedDict, defaultdict
from collections.abc import MappingView
from datetime import datetime, timezone
from typing import NamedTuple

import joblib
import numpy as np
from scipy import stats
from sklearn.base import clone

FORMAT = "sklearn-bayestune-checkpoint"
VERSION = 2
READABLE_VERSIONS = (1, 2)

# Tags for values standard JSON cannot hold. A real dict that looks like a tag
# is wrapped in ``{_DICT: ...}`` when written, so decoding is unambiguous.
_FLOAT = "float"
_DICT = "dict"
_TUPLE = "tuple"
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _encode_float(value: float):
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return {_FLOAT: "nan"}
    return {_FLOAT: "inf" if value > 0 else "-inf"}


def _as_python_scalar(value):
    """Return ``value`` as a plain Python scalar, or None if it is not one.

    Exact types are checked on purpose: an ``IntEnum`` or a ``str`` subclass
    is not the plain value it compares equal to, and is keyed by its repr.
    The second item says whether a scalar was found (``None`` is a scalar).
    """
    if type(value) in _PLAIN_SCALARS:
        return value, True
    if isinstance(value, (np.bool_, np.integer, np.floating, np.str_)):
        return value.item(), True
    return None, False


def _encode_out(value, where: str):
    """Encode one value of an ``out`` dict as standard JSON data."""
    scalar, is_scalar = _as_python_scalar(value)
    if is_scalar:
        return _encode_float(scalar) if type(scalar) is float else scalar
    if isinstance(value, dict):
        encoded = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"Cannot write {where} to the checkpoint: its key {key!r} is "
                    f"a {type(key).__name__}, and only str keys are accepted."
                )
            encoded[key] = _encode_out(item, f"{where}[{key!r}]")
        if set(encoded) in ({_FLOAT}, {_DICT}):
            return {_DICT: encoded}
        return encoded
    if isinstance(value, (list, tuple)):
        return [_encode_out(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(
        f"Cannot write {where} to the checkpoint: got a {type(value).__name__}, "
        "and only numbers, strings, bools, None, lists and dicts of them are "
        "accepted. Call _fit_and_score without return_estimator or "
        "return_parameters when checkpointing."
    )


def _decode_out(value):
    """Invert :func:`_encode_out`."""
    if isinstance(value, list):
        return [_decode_out(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, item),) = value.items()
        if key == _FLOAT and item in _NON_FINITE:
            return _NON_FINITE[item]
        if key == _DICT and isinstance(item, dict):
            return {k: _decode_out(v) for k, v in item.items()}
    return {key: _decode_out(item) for key, item in value.items()}


def _encode_param(value):
    """Encode one parameter value for :func:`params_key`."""
    scalar, is_scalar = _as_python_scalar(value)
    if is_scalar:
        return _encode_float(scalar) if type(scalar) is float else scalar
    if type(value) is list:
        return [_encode_param(item) for item in value]
    if type(value) is tuple:
        return {_TUPLE: [_encode_param(item) for item in value]}
    return _object_key(value)


def _object_key(value) -> dict:
    """Key an object by its type and a digest of :func:`describe`.

    Not by its repr: scikit-learn abbreviates long estimator reprs, numpy
    prints 8 digits of at most 1000 elements, a function's repr holds its
    address and a set's its hash-seeded order. The description sees the
    whole content, is the same in every process for the same object (a
    lambda by its code, defaults and closure), and is digested so that a
    large one does not fill every line of the journal.
    """
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    digest = hashlib.sha256(describe(value).encode()).hexdigest()
    return {"type": kind, "described": digest}


def params_key(params: dict) -> str:
    """Return a canonical JSON string identifying a candidate's parameters.

    Two candidates get the same key only when their parameters are the same,
    down to the type: ``1``, ``1.0``, ``True``, ``"1"`` and ``None`` give
    different keys, and so do a tuple and a list with the same items.

    Parameters
    ----------
    params : dict
        A candidate, mapping parameter names (str) to values.

    Returns
    -------
    key : str
        JSON with sorted keys. Plain scalars (int, float including NaN and
        infinities, str, bool, None, and numpy scalars, converted to their
        Python equivalent) and lists and tuples of them, nested to any depth,
        are kept as values. Anything else (an estimator, a callable, a dict,
        an array, a set) becomes ``{"type": ..., "described": ...}``: its
        type and the sha256 digest of :func:`describe`'s description.

    Notes
    -----
    A resumed search recognises estimators by their parameters, and lambdas
    by their code, defaults and closure (not by the globals they read).

    Examples
    --------
    >>> from sklearn_bayestune._journal import params_key
    >>> params_key({"gamma": 0.1, "C": 1})
    '{"C": 1, "gamma": 0.1}'
    >>> params_key({"C": 1}) == params_key({"C": 1.0})
    False
    """
    if not isinstance(params, dict):
        raise TypeError(
            f"params must be a dict of parameter names to values; got a "
            f"{type(params).__name__}."
        )
    encoded = {}
    for name, value in params.items():
        if not isinstance(name, str):
            raise TypeError(
                f"params must have str keys (parameter names); got {name!r}."
            )
        encoded[name] = _encode_param(value)
    return json.dumps(encoded, sort_keys=True, allow_nan=False)


def describe(value) -> str:
    """A description of a search argument that is the same in every process.

    Fingerprints and candidate keys must not change between the killed run
    and its resume, and must tell apart objects that fit differently, so
    objects are described by what defines them rather than hashed whole (a
    scipy distribution pickles numpy's global random state, which differs
    from process to process; a frozenset pickles in hash-seeded order):

    - estimators as the clone the search fits, where scikit-learn's clone
      reaches them: class, ``get_params`` and what the clone holds
      (``set_output`` and metadata-request settings, a FrozenEstimator's
      fitted estimator); beyond clone's reach (in a partial, a closure, an
      object's state) with their fitted attributes too;
    - scipy distributions by their class, constructor and arguments;
    - sets in sorted order, numpy numbers as the Python ones they equal;
    - functions that cannot be pickled (lambdas, local functions), and the
      functions, classes and bound methods of the script (``__main__``),
      which joblib would pickle by name, by their code, defaults and
      closure, not by the globals they read;
    - other picklable values by ``joblib.hash``; other objects by their class
      (a local or script class with its attributes and methods, which may
      close over values) and attributes, modules by name.

    An object met again (shared, or holding itself) is described by when it
    was first met, so the walk is linear in the object graph. An object whose
    state cannot be read (no ``__dict__`` or ``__slots__``, such as a lock),
    or nested too deep to walk, is described by its identity in this
    process: another process never matches it, so a resume there is refused
    rather than reuse fits of another object.
    """
    try:
        return _Describer(in_clone=False)(value)
    except RecursionError:
        return _unmatchable(value)


# Drawn once per process: an object described by its identity matches itself
# in this process (a search fitted again after Ctrl-C) and nothing elsewhere.
_PROCESS = os.urandom(8).hex()


# Objects described by identity, kept alive so that no other object takes
# their address, and their description, later in this process.
_IDENTIFIED: list = []


def _unmatchable(value) -> str:
    _IDENTIFIED.append(value)
    return f"<{type(value).__qualname__} {id(value):#x} of process {_PROCESS}>"


def _is_script_code(value) -> bool:
    """Whether a function or class comes from the script or notebook run.

    joblib pickles it by name, so an edit to its code between the killed run
    and the resume would go unseen.
    """
    # Not an instance, whose __module__ is its class's.
    return isinstance(value, (types.FunctionType, type)) and (
        value.__module__ == "__main__"
    )


class _EmptyCell:
    """Stands for a closure cell not yet assigned (not for None)."""


_DISTRIBUTIONS = (stats.rv_continuous, stats.rv_discrete)
# Estimator state that watches a fit without changing it: scikit-learn's
# estimator callbacks (set_callbacks), which also hold process handles.
_OBSERVERS = frozenset({"_skl_callbacks"})
# Class members that hold interpreter state, not behaviour (copyreg caches
# __slotnames__ on a class at its first pickle or deepcopy).
_SKIPPED_MEMBERS = frozenset({"__dict__", "__weakref__", "_abc_impl", "__slotnames__"})


class _Describer:
    """One walk of :func:`describe`, which numbers the objects it meets."""

    def __init__(self, *, in_clone):
        self._numbers = {}
        # Where scikit-learn's clone no longer reaches: inside an estimator
        # (cloned once, at the top: a FrozenEstimator's fitted estimator is
        # not cloned again), a function, a partial or an object's state. Only
        # the search's arguments and containers of them are cloned.
        self._in_clone = in_clone
        # Visited objects are kept alive, so that no temporary's id (a
        # get_params dict) is reused for another object during the walk.
        self._alive = []

    def __call__(self, value) -> str:
        if isinstance(value, (np.number, np.bool_)) and not isinstance(
            value,
            np.timedelta64,  # a number type to numpy, not a number
        ):
            value = value.item()  # random_state=np.int64(0) is random_state=0
        if type(value) in _PLAIN_SCALARS:
            return repr(value)
        # An estimator met as its clone and again beyond clone's reach is
        # two things to describe.
        key = (id(value), self._in_clone)
        if key in self._numbers:
            return f"@{self._numbers[key]}"
        self._numbers[key] = len(self._numbers)
        self._alive.append(value)
        return self._describe(value)

    def _describe(self, value) -> str:
        if isinstance(value, (dict, list, tuple)):
            return self._container(value)
        if isinstance(value, (set, frozenset)):
            # Each element on its own: numbers given in hash order would
            # follow the seed, and merge unequal sets.
            each = (_Describer(in_clone=self._in_clone)(v) for v in value)
            return f"{type(value).__name__}[{','.join(sorted(each))}]"
        if hasattr(value, "get_params") and not isinstance(value, type):
            return self._estimator(value)
        with self._beyond_clone():
            return self._inner(value)

    @contextlib.contextmanager
    def _beyond_clone(self):
        outer, self._in_clone = self._in_clone, True
        try:
            yield
        finally:
            self._in_clone = outer

    def _inner(self, value) -> str:
        """An object that is neither a container nor an estimator."""
        if isinstance(value, MappingView):  # a view's repr abbreviates arrays
            return f"{type(value).__name__}{self(list(value))}"
        if isinstance(value, types.MappingProxyType):
            return f"mappingproxy{self(dict(value))}"
        if isinstance(value, _DISTRIBUTIONS):  # not its random state
            return self._class(type(value)) + self(value._updated_ctor_param())
        dist = getattr(value, "dist", None)
        if isinstance(dist, _DISTRIBUTIONS) and hasattr(value, "args"):
            return f"frozen{self([dist, value.args, value.kwds])}"
        if isinstance(value, functools.partial):
            return f"partial{self([value.func, value.args, value.keywords])}"
        if isinstance(value, types.MethodType):  # pickled as a name on its object
            return f"method{self([value.__self__, value.__func__])}"
        try:
            hashed = joblib.hash(value)
        except Exception:  # unpicklable
            hashed = None
        if hashed is not None and not _is_script_code(value):
            if not _is_script_code(type(value)):
                return hashed
            # Pickled by reference, the class's code would go unseen; its
            # value (an int subclass's) is in the hash.
            return self._class(type(value)) + hashed
        if isinstance(value, types.FunctionType):
            return self._function(value)
        if isinstance(value, types.ModuleType):  # not its contents: the world
            return f"module {value.__name__}"
        if isinstance(value, type):
            return self._class(value)
        state = _state(value)
        if state is None:
            return _unmatchable(value)
        return self._class(type(value)) + self(state)

    def _container(self, value) -> str:
        if type(value) not in (dict, list, tuple):
            # scikit-learn's clone deep-copies a subclass (an OrderedDict).
            with self._beyond_clone():
                return self._items(value)
        return self._items(value)

    def _items(self, value) -> str:
        if isinstance(value, dict):
            items = list(value.items())
            if not isinstance(value, OrderedDict):  # its order is its equality
                items.sort(key=lambda item: repr(item[0]))
            inner = "{" + ",".join(f"{self(k)}:{self(v)}" for k, v in items) + "}"
        else:
            inner = f"{type(value).__name__}[{','.join(self(v) for v in value)}]"
        if type(value) in (dict, list, tuple):
            return inner
        # A subclass: its class, and what it holds besides its items.
        extra = _state(value) or {}
        if isinstance(value, defaultdict):
            extra["default_factory"] = value.default_factory
        return self._class(type(value)) + inner + (self(extra) if extra else "")

    def _function(self, function) -> str:
        # Not repr: it holds the address, which changes with the process.
        cells = []
        for cell in function.__closure__ or ():
            try:
                cells.append(cell.cell_contents)
            except ValueError:  # a name assigned after the function
                cells.append(_EmptyCell)
        return (
            f"function {function.__module__}.{function.__qualname__}"
            f"{_describe_code(function.__code__)}"
            f"{self([function.__defaults__, function.__kwdefaults__, cells])}"
        )

    def _estimator(self, estimator) -> str:
        """What the search fits: the estimator's clone, by class, parameters
        and what else the clone holds (set_output and metadata-request
        settings; a FrozenEstimator is its own clone, fitted)."""
        if not self._in_clone:
            try:
                estimator = clone(estimator)
            except Exception:  # not an estimator scikit-learn can clone
                pass
            self._alive.append(estimator)
        params = estimator.get_params(deep=False)
        held = {
            k: v
            for k, v in (_state(estimator) or {}).items()
            if k not in params and k not in _OBSERVERS
        }
        # An attribute holding another's id() is a cache key, not state (a
        # text vectorizer's _stop_words_id), and differs in every process.
        ids = {id(v) for v in (*params.values(), *held.values())}
        held = {k: v for k, v in held.items() if not (type(v) is int and v in ids)}
        with self._beyond_clone():
            return self._class(type(estimator)) + self(params) + self(held)

    def _class(self, cls) -> str:
        """A class by name; a local or script class also by its members and
        those of its local or script bases, whose code may change."""
        name = f"class {cls.__module__}.{cls.__qualname__}"
        own = [
            c for c in cls.__mro__ if "<locals>" in c.__qualname__ or _is_script_code(c)
        ]
        if cls not in own:
            return name
        members = {}
        for base in own:
            for key, member in vars(base).items():
                if key in _SKIPPED_MEMBERS:
                    continue
                if isinstance(member, property):
                    member = [member.fget, member.fset, member.fdel]
                elif isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                members[f"{base.__qualname__}.{key}"] = member
        return name + self(members)


def _state(value) -> dict | None:
    """An object's attributes, from ``__dict__`` and ``__slots__``; None if none."""
    # Empty __slots__ declare an object without state, not one unreadable.
    has_state = hasattr(value, "__dict__") or any(
        "__slots__" in vars(cls) for cls in type(value).__mro__
    )
    if not has_state:
        return None
    state = dict(getattr(value, "__dict__", None) or {})
    for cls in type(value).__mro__:
        slots = getattr(cls, "__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name in ("__dict__", "__weakref__"):
                continue
            if name.startswith("__") and not name.endswith("__"):
                name = f"_{cls.__name__.lstrip('_')}{name}"  # name-mangled
            if hasattr(value, name):
                state[name] = getattr(value, name)
    return state


def _describe_code(code):
    # co_code alone misses constants (a lambda's 2 versus 3), names and how
    # arguments are taken (x, y against x, *y).
    consts = [
        _describe_code(c) if isinstance(c, types.CodeType) else describe(c)
        for c in code.co_consts
    ]
    signature = (
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
    )
    parts = [
        code.co_code.hex(),
        repr(signature),
        *consts,
        *code.co_names,
        *code.co_varnames,
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def fingerprint(**parts: str) -> str:
    """Return the sha256 hex digest identifying one search.

    Parameters
    ----------
    **parts : str
        What makes two searches the same, by name: reprs of the estimator and
        the cross-validation, ``joblib.hash`` strings of the data and the
        search space, and so on. The order of the names does not matter.

    Returns
    -------
    fingerprint : str
        64 hexadecimal characters.

    Examples
    --------
    >>> from sklearn_bayestune._journal import fingerprint
    >>> fingerprint(a="x", b="y") == fingerprint(b="y", a="x")
    True
    """
    for name, part in parts.items():
        if not isinstance(part, str):
            raise TypeError(
                f"fingerprint part {name!r} must be a str (a repr or a "
                f"joblib.hash); got a {type(part).__name__}. Pass "
                f"repr(value) or joblib.hash(value) instead."
            )
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


class Entry(NamedTuple):
    """One line of a journal after its header.

    A candidate line (the candidate was added) has ``split`` and ``out`` None;
    a fold line holds the fold's ``_fit_and_score`` output.
    """

    candidate: int
    params: str
    split: int | None = None
    out: dict | None = None


class Resumed(NamedTuple):
    """A ``{"resumed_at": k}`` line: the history keeps its first ``k`` entries."""

    at: int


class Journal:
    """An append-only JSON-lines record of the finished fits of one search.

    Call :meth:`load` first: it creates the file, or reads it and prepares it
    for appending; then :meth:`append_candidate` each candidate as it is
    added and :meth:`append` each finished fit, and :meth:`close` (or use the
    journal as a context manager).

    Parameters
    ----------
    path : str or path-like
        The checkpoint file, as given to the search's ``checkpoint``
        parameter. Its directory must exist.
    fingerprint : str
        Identifies the search (see :func:`fingerprint`). A file written with
        another fingerprint is refused.
    search : str
        The searcher's class name, written in the header for people reading
        the file. It is not compared: the fingerprint decides.
    check_out : callable, default=None
        ``check_out(out) -> bool``: whether a fold line's ``out`` is one the
        caller can use; a line whose ``out`` fails it is refused as edited.
        None accepts any dict.

    See Also
    --------
    params_key : The key stored with each entry.

    Notes
    -----
    One process writes a journal at a time; two searches sharing one path
    interleave their lines and the file is refused on the next load. A
    candidate index occurs more than once when a resumed search proposed
    another candidate there; its lines keep each one's parameters key.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_bayestune._journal import Journal, params_key
    >>> path = os.path.join(tempfile.mkdtemp(), "search.jsonl")
    >>> with Journal(path, "f00d", search="GridTuneCV") as journal:
    ...     journal.load()
    ...     journal.append_candidate(0, params_key({"C": 1}))
    ...     journal.append(0, 0, params_key({"C": 1}), {"test_scores": 0.5})
    []
    >>> with Journal(path, "f00d", search="GridTuneCV") as journal:
    ...     for entry in journal.load():
    ...         print(entry)
    Entry(candidate=0, params='{"C": 1}', split=None, out=None)
    Entry(candidate=0, params='{"C": 1}', split=0, out={'test_scores': 0.5})
    """

    def __init__(self, path, fingerprint: str, *, search: str, check_out=None):
        self.path = os.fspath(path)
        self.fingerprint = fingerprint
        self.search = search
        self.check_out = check_out
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def load(self) -> list[Entry | Resumed]:
        """Read the journal, creating it if needed, and open it for appending.

        Returns
        -------
        entries : list of Entry and Resumed
            Every complete line after the header, in file order; empty for a
            new file.

        Raises
        ------
        ValueError
            If the directory of ``path`` does not exist, if the file is not a
            checkpoint, or if it was written by a different search.
        """
        self.close()
        if not os.fspath(self.path):
            raise ValueError(
                "The 'checkpoint' parameter must be a file path; got an empty "
                "string. Pass a file name, e.g. 'search.jsonl', or None for no "
                "checkpoint."
            )
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise ValueError(
                f"The 'checkpoint' parameter must be a file path in an existing "
                f"directory; got {self.path!r}, but the directory {directory!r} "
                "does not exist. Create the directory or pass another path."
            )
        if os.path.isdir(self.path):
            raise ValueError(
                f"The 'checkpoint' parameter must be a file path; got "
                f"{self.path!r}, which is a directory. Pass a file name inside "
                "it, e.g. os.path.join(path, 'search.jsonl')."
            )
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = b""
        entries, valid_size, version = self._parse(data)
        if valid_size == 0:
            self._file = open(self.path, "wb")
            self._write_line(self._header())
        elif version != VERSION:
            # Lines of this version follow: the header must say so. Replaced
            # whole (write, then rename), so a kill leaves one file or the other.
            lines = data[:valid_size].split(b"\n", 1)[1]
            header = json.loads(data.split(b"\n", 1)[0]) | {"version": VERSION}
            temporary = self.path + ".upgrade"
            with open(temporary, "wb") as f:
                f.write(json.dumps(header, ensure_ascii=True).encode("ascii") + b"\n")
                f.write(lines)
            os.replace(temporary, self.path)
            self._file = open(self.path, "r+b")
            self._file.seek(0, os.SEEK_END)
        else:
            self._file = open(self.path, "r+b")
            # Cut off a line left unfinished by a kill, so the next line starts
            # on a line of its own.
            self._file.truncate(valid_size)
            self._file.seek(valid_size)
        return entries

    def append_resumed(self, at: int) -> None:
        """Write that the history keeps its first ``at`` entries (see the module)."""
        self._write_line({"resumed_at": int(at)})

    def append_candidate(self, candidate: int, params: str) -> None:
        """Write that a candidate was added, with its :func:`params_key`."""
        self._write_line({"candidate": int(candidate), "params": params})

    def append(self, candidate: int, split: int, params: str, out: dict) -> None:
        """Write one finished fit and flush it.

        Parameters
        ----------
        candidate : int
            Index of the candidate in the search's order of proposals.
        split : int
            Index of the cross-validation split.
        params : str
            The candidate's :func:`params_key`.
        out : dict
            The dict returned by ``_fit_and_score``: ``test_scores`` (a float,
            or a dict of metric name to float), optionally ``train_scores``,
            ``n_test_samples``, ``fit_time``, ``score_time`` and
            ``fit_error`` (a str or None). Floats may be NaN or infinite.
        """
        entry = {
            "candidate": int(candidate),
            "split": int(split),
            "params": params,
            "out": _encode_out(out, "out"),
        }
        self._write_line(entry)

    def close(self) -> None:
        """Close the file. Calling it again does nothing."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def _header(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "search": self.search,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def _write_line(self, obj: dict) -> None:
        if self._file is None:
            raise RuntimeError(
                "The journal is not open: call Journal.load() before append(), "
                "and do not append after close()."
            )
        line = json.dumps(obj, allow_nan=False, ensure_ascii=True) + "\n"
        self._file.write(line.encode("ascii"))
        self._file.flush()

    def _parse(self, data: bytes):
        """Return the entries in ``data``, the size of its complete lines and
        its format version.

        A size of 0 means the file must be (re)created: it is empty, or holds
        only the unfinished header of a search killed while creating it.
        """
        lines = data.split(b"\n")
        # The last item is what follows the last newline: empty for a complete
        # file, otherwise a line cut short by a kill, which is dropped.
        complete, partial = lines[:-1], lines[-1]
        if not complete:
            if partial and not _is_prefix_of_header(partial):
                self._refuse_not_checkpoint()
            return [], 0, VERSION
        version = self._check_header(complete[0])
        entries = []
        for number, line in enumerate(complete[1:], start=2):
            try:
                entry = _parse_entry(json.loads(line))
                if (
                    self.check_out is not None
                    and isinstance(entry, Entry)
                    and entry.split is not None
                    and not self.check_out(entry.out)
                ):
                    raise TypeError("not a fold output")
                entries.append(entry)
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"Line {number} of the checkpoint {self.path!r} is not a "
                    "valid entry: the file was edited, or written by two "
                    "searches at once. Delete it (its fits will be run again) "
                    "or pass another path to the 'checkpoint' parameter."
                ) from exc
        return entries, len(data) - len(partial), version

    def _check_header(self, line: bytes) -> int:
        """The header's format version, once the header is checked."""
        try:
            header = json.loads(line)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            self._refuse_not_checkpoint()
        if header.get("version") not in READABLE_VERSIONS:
            raise ValueError(
                f"The checkpoint {self.path!r} has format version "
                f"{header.get('version')!r}; this version of sklearn-bayestune "
                f"reads versions {READABLE_VERSIONS[0]} to {VERSION}. Delete it, "
                "pass another path to the 'checkpoint' parameter, or resume with "
                "the version of sklearn-bayestune that wrote it."
            )
        if header.get("fingerprint") != self.fingerprint:
            raise ValueError(
                f"The checkpoint {self.path!r} was written by a different "
                "search (its estimator, search space, options such as n_iter, "
                "scoring or random_state, data, fit parameters or cross-validation "
                f"differ): it was written by {header.get('search')!r} with "
                f"fingerprint {header.get('fingerprint')!r}, and this search "
                f"has fingerprint {self.fingerprint!r}. Delete it or pass "
                "another path."
            )
        return header["version"]

    def _refuse_not_checkpoint(self):
        raise ValueError(
            f"The 'checkpoint' parameter must name a sklearn-bayestune "
            f"checkpoint file or a new file; got {self.path!r}, which exists "
            "and is not a checkpoint (its first line is not a JSON header with "
            f'"format": "{FORMAT}"). Pass another path; the file was left '
            "unchanged."
        )


def _is_index(value) -> bool:
    return type(value) is int and value >= 0


def _parse_entry(line) -> Entry | Resumed:
    """An entry from a decoded line; TypeError or KeyError if malformed."""
    if "resumed_at" in line:
        if not _is_index(line["resumed_at"]):
            raise TypeError("wrong field types")
        return Resumed(line["resumed_at"])
    if "split" in line:
        entry = Entry(
            line["candidate"], line["params"], line["split"], _decode_out(line["out"])
        )
        valid = _is_index(entry.split) and isinstance(entry.out, dict)
    else:
        entry = Entry(line["candidate"], line["params"])
        valid = True
    if not (valid and _is_index(entry.candidate) and isinstance(entry.params, str)):
        raise TypeError("wrong field types")
    return entry


def _is_prefix_of_header(data: bytes) -> bool:
    """Whether ``data`` can be the start of a header cut short by a kill."""
    start = b'{"format": "' + FORMAT.encode("ascii") + b'"'
    n = min(len(data), len(start))
    return data[:n] == start[:n]
