"""A real registry for the tests: Debian's docker-registry on a free localhost port.

Registry(tmp, auth=..., tls=...) writes a config (filesystem storage in a temporary
directory; optionally htpasswd basic auth, and TLS with a test CA and a server
certificate it signs, made at run time by `openssl req`), starts `docker-registry
serve`, waits until /v2/ answers, and pushes fixture archives with `skopeo copy`. FaultProxy is a small http.server
in front of it that fails on purpose (500 once, a dropped connection, a body cut
short, a redirect, a broken manifest, a corrupted blob).
"""
import base64
import http.client
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.request

import pytest

NEEDED = ("docker-registry", "skopeo")


def ensure_tools():
    """docker-registry and skopeo, installed from Debian when missing (as root);
    skips with the reason only when they cannot be installed."""
    missing = [t for t in NEEDED if not shutil.which(t)]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                        "docker-registry", "skopeo"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), timeout=600)
        missing = [t for t in NEEDED if not shutil.which(t)]
    if missing:
        pytest.skip("docker-registry/skopeo cannot be installed here (missing: %s); "
                    "they are in the Makefile's DEB_PACKAGES" % ", ".join(missing))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bcrypt_line(user, password):
    if shutil.which("htpasswd"):
        out = subprocess.run(["htpasswd", "-Bbn", user, password], check=True,
                             capture_output=True, text=True).stdout
        return out.strip() + "\n"
    import crypt  # noqa: deprecated, still in Debian 12's Python 3.11
    return "%s:%s\n" % (user, crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH)))


def make_cert(d):
    """A test CA and a server certificate it signs for localhost/127.0.0.1, made by
    `openssl req` at run time. Returns (server key, server certificate, CA certificate)."""
    ca_key, ca_crt = os.path.join(d, "ca.key"), os.path.join(d, "ca.crt")
    key, csr, crt = (os.path.join(d, n) for n in ("server.key", "server.csr", "server.crt"))
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")

    def ssl_(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True)
    ssl_("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", ca_key,
         "-out", ca_crt, "-subj", "/CN=atmograph test CA")
    ssl_("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/CN=localhost")
    ssl_("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
         "-days", "2", "-out", crt, "-extfile", ext)
    return key, crt, ca_crt


class Registry:
    def __init__(self, tmp, auth=None, tls=False):
        ensure_tools()
        self.dir = str(tmp)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.auth = auth
        self.ca = None
        cfg = ["version: 0.1", "log:", "  level: error", "  accesslog:", "    disabled: true",
               "storage:", "  filesystem:", "    rootdirectory: %s/data" % self.dir,
               "http:", "  addr: 127.0.0.1:%d" % self.port]
        if tls:
            key, crt, self.ca = make_cert(self.dir)
            cfg += ["  tls:", "    certificate: %s" % crt, "    key: %s" % key]
        if auth:
            hp = os.path.join(self.dir, "htpasswd")
            with open(hp, "w") as f:
                f.write(bcrypt_line(*auth))
            cfg += ["auth:", "  htpasswd:", "    realm: atmograph-test", "    path: %s" % hp]
        self.config = os.path.join(self.dir, "config.yml")
        with open(self.config, "w") as f:
            f.write("\n".join(cfg) + "\n")
        self.log = open(os.path.join(self.dir, "registry.log"), "wb")
        self.proc = subprocess.Popen(["docker-registry", "serve", self.config],
                                     stdout=self.log, stderr=self.log)
        self._wait()

    def _wait(self):
        scheme = "https" if self.ca else "http"
        ctx = ssl.create_default_context(cafile=self.ca) if self.ca else None
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("docker-registry exited: %s" %
                                   open(self.log.name).read()[-2000:])
            try:
                urllib.request.urlopen("%s://%s/v2/" % (scheme, self.host), timeout=2,
                                       context=ctx)
                return
            except urllib.error.HTTPError:
                return                      # 401: up, asking for credentials
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("docker-registry did not start")

    def push(self, src, repo_tag, all_images=False, fmt=None):
        """skopeo copy SRC (oci-archive:..., oci:DIR:ref) to this registry."""
        cmd = ["skopeo", "--insecure-policy", "copy", "-q"]
        if all_images:
            cmd.append("--all")
        if fmt:
            cmd += ["--format", fmt]
        else:
            cmd.append("--preserve-digests")   # uncompressed layers stay uncompressed
        if self.ca:
            certs = os.path.join(self.dir, "certs")
            os.makedirs(certs, exist_ok=True)
            shutil.copy(self.ca, os.path.join(certs, "ca.crt"))
            cmd += ["--dest-cert-dir", certs]
        else:
            cmd.append("--dest-tls-verify=false")
        if self.auth:
            cmd += ["--dest-creds", "%s:%s" % self.auth]
        cmd += [src, "docker://%s/%s" % (self.host, repo_tag)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        return "docker://%s/%s" % (self.host, repo_tag)

    def auth_file(self, path, password=None):
        user, pw = self.auth
        tok = base64.b64encode(("%s:%s" % (user, password or pw)).encode()).decode()
        with open(path, "w") as f:
            json.dump({"auths": {self.host: {"auth": tok}}}, f)
        return path

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class FaultProxy:
    """Plain-HTTP proxy to a registry that misbehaves as told: faults is a list of
    (kind, predicate on the path) used once each, in order of arrival.
    kinds: "500", "429" (with Retry-After: 1), "drop" (close without an answer), "cut" (half the body, then close),
    "redirect" (307 to the registry itself), "badjson" (a broken manifest body),
    "corrupt" (one byte of the body flipped)."""

    def __init__(self, upstream_port, bind="127.0.0.1"):
        self.upstream = upstream_port
        self.faults = []
        self.seen = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                proxy.handle(self)

            def do_HEAD(self):
                proxy.handle(self)

        self.server = http.server.ThreadingHTTPServer((bind, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.host = "%s:%d" % (bind, self.port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take(self, path):
        with self.lock:
            self.seen.append(path)
            for i, (kind, pred) in enumerate(self.faults):
                if pred(path):
                    del self.faults[i]
                    return kind
        return None

    def handle(self, h):
        kind = self.take(h.path)
        if kind == "drop":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind in ("500", "429"):
            body = b'{"errors":[{"code":"UNKNOWN","message":"injected"}]}'
            h.send_response(int(kind))
            if kind == "429":
                h.send_header("Retry-After", "1")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return
        if kind == "redirect":
            h.send_response(307)
            h.send_header("Location", "http://127.0.0.1:%d%s" % (self.upstream, h.path))
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=30)
        headers = {k: v for k, v in h.headers.items()
                   if k.lower() in ("accept", "authorization", "range")}
        conn.request(h.command, h.path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        if kind == "badjson":
            body = b'{"schemaVersion": 2,\n  "config": {"digest": }\n}'
        if kind == "corrupt" and body:
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
        h.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command == "HEAD":
            return
        if kind == "cut":
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        h.wfile.write(body)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
