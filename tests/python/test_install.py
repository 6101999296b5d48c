"""`pip install .` into a --system-site-packages venv, offline (--no-index: no package
index is reachable here): the installed copy carries the extension module, the type
stubs and py.typed, and the Sphinx extension with its stylesheet, and builds a page with
a diagram from outside the source tree."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(argv, **kw):
    res = subprocess.run(argv, capture_output=True, text=True, **kw)
    assert res.returncode == 0, "%s failed:\n%s%s" % (" ".join(argv), res.stdout[-3000:],
                                                    res.stderr[-3000:])
    return res


@pytest.mark.slow
def test_pip_install_offline_in_a_venv(tmp_path):
    venv = tmp_path / "venv"
    res = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip("no venv with pip here (Debian: apt-get install python3-venv): %s"
                    % res.stderr.strip()[-200:])
    # the sources as a release holds them: what git tracks of these (no build output, no
    # compiled module; csrc/engine/ is the build driver's source and stays)
    src = tmp_path / "src"
    files = subprocess.run(["git", "-C", REPO, "ls-files", "setup.py", "README.md", "csrc",
                            "sphinxext"], capture_output=True, text=True)
    if files.returncode != 0:
        pytest.skip("not a git checkout")
    for name in files.stdout.split():
        os.makedirs(str(src / os.path.dirname(name)), exist_ok=True)
        shutil.copy(os.path.join(REPO, name), str(src / name))
    py = str(venv / "bin" / "python")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    run([py, "-m", "pip", "install", "--no-index", "-q", str(src)], env=env, cwd=str(tmp_path))

    # the installed copy, not the source tree, from a directory outside both
    probe = textwrap.dedent("""
        import json, os, atmograph, atmograph._core, atmograph.sphinx
        d = os.path.dirname(atmograph.__file__)
        print(json.dumps({"dir": d, "files": sorted(os.listdir(d)),
                          "static": sorted(os.listdir(os.path.join(d, "static"))),
                          "stages": [s["name"] for s in atmograph.stages("FROM a AS b\\nFROM b AS c\\n")["stages"]]}))
    """)
    out = run([py, "-c", probe], env=env, cwd=str(tmp_path)).stdout
    import json
    info = json.loads(out.strip().splitlines()[-1])
    assert info["dir"].startswith(str(venv))
    assert {"py.typed", "__init__.pyi", "_core.pyi", "sphinx.py"} <= set(info["files"])
    assert any(f.startswith("_core.") and f.endswith(".so") for f in info["files"])
    assert info["static"] == ["atmograph.css", "atmograph.js"]
    assert info["stages"] == ["b", "c"]

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text('extensions = ["atmograph.sphinx"]\nproject = "x"\n')
    (docs / "Dockerfile").write_text("FROM debian:bookworm AS build\nRUN make\n"
                                     "FROM debian:bookworm\nCOPY --from=build /out /out\n")
    (docs / "index.rst").write_text("Title\n=====\n\n.. atmo-imagegraph:: Dockerfile\n"
                                    "   :include-source:\n")
    run([py, "-m", "sphinx", "-W", "-q", "-b", "html", str(docs), str(docs / "_build")],
        env=env, cwd=str(tmp_path))
    page = (docs / "_build" / "index.html").read_text()
    assert '<div class="atmograph-diagram"><svg' in page
    assert (docs / "_build" / "_static" / "atmograph.css").exists()


def _make(*args, **kw):
    return run(["make", "-C", REPO, "--no-print-directory", *args], **kw)


@pytest.mark.slow
def test_make_install_with_destdir_and_pkg_config(tmp_path):
    """`make install DESTDIR=... PREFIX=/usr/local` stages the program, the man page, the
    library and a pkg-config file for /usr/local; a program built against the staged
    copy (PKG_CONFIG_SYSROOT_DIR and PKG_CONFIG_PATH, as a packager does) runs."""
    if shutil.which("pkg-config") is None or shutil.which("cc") is None:
        pytest.skip("pkg-config or cc missing")
    dest = tmp_path / "dest"
    _make("install", "DESTDIR=%s" % dest, "PREFIX=/usr/local")
    usr = dest / "usr" / "local"
    assert os.access(str(usr / "bin" / "atmograph"), os.X_OK)
    man = (usr / "share" / "man" / "man1" / "atmograph.1").read_text()
    assert '\n.TH "ATMOGRAPH" "1" ' in man and "atmograph graph" in man
    pc = (usr / "lib" / "pkgconfig" / "atmograph.pc").read_text()
    assert "prefix=/usr/local\n" in pc and str(dest) not in pc

    prog = tmp_path / "hello.c"
    prog.write_text(textwrap.dedent("""
        #include <stdio.h>
        #include <string.h>
        #include <atmograph/atmograph.h>
        int main(void)
        {
            atmo_dockerfile *df = NULL;
            atmo_error err;
            const char *text = "FROM debian:bookworm AS base\\nRUN true\\n";
            atmo_error_clear(&err);
            if (atmo_dockerfile_parse(&df, text, strlen(text), "<hello>", &err) < 0)
                return 1;
            printf("atmograph %s\\n", atmo_version());
            atmo_dockerfile_free(df);
            return 0;
        }
    """))
    env = dict(os.environ, PKG_CONFIG_SYSROOT_DIR=str(dest),
               PKG_CONFIG_PATH=str(usr / "lib" / "pkgconfig"))
    flags = run(["pkg-config", "--cflags", "--libs", "atmograph"], env=env).stdout.split()
    assert "-I%s/usr/local/include" % dest in flags and "-latmograph" in flags
    exe = tmp_path / "hello"
    run(["cc", "-std=c11", "-Wall", "-Werror", "-o", str(exe), str(prog)] + flags, env=env)
    out = run([str(exe)], env=dict(os.environ, LD_LIBRARY_PATH=str(usr / "lib"))).stdout
    assert out.startswith("atmograph ")
    # the installed program runs too
    out = run([str(usr / "bin" / "atmograph"), "--version"]).stdout
    assert out == out.strip() + "\n" and out.startswith("atmograph ")


@pytest.mark.slow
def test_make_install_python_into_a_destdir(tmp_path):
    """`make install-python DESTDIR=... PREFIX=/usr/local` puts the package (extension
    module, Sphinx extension, stylesheet) where that prefix's interpreter looks."""
    dest = tmp_path / "dest"
    out = _make("install-python", "DESTDIR=%s" % dest, "PREFIX=/usr/local").stdout
    where = out.strip().splitlines()[-1].split(" in ", 1)[1]
    assert where.startswith(str(dest) + "/usr/local/lib/python3")
    env = dict(os.environ, PYTHONPATH=where)
    probe = ("import atmograph, atmograph.sphinx, os; print(atmograph.__file__); "
             "print(os.path.exists(os.path.join(os.path.dirname(atmograph.__file__), "
             "'static', 'atmograph.css')))")
    lines = run([sys.executable, "-c", probe], env=env, cwd=str(tmp_path)).stdout.split()
    assert lines[0].startswith(where) and lines[1] == "True"
