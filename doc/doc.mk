# The documentation: `make html` (the main job), `make man`, `make linkcheck`,
# `make check-docs` and `make check-browser` (both run by `make check`).
#
# The docs are built with Debian's Sphinx (python3-sphinx, in DEB_PACKAGES) with -W: any
# warning fails the build. conf.py finds the program through ATMOGRAPH_CLI, the build
# reports under ATMOGRAPH_BUILD (build/images/report.json from `make images`,
# build/example-images/report.json from `make example-images`) and draws measured sizes
# where a report exists. Nothing reaches the network while the docs are built.

DOC_SRC     := doc/source
DOC_BUILD   ?= doc/build
SPHINX      = $(PY) -m sphinx
SPHINXOPTS  ?= -W --keep-going -q
DOC_DEPS    := $(sort $(wildcard $(DOC_SRC)/*.py $(DOC_SRC)/_ext/*.py))

# The offline example images are built before the browser test when their fragment is
# there, so that the measured example page shows the sizes of a real build.
DOC_EXAMPLE_IMAGES := $(if $(wildcard tests/images/*.mk),example-images)

BROWSER_DIR := tests/browser
BROWSER_OUT ?= tests/out/browser

.PHONY: html man linkcheck check-docs check-browser

DOC_HTML_BUILD = $(SPHINX) $(SPHINXOPTS) -b html -d $(DOC_BUILD)/doctrees $(DOC_SRC) $(DOC_BUILD)/html

html: all
	$(DOC_HTML_BUILD)
	@echo "atmograph: documentation in $(DOC_BUILD)/html/index.html"

man: all
	$(SPHINX) $(SPHINXOPTS) -b man -d $(DOC_BUILD)/doctrees-man $(DOC_SRC) $(DOC_BUILD)/man
	@test -s $(DOC_BUILD)/man/atmograph.1
	@echo "atmograph: man page in $(DOC_BUILD)/man/atmograph.1"

# Internal links only: every href and src of the built pages that points into the site
# must name a file that exists and, with a #fragment, an id in that file. External links
# are listed, not fetched (the build machine has no network).
linkcheck: html
	$(PY) doc/check_links.py $(DOC_BUILD)/html

check-docs: html man linkcheck
	$(PY) -m pytest -q -p no:cacheprovider doc/test_doc_tools.py
	@if command -v man >/dev/null 2>&1; then \
	  MANWIDTH=80 man -l $(DOC_BUILD)/man/atmograph.1 2>&1 >/dev/null | grep -v '^$$' && exit 1 || true; \
	fi
	@echo "atmograph: docs build with -W, man page and internal links OK"

# The built pages in headless Chromium (playwright-core from npm, Debian's chromium):
# docs.test.js (run.sh), then every diagram measured by svgfit (diagrams.sh).
# The example images are built first and the pages built again after them (Sphinx
# rereads only the pages whose report changed; `html` may have run earlier in the same
# `make check`, before the report existed).
check-browser: all $(DOC_EXAMPLE_IMAGES)
	$(DOC_HTML_BUILD)
	@DOC_HTML=$(abspath $(DOC_BUILD)/html) BROWSER_OUT=$(abspath $(BROWSER_OUT)) \
	  ATMOGRAPH_EXAMPLE_REPORT=$(abspath $(BUILD)/example-images/report.json) \
	  bash $(BROWSER_DIR)/run.sh
	@DOC_HTML=$(abspath $(DOC_BUILD)/html) BROWSER_OUT=$(abspath $(BROWSER_OUT)) \
	  bash $(BROWSER_DIR)/diagrams.sh

CHECK_EXTRA += check-docs check-browser

# The picture of README.md: the stage graph of the offline example's service image, drawn
# by the program itself. Run again after a change of the renderer and commit the result.
README_SVG := doc/readme-service.svg
.PHONY: readme-diagram
readme-diagram: cli
	$(CLI) graph tests/images/service/Dockerfile --layers --rankdir TB -o $(README_SVG)
