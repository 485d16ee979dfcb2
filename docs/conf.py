"""Sphinx configuration of the sklearn-bayestune documentation.

Build it from the repository root (warnings are errors in CI)::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The Markdown pages are read by MyST as they are; the API reference is
generated from the docstrings (autosummary + numpydoc); the gallery runs every
script in ``examples/`` and keeps its figures (sphinx-gallery).
"""

import os
import re

# The gallery runs in this process. Its models are small: extra BLAS/OpenMP
# threads only contend for CI's two cores (a HistGradientBoosting fit took 50
# times longer with two OpenMP threads on a loaded machine than with one).
# Set before anything imports numpy or scikit-learn.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
# Figures are drawn off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")

import sklearn_bayestune  # noqa: E402

project = "sklearn-bayestune"
author = "the sklearn-bayestune developers"
copyright = "the sklearn-bayestune developers"
release = sklearn_bayestune.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# -- API reference -------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc "Parameters" sections say the types
# The class template (_templates/autosummary/class.rst) documents the methods
# with autodoc; numpydoc's own member tables would list them a second time.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_class_members_toctree = False

# -- Markdown (MyST) -----------------------------------------------------------
myst_heading_anchors = 3  # [Errors](#errors) links to a heading
# The benchmark reports (written by benchmarks/*.py) go from "#" to "###".
suppress_warnings = ["myst.header"]

# -- Gallery -------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # run every plot_*.py script
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    # No sg_execution_times.rst in the source tree: each example's page and
    # the build log still give its running time.
    "write_computation_times": False,
}

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-bayestune {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
html_show_sourcelink = False


# -- scikit-learn's glossary -----------------------------------------------------
# Docstrings inherited from scikit-learn (numpydoc copies, e.g., the summary of
# BaseSearchCV.n_features_in_ into each searcher's Attributes section) link to
# scikit-learn's glossary with :term:, which this site does not have. Keep the
# word, drop the link.
_GLOSSARY_TERM = re.compile(r":term:`([^`<]+?)\s*(?:<[^`>]*>)?`")


def _unlink_glossary_terms(app, what, name, obj, options, lines):
    lines[:] = [_GLOSSARY_TERM.sub(r"\1", line) for line in lines]


def setup(app):
    # After numpydoc (priority 500), which builds the Attributes sections.
    app.connect("autodoc-process-docstring", _unlink_glossary_terms, priority=600)
