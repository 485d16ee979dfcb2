"""Every example in the user guide pages and docstrings runs and prints what it says."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
# Generated benchmark reports hold no examples; build outputs are not pages.
PAGES = sorted(
    page
    for page in DOCS.rglob("*.md")
    if not {"benchmarks", "_build", "generated", "auto_examples"}
    & set(page.relative_to(DOCS).parts[:-1])
)


# The pages show outputs of real runs on the newest stack; searches that
# depend on floating-point detail (L-BFGS-B paths, BLAS) print other digits on
# the oldest supported numpy/scipy, which tests/ covers with its own asserts.
NEWEST_STACK = pytest.mark.skipif(
    tuple(int(p) for p in np.__version__.split(".")[:1]) < (2,),
    reason="the pages' outputs were produced with numpy 2 and scipy >= 1.17",
)


@pytest.mark.slow
@NEWEST_STACK
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples(page, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # pages that write files write them here
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.failed == 0


# __main__ runs the demo when imported.
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(
        importlib.import_module("sklearn_bayestune").__path__, "sklearn_bayestune."
    )
    if info.name != "sklearn_bayestune.__main__"
)


@pytest.mark.slow
@NEWEST_STACK
@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(
        importlib.import_module(module),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.failed == 0
