"""Sphinx configuration of atmograph's documentation.

Built by ``make html`` (see doc/doc.mk), which builds the library, the CLI and the
Python module first and sets PYTHONPATH=sphinxext, ATMOGRAPH_CLI and ATMOGRAPH_BUILD.
Nothing here reaches the network.
"""
import os
import sys

DOC_SOURCE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(DOC_SOURCE))

# The atmograph package (sphinxext/) when conf.py is used without the Makefile,
# and this project's own small extensions (_ext/).
sys.path.insert(0, os.path.join(REPO, "sphinxext"))
sys.path.insert(0, os.path.join(DOC_SOURCE, "_ext"))

project = "atmograph"
author = "the atmograph authors"
copyright = "2026, the atmograph authors"

def _version():
    """ATMO_VERSION from the C headers: one version for the library and its docs."""
    with open(os.path.join(REPO, "csrc", "include", "atmograph", "common.h")) as fh:
        for line in fh:
            if line.startswith("#define ATMO_VERSION "):
                return line.split('"')[1]
    return "0"


version = release = _version()

extensions = [
    "sphinx.ext.autodoc",
    "atmograph.sphinx",
    "atmo_cli",
    "atmo_reports",
    "atmo_directive_doc",
    "atmo_demo_images",
]

# ---- where the build reports are ------------------------------------------------
# `make images` and `make example-images` write the reports of real builds under the
# build directory (ATMOGRAPH_BUILD, default <repo>/build). The pages show measured sizes
# when a report exists and say that none was measured when it does not.
BUILD_DIR = os.environ.get("ATMOGRAPH_BUILD") or os.path.join(REPO, "build")
IMAGES_REPORT = os.environ.get("ATMOGRAPH_IMAGES_REPORT") or os.path.join(
    BUILD_DIR, "images", "report.json")
EXAMPLE_REPORT = os.environ.get("ATMOGRAPH_EXAMPLE_REPORT") or os.path.join(
    BUILD_DIR, "example-images", "report.json")

# The reports the pages name, for `atmo_reports` (tags and substitutions) and the directive.
atmo_reports = {
    "images": IMAGES_REPORT,
    "example": EXAMPLE_REPORT,
}
# The same reports for the diagrams' `:report: NAME`; while one is missing the diagram
# says how to make it (and the build passes with -W).
atmograph_build_reports = atmo_reports
atmograph_sizes_hint = {
    "images": "run make images",
    "example": "run make example-images",
}
# Captions and cluster titles name files from the repository root (images/nova/Dockerfile).
atmograph_project_root = REPO
atmograph_output_format = "svg"
atmograph_theme = "light"

# ---- the `atmograph` program used by atmo_cli --------------------------------------
atmo_cli_program = os.environ.get("ATMOGRAPH_CLI") or os.path.join(BUILD_DIR, "atmograph")
atmo_cli_cwd = REPO
# {build} in the commands and files the pages show: the build directory, as the
# repository-relative path a reader would type (build/ by default).
atmo_cli_substitutions = {
    "build": os.path.relpath(BUILD_DIR, REPO),
    "example_report": os.path.relpath(EXAMPLE_REPORT, REPO),
}

# ---- general ---------------------------------------------------------------------
root_doc = "index"
exclude_patterns = ["_build"]
templates_path = []
nitpicky = False
default_role = "code"
highlight_language = "none"
# Commands must copy-paste: smartquotes would turn "--print" in captions and prose
# into an en dash and "'" into a curly quote.
smartquotes = False
pygments_style = "sphinx"

autodoc_member_order = "bysource"
autodoc_typehints = "description"

# ---- HTML ------------------------------------------------------------------------
html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["atmograph-docs.css", "atmograph-code.css", "atmograph-gallery.css"]
html_js_files = ["atmograph-docs.js"]
html_title = "atmograph"
html_theme_options = {
    "description": "Keep container-image documentation true to its Dockerfiles",
    "fixed_sidebar": False,
    "page_width": "1240px",
    "body_max_width": "none",
    "sidebar_width": "230px",
    "show_relbars": True,
}
html_sidebars = {
    "**": ["about.html", "navigation.html", "relations.html", "searchbox.html"],
}
html_show_sourcelink = False

# ---- man page atmograph(1) -----------------------------------------------------------
man_pages = [
    ("manual/cli", "atmograph",
     "keep container-image documentation true to its Dockerfiles", [author], 1),
]
man_show_urls = False

# ---- linkcheck (external links are not checked: the build machine is offline) -------
linkcheck_ignore = [r"https?://.*"]
