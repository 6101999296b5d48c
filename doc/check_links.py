#!/usr/bin/python3
"""Check the internal links of a built HTML site, offline.

    check_links.py [--verbose] HTML_DIR

Every ``href``, ``src``, ``data`` (``<object>``) and ``xlink:href`` in the site's HTML
pages, and in the SVG files a page embeds as a document (``<object>``, ``<embed>``,
``<iframe>``: there the SVG's links are followed), that is not an external URL must name
a file inside HTML_DIR, and a ``#fragment`` must name an ``id`` (or ``<a name>``) in that
file. Links inside an embedded SVG resolve against the SVG file's own location, as a
browser resolves them. SVG files shown through ``<img>`` (whose links a browser ignores)
or not used at all are not checked. External links
(``http:``, ``https:``, ``mailto:``, ...) are counted and listed with ``--verbose``, never
fetched. Exit status: 0 when every internal link resolves, 1 otherwise, 2 on usage errors.
"""
import os
import posixpath
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {"href", "src", "data", "xlink:href", "poster"}
# Targets a page may use that are never files: the page itself, scripts, inline data.
SKIP_SCHEMES = {"javascript", "data", "about", "blob"}


class Collector(HTMLParser):
    """Collects the ids and the links of one HTML or SVG document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []  # (url, line)
        self.embeds = []  # documents embedded with <object data>, <embed src>, <iframe src>
        self.base = None

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def _tag(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif tag == "base" and name == "href":
                self.base = value
            elif name in LINK_ATTRS:
                if (tag, name) in (("object", "data"), ("embed", "src"), ("iframe", "src")):
                    self.embeds.append(value)
                # <link rel=preconnect> and the like name origins, not documents
                if tag == "link" and dict(attrs).get("rel") in ("preconnect", "dns-prefetch"):
                    continue
                self.links.append((value, line))


def parse(path):
    collector = Collector()
    with open(path, encoding="utf-8", errors="replace") as fh:
        collector.feed(fh.read())
    collector.close()
    return collector


def main(argv):
    verbose = "--verbose" in argv
    args = [a for a in argv if a != "--verbose"]
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    root = os.path.abspath(args[0])
    if not os.path.isfile(os.path.join(root, "index.html")):
        print("check_links: %s/index.html does not exist: build the docs first" % root,
              file=sys.stderr)
        return 2

    docs = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith((".html", ".svg")):
                path = os.path.join(dirpath, f)
                docs[os.path.relpath(path, root).replace(os.sep, "/")] = parse(path)

    # The SVG documents that pages embed: their links are live, the others' are not.
    live = {rel for rel in docs if rel.endswith(".html")}
    for rel in sorted(live):
        for url in docs[rel].embeds:
            parts = urlsplit(url)
            if not parts.scheme and not parts.netloc and parts.path:
                live.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel),
                                                           unquote(parts.path))))

    broken = []
    external = set()
    checked = 0
    for rel, doc in sorted(docs.items()):
        if rel not in live:
            continue
        for url, line in doc.links:
            url = url.strip()
            if not url:
                continue
            parts = urlsplit(url)
            if parts.scheme in SKIP_SCHEMES:
                continue
            if parts.scheme or parts.netloc:
                external.add(url)
                continue
            checked += 1
            if parts.path:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel),
                                                           unquote(parts.path)))
                if parts.path.endswith("/"):
                    target = posixpath.join(target, "index.html")
            else:
                target = rel
            if target.startswith("../") or target == "..":
                broken.append((rel, line, url, "points outside the site"))
                continue
            full = os.path.join(root, target)
            if os.path.isdir(full):
                target = posixpath.join(target, "index.html")
                full = os.path.join(root, target)
            if not os.path.isfile(full):
                broken.append((rel, line, url, "no file %s" % target))
                continue
            frag = unquote(parts.fragment)
            if frag:
                if target not in docs:
                    broken.append((rel, line, url, "%s cannot hold anchors" % target))
                elif frag not in docs[target].ids:
                    broken.append((rel, line, url, "no id %r in %s" % (frag, target)))

    for rel, line, url, why in broken:
        print("%s:%d: broken link %s: %s" % (rel, line, url, why))
    if verbose:
        for url in sorted(external):
            print("external (not checked): %s" % url)
    print("check_links: %d internal links in %d files, %d broken; %d external links not "
          "checked" % (checked, len([d for d in docs if d in live]), len(broken),
                       len(external)))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
