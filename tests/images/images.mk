# tests/images: a small image family (base, builder, runtime, service) that builds with
# nothing but Debian's mirror: its base comes from debootstrap (make-base.sh), every
# image is built by `atmograph build` with buildah (vfs storage, chroot isolation).
#
#   make example-images   build the family (-j 2 --stages), report in $(EXAMPLE_REPORT)
#   make check-build      the integration test (run by `make check`)

EXAMPLE_DIR     := $(abspath $(BUILD))/example-images
EXAMPLE_REPORT  := $(EXAMPLE_DIR)/report.json
# buildah storage of the family, apart from the engine's default storage
EXAMPLE_STORAGE ?= /var/cache/atmograph/storage
EXAMPLE_BASE_CACHE ?= /var/cache/atmograph/base
export ATMOGRAPH_EXAMPLE_DIR = $(EXAMPLE_DIR)
export ATMOGRAPH_EXAMPLE_STORAGE = $(EXAMPLE_STORAGE)
export ATMOGRAPH_BASE_CACHE = $(EXAMPLE_BASE_CACHE)

.PHONY: example-base example-images check-build

example-base: $(DEPS_STAMP)
	ATMOGRAPH_STORAGE_ROOT=$(EXAMPLE_STORAGE) sh tests/images/make-base.sh

example-images: cli example-base
	@mkdir -p $(EXAMPLE_DIR)
	$(CLI) build -f tests/images/docker-bake.json -j 2 --stages --progress plain \
	  --storage-root $(EXAMPLE_STORAGE) --out $(EXAMPLE_DIR)/out --report $(EXAMPLE_REPORT)

check-build: cli
	ATMOGRAPH_INTEGRATION=1 $(PY) -m pytest -q -p no:cacheprovider tests/python/test_build_integration.py

CHECK_EXTRA += check-build
