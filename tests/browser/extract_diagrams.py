#!/usr/bin/python3
"""Write every diagram of the built HTML docs to OUT/NAME.svg as the page inlines it, and
print one line per diagram: the file and the smallest legible font size (px) the browser
test asks of it: 6 for stage detail with one node per instruction (class atmo-layers),
8 for a family overview (atmo-overview), else 9.

usage: extract_diagrams.py DOC_HTML OUT
"""
import os
import re
import sys

SVG_RE = re.compile(r'<div class="atmograph-diagram[^"]*">.*?(<svg\b.*?</svg>)', re.S)


def min_font(svg):
    root = svg[:svg.find(">")]
    cls = re.search(r'\bclass="([^"]*)"', root)
    classes = cls.group(1).split() if cls else []
    if "atmo-layers" in classes:
        return 6
    if "atmo-overview" in classes:
        return 8
    return 9


def main():
    html_dir, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(html_dir):
        dirnames.sort()
        for fn in sorted(filenames):
            if not fn.endswith(".html"):
                continue
            path = os.path.join(dirpath, fn)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            rel = os.path.relpath(path, html_dir)[:-5].replace(os.sep, "-")
            for k, m in enumerate(SVG_RE.finditer(text)):
                name = os.path.join(out, "%s-%d.svg" % (rel, k + 1))
                with open(name, "w", encoding="utf-8") as f:
                    f.write(m.group(1))
                print("%s %d" % (name, min_font(m.group(1))))


main()
