# atmograph: build, test, docs. `make html` is the main job, `make check` runs every test.
# Run as root on a fresh Debian/Ubuntu machine, both install the Debian packages they need.

PY       ?= /usr/bin/python3
CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
SANITIZE ?=
FUZZ_SECONDS ?= 60
export PY

# The one list of Debian packages atmograph needs to build, test and document itself.
DEB_PACKAGES := build-essential pkg-config git ca-certificates \
	libjansson-dev libarchive-dev libgraphviz-dev graphviz libssl-dev libzstd-dev zstd libisal-dev \
	libyaml-dev libcurl4-openssl-dev libpcre2-dev libcrypt-dev \
	libcmocka-dev clang libclang-rt-14-dev clang-format \
	python3-dev python3-setuptools python3-pytest python3-sphinx python3-venv \
	buildah debootstrap chromium fonts-dejavu-core \
	docker-registry skopeo apache2-utils openssl time
# Node.js and npm (for the browser test and the parser benchmark's peer) are taken from
# Debian only when no `npm` is on PATH already.
DEB_NODE := nodejs npm

# ISA-L inflates gzip layers about twice as fast as zlib (csrc/image/gzfast.c); it is in
# DEB_PACKAGES, and the build falls back to libarchive's zlib when it is absent.
# Recursive (=): looked up after `deps` has installed the packages, not when make starts.
HAVE_ISAL = $(shell pkg-config --exists libisal 2>/dev/null && echo 1)
PKGS       = jansson libarchive libcgraph libgvc libcrypto yaml-0.1 libcurl libpcre2-8 libcrypt $(if $(HAVE_ISAL),libisal)
ISAL_DEF   = $(if $(HAVE_ISAL),-DATMO_HAVE_ISAL)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
ifeq ($(SANITIZE),1)
  CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden \
	-Icsrc/include -Icsrc $(PKG_CFLAGS) $(ISAL_DEF)

