# make parity: agreement with BuildKit's own Dockerfile front end (issue 14).
#
# Builds the oracle (../shared/tools/bkref: BuildKit's parser, instruction layer and
# stage logic; build.sh installs Go from Debian when needed), generates $(PARITY_N)
# variants of BuildKit's Dockerfiles and test snippets and of our tests/data Dockerfiles
# with its mutate.py (seed $(PARITY_SEED)), compares every file with compare.py and
# prints the agreement (tests/parity/agreement.py). Not part of `make check`: it needs
# Go and ../shared.
#
#   make parity                         2000 variants, seed 1001
#   make parity PARITY_SEED=11 PARITY_N=5000

BKREF_DIR   ?= $(abspath ../shared/tools/bkref)
PARITY_DIR  := $(abspath $(BUILD))/parity
PARITY_N    ?= 2000
PARITY_SEED ?= 1001
PARITY_MIN  ?= 99.5
BKREF       := $(PARITY_DIR)/bkref/bkref

.PHONY: parity

$(BKREF): $(wildcard $(BKREF_DIR)/build.sh)
	@test -x $(BKREF_DIR)/build.sh || { echo "parity: $(BKREF_DIR) is missing"; exit 1; }
	@mkdir -p $(PARITY_DIR)
	OUT=$(PARITY_DIR)/bkref sh $(BKREF_DIR)/build.sh

parity: cli $(BKREF)
	@rm -rf $(PARITY_DIR)/own $(PARITY_DIR)/variants
	@mkdir -p $(PARITY_DIR)/own
	@# our own Dockerfiles as seeds, flattened (mutate.py reads one folder level)
	@find tests/data -type f -iname '*dockerfile*' | sort | while read -r f; do \
	  cp "$$f" "$(PARITY_DIR)/own/$$(echo "$$f" | tr / _)"; done
	$(PY) $(BKREF_DIR)/mutate.py -n $(PARITY_N) --seed $(PARITY_SEED) $(PARITY_DIR)/variants \
	  $(BKREF_DIR)/seeds/buildkit $(BKREF_DIR)/seeds/buildkit-tests $(PARITY_DIR)/own
	$(PY) $(BKREF_DIR)/compare.py --bkref $(BKREF) --atmograph $(CLI) --show 0 \
	  --out $(PARITY_DIR)/results.jsonl $(BKREF_DIR)/seeds/buildkit \
	  $(BKREF_DIR)/seeds/buildkit-tests $(BKREF_DIR)/repro $(PARITY_DIR)/variants >/dev/null
	$(PY) tests/parity/agreement.py --min-variants $(PARITY_MIN) $(PARITY_DIR)/results.jsonl
