"""Sphinx configuration of linuxsys's documentation.

Build (warnings are errors, as in CI)::

    pip install -r docs/requirements.txt
    python3 setup.py -q build_ext --inplace          # autodoc imports linuxsys/_native.abi3.so
    python3 docs/gen_api.py                          # after adding a family module
    sphinx-build -W --keep-going -b html docs /tmp/docs-out
    sphinx-build -W --keep-going -b doctest docs /tmp/docs-doctest   # runs the examples
"""
from __future__ import annotations

import glob
import os
import sys
from typing import Any

# The checkout root, so autodoc imports the in-place build (linuxsys/_native.abi3.so) rather
# than an installed copy; without an in-place build, the installed package (pip install .).
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if glob.glob(os.path.join(ROOT, "linuxsys", "_native*.so")):
    sys.path.insert(0, ROOT)

try:
    import linuxsys
except ImportError as e:
    raise RuntimeError(f"docs: linuxsys does not import ({e}): build it in place first, "
                       "python3 setup.py -q build_ext --inplace, or pip install it") from e

project = "linuxsys"
author = "the linuxsys authors"
copyright = "the linuxsys authors, MIT licence"
release = version = linuxsys.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.doctest"]

exclude_patterns = ["_build"]
templates_path: list[str] = []
html_static_path: list[str] = []
html_theme = "alabaster"  # ships with Sphinx: nothing else to install
html_theme_options = {"description": "Linux system calls for Python", "fixed_sidebar": True}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}

# References that do not resolve (type hints such as FdArg, cffi's types) stay plain text.
nitpicky = False
default_role = "code"  # `x` in a docstring is literal text, never a failed reference

# The API pages (docs/gen_api.py) give `:members:` themselves: a module's __all__ (functions
# and classes), or an explicit list.  ("members" here would override such a list: Sphinx
# replaces a directive's list by a non-string default.)  The namespaces and the flat constants
# are members of no family's __all__, and undocumented data stays out (no undoc-members);
# members keep the source's order, which groups related calls.
autodoc_default_options = {
    "member-order": "bysource",
    "show-inheritance": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True  # `flags=O.RDONLY`, not the build's number
# The argument unions print under their names, not expanded into four-member Unions.
autodoc_type_aliases = {
    "FdArg": "FdArg",
    "PathArg": "PathArg",
    "FlagArg": "FlagArg",
    "Buffer": "Buffer",
}
autodoc_inherit_docstrings = False  # IntFlag/OSError subclasses: no stdlib docstrings repeated

napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# The conventions pages' examples are `.. doctest::` blocks, run against the real kernel by
# `sphinx-build -b doctest docs /tmp/docs-doctest`, each page in a fresh temporary directory.
# Only those blocks: `>>>` text in the package's docstrings is not run.
doctest_test_doctest_blocks = ""
doctest_global_setup = """
import os, tempfile
import linuxsys as L
_docs_cwd = os.getcwd()
_docs_tmp = tempfile.TemporaryDirectory()
os.chdir(_docs_tmp.name)
"""
doctest_global_cleanup = """
os.chdir(_docs_cwd)
_docs_tmp.cleanup()
"""


# Module-level data shows its name, type and docstring, not its value: values are the build's
# (SIGRTMIN, RLIM_INFINITY, this arch's SYS and not_implemented), and some are long.
def _setup_values() -> None:
    from sphinx.ext.autodoc import DataDocumenter

    DataDocumenter.should_suppress_value_header = lambda self: True  # type: ignore[method-assign]


def _napoleon_skips_attributes(app: Any) -> None:
    """napoleon reads an attribute's docstring as ``type: description`` (``SYS``'s "Syscall
    numbers of the arch ...: ``SYS.openat``" became a type); here the Google sections are for
    functions and classes, so attribute, data and property docstrings stay as written."""
    from sphinx.ext.napoleon import _process_docstring

    for listener in list(app.events.listeners["autodoc-process-docstring"]):
        if listener.handler is _process_docstring:
            app.disconnect(listener.id)

    def process(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
        if what not in ("attribute", "data", "property"):
            _process_docstring(app, what, name, obj, options, lines)

    app.connect("autodoc-process-docstring", process)


def setup(app: Any) -> None:
    _setup_values()
    app.setup_extension("sphinx.ext.napoleon")
    _napoleon_skips_attributes(app)
