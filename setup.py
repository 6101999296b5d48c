"""Build the atmograph Python package and its C extension atmograph._core.

Two ways:
  * ``make python`` sets ATMOGRAPH_STATIC_LIB to the library archive built by make
    (compiled with -fPIC); the extension links the whole archive.
  * ``pip install .`` (no variable set) compiles the library sources
    csrc/{util,hcl,dockerfile,graph,image,render,sizes,build}/*.c into the extension.
C libraries (jansson, libarchive, Graphviz, libcrypto, PCRE2, libcrypt) come from pkg-config.
"""

import glob
import os
import re
import shlex
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
PKGS = ["jansson", "libarchive", "libcgraph", "libgvc", "libcrypto", "yaml-0.1", "libcurl", "libpcre2-8", "libcrypt"]
FALLBACK_LIBS = ["jansson", "archive", "gvc", "cgraph", "cdt", "crypto", "yaml", "curl", "pcre2-8", "crypt"]
DEFINES = []
# ISA-L for gzip layers (csrc/image/gzfast.c), as the Makefile: used when installed.
if subprocess.run(["pkg-config", "--exists", "libisal"], capture_output=True).returncode == 0:
    PKGS.append("libisal")
    DEFINES.append(("ATMO_HAVE_ISAL", None))
LIB_MODULES = ["util", "hcl", "dockerfile", "graph", "image", "render", "sizes", "build"]


def rel(*parts):
    return os.path.join(*parts)


def pkg_config():
    """Include dirs, library dirs and libraries from pkg-config (or plain names)."""
    try:
        out = subprocess.run(["pkg-config", "--cflags", "--libs"] + PKGS, check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ["/usr/include/graphviz"], [], FALLBACK_LIBS
    incs, libdirs, libs = [], [], []
    for tok in shlex.split(out):
        if tok.startswith("-I"):
            incs.append(tok[2:])
        elif tok.startswith("-L"):
            libdirs.append(tok[2:])
        elif tok.startswith("-l"):
            libs.append(tok[2:])
    return incs, libdirs, libs


def version():
    with open(os.path.join(HERE, "csrc", "include", "atmograph", "common.h")) as f:
        m = re.search(r'#define ATMO_VERSION "([^"]+)"', f.read())
    return m.group(1) if m else "0.0.0"


incs, libdirs, libs = pkg_config()
sources = sorted(glob.glob(rel("csrc", "python", "*.c")))
extra_objects = []
extra_link = ["-Wl,--exclude-libs,ALL"]
static = os.environ.get("ATMOGRAPH_STATIC_LIB")
depends = sorted(glob.glob(rel("csrc", "python", "*.h")) + glob.glob(rel("csrc", "python", "*.inc"))
                 + glob.glob(rel("csrc", "include", "atmograph", "*.h")))
if static:
    build_base = os.path.join(os.path.dirname(os.path.abspath(static)), "python-setup")
    # Given as an "object" so that it comes before the -l libraries on the link line.
    extra_objects = [static]
    depends.append(static)
else:
    build_base = os.path.join("build", "python-setup")
    for m in LIB_MODULES:
        sources += sorted(glob.glob(rel("csrc", m, "*.c")))

core = Extension(
    "atmograph._core",
    sources=sources,
    include_dirs=[rel("csrc", "include"), "csrc"] + incs,
    define_macros=DEFINES,
    library_dirs=libdirs,
    libraries=libs + ["pthread", "m"],
    extra_compile_args=["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Wno-unused-parameter",
                        "-Wno-missing-field-initializers", "-fvisibility=hidden"],
    extra_objects=extra_objects,
    extra_link_args=extra_link,
    depends=depends,
)

setup(
    name="atmograph",
    version=version(),
    description="Dockerfile stage graphs, image sizes and a Sphinx directive, over a C core",
    license="Apache-2.0",
    python_requires=">=3.9",
    package_dir={"": "sphinxext"},
    packages=["atmograph"],
    package_data={"atmograph": ["py.typed", "*.pyi", "static/*.css", "static/*.js"]},
    ext_modules=[core],
    zip_safe=False,
    # Keep setuptools' temporary files out of make's build/ (never share it).
    options={"build": {"build_base": build_base}},
)
