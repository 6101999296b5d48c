#!/usr/bin/env bash
# Every diagram of the built documentation in Chromium, as a 700 px column shows it:
# svgfit.mjs (copied from the project's ../shared/tools/svgfit) measures text outside its
# shape, overlapping labels, edges through labels and the smallest rendered text.
# Limits: 0 overflow, 0 overlap, 0 crossing; text >= 9 px, >= 6 px for stage detail with
# one node per instruction (class atmo-layers), >= 8 px for a family overview
# (atmo-overview). The diagrams are taken from the pages as they inline them (with the
# extension's width, max-width and min-width), by extract_diagrams.py.
#
# Env: DOC_HTML (default doc/build/html), BROWSER_OUT (default tests/out/browser; the SVGs
# and the report go to BROWSER_OUT/diagrams). Run by `make check-browser` after run.sh,
# which installs playwright-core; skipped (exit 0) like it when npm cannot install it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
DOC_HTML="${DOC_HTML:-$repo/doc/build/html}"
OUT="${BROWSER_OUT:-$repo/tests/out/browser}/diagrams"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PY="${PY:-/usr/bin/python3}"

if [ ! -f "$DOC_HTML/index.html" ]; then
  echo "check-diagrams: $DOC_HTML/index.html is missing: run 'make html' first" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  if ! (cd "$here" && timeout 600 npm ci --no-audit --no-fund --loglevel=error); then
    echo "check-diagrams: SKIPPED: npm could not install playwright-core"
    exit 0
  fi
fi
rm -rf "$OUT"
mkdir -p "$OUT"
"$PY" "$here/extract_diagrams.py" "$DOC_HTML" "$OUT/svg" > "$OUT/list.txt"
total=$(wc -l < "$OUT/list.txt")
if [ "$total" -eq 0 ]; then
  echo "check-diagrams: no diagram found in $DOC_HTML" >&2
  exit 1
fi
fail=0
: > "$OUT/report.jsonl"
cd "$here"
for min in 6 8 9; do
  mapfile -t files < <(awk -v m="$min" '$2 == m { print $1 }' "$OUT/list.txt")
  [ "${#files[@]}" -eq 0 ] && continue
  if ! node svgfit.mjs --width 700 --min-font "$min" --max-overflow 0 --max-overlap 0 \
      --max-crossing 0 "${files[@]}" >> "$OUT/report.jsonl"; then
    fail=1
  fi
done
# one line per diagram: what a reader sees, and what failed
"$PY" - "$OUT/report.jsonl" <<'PYEOF'
import json, os, sys
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    print("%-4s %-42s scale %.3f  text >= %5.2f px  overflow %d  overlap %d  crossing %d" % (
        "ok" if r["ok"] else "FAIL", os.path.basename(r["file"]), r["scale"], r["min_font_px"],
        len(r["overflow"]), len(r["overlap"]), len(r["crossing"])))
    for k in ("overflow", "overlap", "crossing"):
        for item in r[k][:5]:
            print("       %s: %s" % (k, item))
PYEOF
echo "check-diagrams: $total diagrams measured (report: $OUT/report.jsonl)"
exit $fail
