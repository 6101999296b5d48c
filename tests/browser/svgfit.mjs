// Copied from the project's own tool ../shared/tools/svgfit (same licence as atmograph, MIT), so that
// the browser test does not need ../shared. Run by diagrams.sh with tests/browser/node_modules.
// svgfit: load SVG files in a real Chromium, as a page of the given width shows them
// (max-width: 100%), and measure what a reader sees. Prints one JSON object per file and a
// summary line; exits 1 when a limit is passed.
//   node svgfit.mjs [--width 700] [--min-font 8] [--max-overflow 0] [--max-overlap 0]
//                   [--max-crossing 0] [--dark] FILE.svg...
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const opt = { width: 700, "min-font": 8, "max-overflow": 0, "max-overlap": 0, "max-crossing": 0, dark: false };
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--dark") opt.dark = true;
  else if (a.startsWith("--")) opt[a.slice(2)] = Number(args[++i]);
  else files.push(a);
}
if (!files.length) { console.error("usage: svgfit.mjs [options] FILE.svg..."); process.exit(2); }

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: opt.width + 40, height: 900 }, colorScheme: opt.dark ? "dark" : "light" });
let failed = 0;
for (const f of files) {
  const svg = readFileSync(f, "utf8").replace(/^<\?xml[^>]*>/, "").replace(/<!DOCTYPE[^>]*>/, "");
  await page.setContent(`<!doctype html><html><body style="margin:20px;width:${opt.width}px">
    <div id="d" style="width:${opt.width}px">${svg}</div></body></html>`);
  const r = await page.evaluate(() => {
    const root = document.querySelector("#d svg");
    root.style.maxWidth = "100%"; root.style.height = "auto";
    const vb = root.viewBox && root.viewBox.baseVal && root.viewBox.baseVal.width ? root.viewBox.baseVal : root.getBBox();
    const scale = root.getBoundingClientRect().width / vb.width;
    const box = (el) => { const b = el.getBoundingClientRect(); return { x: b.left, y: b.top, w: b.width, h: b.height }; };
    const inside = (t, s, tol) => t.x >= s.x - tol && t.y >= s.y - tol && t.x + t.w <= s.x + s.w + tol && t.y + t.h <= s.y + s.h + tol;
    const overflow = [];
    for (const g of root.querySelectorAll("g.node, g.cluster")) {
      const shape = g.querySelector("polygon, rect, ellipse, path");
      if (!shape) continue;
      const s = box(shape);
      for (const t of g.querySelectorAll("text")) {
        const b = box(t);
        if (b.w && !inside(b, s, 1)) overflow.push(t.textContent.slice(0, 60));
      }
    }
    const texts = [...root.querySelectorAll("text")].map((t) => ({ t, b: box(t), g: t.closest("g") }));
    const overlap = [];
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].b, b = texts[j].b;
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x), oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ox > 1 && oy > 1 && texts[i].g !== texts[j].g) overlap.push([texts[i].t.textContent.slice(0, 40), texts[j].t.textContent.slice(0, 40)]);
    }
    const crossing = [];
    const m = root.getScreenCTM();
    for (const e of root.querySelectorAll("g.edge path")) {
      const own = e.closest("g.edge");
      const L = e.getTotalLength();
      const hit = new Set();
      for (let d = 0; d <= L; d += 2) {
        const p = e.getPointAtLength(d).matrixTransform(e.getScreenCTM());
        for (const x of texts) {
          if (x.g === own || own.contains(x.t)) continue;
          const b = x.b;
          if (p.x > b.x + 1 && p.x < b.x + b.w - 1 && p.y > b.y + 1 && p.y < b.y + b.h - 1) hit.add(x.t.textContent.slice(0, 40));
        }
      }
      for (const h of hit) crossing.push(h);
    }
    let minFont = Infinity;
    for (const x of texts) { const fs = parseFloat(getComputedStyle(x.t).fontSize); if (x.b.w) minFont = Math.min(minFont, fs * scale); }
    return { scale: +scale.toFixed(3), texts: texts.length, min_font_px: +minFont.toFixed(2), overflow, overlap, crossing };
  });
  const bad = r.overflow.length > opt["max-overflow"] || r.overlap.length > opt["max-overlap"] ||
    r.crossing.length > opt["max-crossing"] || r.min_font_px < opt["min-font"];
  if (bad) failed++;
  console.log(JSON.stringify({ file: f, ok: !bad, ...r }));
}
await browser.close();
console.log(`svgfit: ${files.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
