"""Sphinx configuration for imageshell's documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
# the tool reference, generated from the specs at build time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_ext"))

project = "imageshell"
author = "the imageshell developers"
copyright = "2026, the imageshell developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "imageshell_reference",
]
napoleon_numpy_docstring = True
napoleon_google_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# No network at build time: cross-references to nibabel/numpy stay plain text.
intersphinx_mapping = {}
nitpicky = False
html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["imageshell.css"]  # code blocks wrap rather than overflow
exclude_patterns = ["_build"]