LIB_MODULES := util hcl dockerfile graph image render sizes engine
LIB_SRC  := $(sort $(foreach m,$(LIB_MODULES),$(wildcard csrc/$(m)/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_SRC  := $(sort $(wildcard csrc/cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
C_TESTS  := $(patsubst tests/c/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/c/test_*.c)))
FUZZERS  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
BENCH_C  := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(sort $(wildcard tests/bench/*.c)))

STATIC   := $(BUILD)/libatmograph.a
SHARED   := $(BUILD)/libatmograph.so.0
CLI      := $(BUILD)/atmograph
PCFILE   := $(BUILD)/atmograph.pc

# Tests and fragments learn where things are from these.
export ATMOGRAPH_CLI   = $(abspath $(CLI))
export ATMOGRAPH_SHARED ?= $(abspath ../shared)
export ATMOGRAPH_BUILD = $(abspath $(BUILD))
export PYTHONPATH := $(abspath sphinxext)$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: all lib cli python deps check check-headers check-c check-python asan bench fuzz fuzz-smoke install install-python clean
all: lib cli python

# ---- dependencies --------------------------------------------------------
DEPS_STAMP := $(BUILD)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing $(DEB_NODE)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "atmograph: installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing || exit 1; \
	  else \
	    echo "atmograph: missing Debian packages; install them with:" >&2; \
	    echo "  sudo apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	fi
	@mkdir -p $(BUILD) && touch $@

# ---- library and program --------------------------------------------------
lib: $(STATIC) $(SHARED) $(PCFILE)
cli: $(CLI)

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libatmograph.so.0 $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
	ln -sf libatmograph.so.0 $(BUILD)/libatmograph.so

$(CLI): $(CLI_OBJ) $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(PKG_LIBS) -lpthread

$(PCFILE): Makefile
	@mkdir -p $(BUILD)
	@printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: atmograph\nDescription: Dockerfile and image graphs for documentation\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -latmograph\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' "$$(sed -n 's/#define ATMO_VERSION "\(.*\)"/\1/p' csrc/include/atmograph/common.h)" '$(PKGS)' > $@

# The Python extension, built in place so that PYTHONPATH=sphinxext is enough.
python: $(STATIC)
	@if [ -f setup.py ]; then ATMOGRAPH_STATIC_LIB=$(abspath $(STATIC)) $(PY) setup.py -q build_ext --inplace >/dev/null || exit 1; fi

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# Fragments owned by the docs, the images and the build driver (html, man, images, ...);
# included before `check` so that what they add to CHECK_EXTRA counts.
-include $(sort $(wildcard doc/*.mk images/*.mk tests/images/*.mk tests/python/*.mk tests/parity/*.mk tests/c/*.mk))

# ---- tests -------------------------------------------------------------------
$(BUILD)/tests/%: tests/c/%.c $(wildcard tests/c/*.h) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/c -fvisibility=default $(LDFLAGS) -o $@ $< $(STATIC) $(PKG_LIBS) -lcmocka -lpthread

check: all check-headers check-c check-python $(CHECK_EXTRA)
	@echo "atmograph: all checks passed"

# Every public header compiles alone, with strict flags, as C and as C++ would include it.
check-headers: | $(DEPS_STAMP)
	@for h in csrc/include/atmograph/*.h; do \
	  printf '#include "atmograph/%s"\nint main(void) { return 0; }\n' "$$(basename $$h)" | \
	  $(CC) -std=c11 -pedantic -Wall -Wextra -Werror -Icsrc/include $(PKG_CFLAGS) -x c -fsyntax-only - || { echo "header $$h does not stand alone"; exit 1; }; \
	done; echo "headers: $$(ls csrc/include/atmograph/*.h | wc -l) public headers compile alone"

check-c: $(C_TESTS)
	@fail=0; for t in $(C_TESTS); do \
	  echo "== $$t"; ATMOGRAPH_TEST_DATA=$(abspath tests/data) $$t || fail=1; \
	done; exit $$fail

check-python: all
	@if [ -d tests/python ] && ls tests/python/test_*.py >/dev/null 2>&1; then \
	  $(PY) -m pytest -q -p no:cacheprovider tests/python $(PYTEST_ARGS); \
	fi

# The same C tests and CLI tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 lib cli check-c
	ATMOGRAPH_CLI=$(abspath build-asan/atmograph) ASAN_OPTIONS=detect_leaks=1 \
	  $(PY) -m pytest -q -p no:cacheprovider -m cli tests/python

# ---- fuzzing (libFuzzer, clang) -------------------------------------------------
# The library is compiled once for every fuzzer (instrumented, not linked with
# libFuzzer's main); each fuzzer links it. `make fuzz-smoke` runs each a fixed number
# of times (CI), `make fuzz FUZZ_SECONDS=N` searches for longer.
FUZZ_SAN    = -fsanitize=address,undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 $(FUZZ_SAN) -Icsrc/include -Icsrc $(PKG_CFLAGS) $(ISAL_DEF)
FUZZ_OBJ    = $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_LIB    = $(BUILD)/fuzz/libatmograph-fuzz.a
FUZZ_SMOKE_RUNS ?= 20000
$(BUILD)/fuzz/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_LIB): $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lpthread
-include $(FUZZ_OBJ:.o=.d)
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  echo "== $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $(BUILD)/fuzz/corpus-$$n tests/fuzz/seeds/$$n || exit 1; \
	done
# The smoke pass is deterministic (a fixed seed and run count, a fresh corpus from the
# seeds): the same binary finds the same things on every machine, so CI does not turn
# red by chance; a longer search is `make fuzz`.
fuzz-smoke: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); c=$$(mktemp -d); \
	  echo "== $$n: $(FUZZ_SMOKE_RUNS) runs from its seeds (-seed=1)"; \
	  $$f -seed=1 -runs=$(FUZZ_SMOKE_RUNS) -max_len=65536 $$c tests/fuzz/seeds/$$n || { rm -rf $$c; exit 1; }; \
	  rm -rf $$c; \
	done

# ---- benchmarks ----------------------------------------------------------------
$(BUILD)/bench/%: tests/bench/%.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O2 -fvisibility=default -o $@ $< $(STATIC) $(PKG_LIBS) -lpthread
bench: all $(BENCH_C)
	@for b in $(sort $(wildcard tests/bench/bench_*.sh tests/bench/bench_*.py)); do \
	  echo "== $$b"; case $$b in *.py) $(PY) $$b;; *) bash $$b;; esac || exit 1; \
	done

# ---- install -------------------------------------------------------------------
# `make install [PREFIX=/usr/local] [DESTDIR=...]`: the program, the library (static and
# shared), its headers, a pkg-config file for PREFIX and the man page atmograph(1).
# `make install-python [PYPREFIX=...]`: the Python package (atmograph, atmograph.sphinx)
# with pip into PYPREFIX (default PREFIX), offline; without make: `pip install .`.
MANDIR   ?= $(PREFIX)/share/man
PYPREFIX ?= $(PREFIX)
MANPAGE  := $(DOC_BUILD)/man/atmograph.1

install: lib cli $(MANPAGE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/atmograph \
	  $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/atmograph
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libatmograph.so.0 $(DESTDIR)$(PREFIX)/lib/libatmograph.so
	install -m 644 csrc/include/atmograph/*.h $(DESTDIR)$(PREFIX)/include/atmograph/
	sed 's|^prefix=.*|prefix=$(PREFIX)|' $(PCFILE) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/atmograph.pc
	install -m 644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/atmograph.1

# the man page from the docs (doc/doc.mk's `man`), built once
$(MANPAGE): $(CLI) $(wildcard doc/source/manual/cli.rst doc/source/conf.py)
	$(MAKE) man

# PYDIR: the directory of PYPREFIX that the interpreter searches (Debian:
# /usr/local/lib/python3.X/dist-packages), else the standard site-packages of PYPREFIX.
# (pip's --prefix would add Debian's "local" once more: /usr/local/local/lib/...)
PYDIR ?= $(shell $(PY) -c 'import sys, sysconfig; p = "$(PYPREFIX)/lib/"; \
  print(next((d for d in sys.path if d.startswith(p) and d.endswith("-packages")), None) or \
  sysconfig.get_path("purelib", "posix_prefix", {"base": "$(PYPREFIX)", "platbase": "$(PYPREFIX)"}))')

# pip refuses to install into Debian's own interpreter, not into a directory of one's own
install-python: lib
	$(PY) -m pip install --no-index --no-deps --no-build-isolation --disable-pip-version-check \
	  --upgrade --target=$(DESTDIR)$(PYDIR) .
	@echo "atmograph: Python package in $(DESTDIR)$(PYDIR)"

clean:
	rm -rf build build-asan sphinxext/atmograph/_core*.so doc/build tests/out

