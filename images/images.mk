# The project's own image family (images/docker-bake.json): `make images` builds it with
# `atmograph build` in dependency order and writes the build report that the
# Architecture > Images page draws its measured sizes from.
#
# The engine is `docker buildx build` (BuildKit) by default: nova's Dockerfile needs
# `ADD --keep-git-dir=true` (pbr reads nova's version from the git metadata), which
# buildah 1.28 lacks and atmograph cannot lower. ENGINE=buildah or ENGINE=podman with
# engines that have it.
#
# The builds fetch Debian packages, OpenStack's requirements and nova from the network
# (opendev.org, PyPI): `make images` is not part of `make check`, which builds the offline
# family of tests/images instead (`make example-images`).

IMAGES_BAKE    := images/docker-bake.json
IMAGES_OUT     ?= $(BUILD)/images
IMAGES_REPORT  := $(IMAGES_OUT)/report.json
IMAGES_TARGETS ?= nova
ENGINE         ?= docker
IMAGES_JOBS    ?= 1

.PHONY: images images-plan

# Every stage of every target is built on its own too (--stages), so the report holds
# the size and the packages of each stage, and what the build stages kept out of nova.
images: cli
	@mkdir -p $(IMAGES_OUT)
	$(CLI) build -f $(IMAGES_BAKE) --engine $(ENGINE) --stages -j $(IMAGES_JOBS) \
	  --out $(IMAGES_OUT) --report $(IMAGES_REPORT) $(IMAGES_TARGETS)
	@echo "atmograph: report in $(IMAGES_REPORT)"

# What `make images` would run, wave by wave, without running it.
images-plan: cli
	$(CLI) plan -f $(IMAGES_BAKE) --engine $(ENGINE) --stages --commands \
	  --work-dir $(IMAGES_OUT) $(IMAGES_TARGETS)
