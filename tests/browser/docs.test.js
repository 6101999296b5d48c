// The built documentation in a real browser: Debian's Chromium driven by playwright-core.
//
// Serves DOC_HTML on 127.0.0.1 (a free port), opens the pages a reader opens and checks
// what a reader sees: the diagrams are there with the expected stage and image nodes, a
// click on a stage lands on that stage's source, the measured example page shows the
// sizes of the build report (when `make example-images` wrote one), nothing is logged as
// an error, and the diagram stays legible in a dark colour scheme. Screenshots go to
// BROWSER_OUT. Run by tests/browser/run.sh (`make check-browser`).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const DOC_HTML = path.resolve(process.env.DOC_HTML || path.join(__dirname, '../../doc/build/html'));
const OUT = path.resolve(process.env.BROWSER_OUT || path.join(__dirname, '../out/browser'));
const REPORT = process.env.ATMOGRAPH_EXAMPLE_REPORT ||
  path.join(__dirname, '../../build/example-images/report.json');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif',
  '.ico': 'image/x-icon', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.pdf': 'application/pdf',
};

// A static file server for the built site, confined to DOC_HTML, on a free port.
function serve(root) {
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch (e) {
      res.writeHead(400).end();
      return;
    }
    let file = path.normalize(path.join(root, rel));
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server;
let base;
let context;
let userDataDir;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  server = await serve(DOC_HTML);
  base = `http://127.0.0.1:${server.address().port}/`;
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atmograph-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // The site must not need the network: any request that leaves 127.0.0.1 fails the page.
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
});

after(async () => {
  if (context) await context.close();
  if (server) server.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

// Opens a page and records every error it logs or throws, and every failed request.
async function open(rel, { colorScheme = 'light' } = {}) {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme });
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} ${req.failure() && req.failure().errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  const response = await page.goto(base + rel, { waitUntil: 'load' });
  assert.equal(response.status(), 200, `${rel} answers 200`);
  return { page, errors };
}

// The diagrams of a page: each is an inline <svg> or an <object>/<iframe> holding one.
// Returns [{ scope, root }] where scope is a Page or Frame and root the <svg> handle.
async function diagrams(page) {
  const found = [];
  for (const handle of await page.$$('svg')) {
    if (await handle.$('.atmo-stage')) found.push({ scope: page, root: handle, embedded: null });
  }
  for (const el of await page.$$('object, iframe, embed')) {
    const frame = await el.contentFrame();
    if (!frame) continue;
    await frame.waitForLoadState('load');
    const root = await frame.$('svg');
    if (root && await root.$('.atmo-stage')) found.push({ scope: frame, root, embedded: el });
  }
  return found;
}

// What every node of a diagram shows: id, classes, text, link.
async function nodesOf(root) {
  return root.$$eval('g.node, .atmo-stage, .atmo-target, .atmo-external, .atmo-context', (els) => {
    const seen = new Set();
    const out = [];
    for (const el of els) {
      if (seen.has(el)) continue;
      seen.add(el);
      const a = el.closest('a') || el.querySelector('a');
      const title = el.querySelector('title');
      out.push({
        id: el.id || '',
        classes: (el.getAttribute('class') || '').split(/\s+/).filter(Boolean),
        title: title ? title.textContent.trim() : '',
        text: Array.from(el.querySelectorAll('text')).map((t) => t.textContent.trim()).join(' '),
        href: a ? (a.getAttribute('href') || a.getAttribute('xlink:href') || '') : '',
        visible: el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0,
      });
    }
    return out;
  });
}

function hasClass(node, cls) {
  return node.classes.includes(cls);
}

// A stage node by its stable id "<image>-stage-<name>" (the SVG id, after the per-diagram
// prefix the extension adds, is "...atmo-node-<image>-stage-<name>").
function findStage(nodes, key) {
  return nodes.find((n) => hasClass(n, 'atmo-stage') && n.id.endsWith(`atmo-node-${key}`));
}

function formatThousands(n) {
  return Number(n).toLocaleString('en-US');
}

test('Architecture > Images: the family diagram, its nodes, a click lands on the source', async () => {
  const { page, errors } = await open('architecture/images.html');
  const found = await diagrams(page);
  assert.ok(found.length >= 2, `the page has the family and the service diagrams (found ${found.length})`);
  const family = found[0];
  assert.ok(await family.root.isVisible(), 'the family diagram is visible');
  const box = await (family.embedded || family.root).boundingBox();
  assert.ok(box && box.width > 200 && box.height > 50, `the family diagram has a real size (${JSON.stringify(box)})`);

  const nodes = await nodesOf(family.root);
  for (const name of ['debian-stage-debian', 'python-base-stage-python-base',
    'openstack-venv-builder-stage-openstack-venv-builder',
    'openstack-python-runtime-stage-openstack-python-runtime', 'nova-stage-build', 'nova-stage-runtime']) {
    const stage = findStage(nodes, name);
    assert.ok(stage, `stage node '${name}' is drawn (nodes: ${nodes.map((n) => n.title || n.id).join(', ')})`);
    assert.ok(stage.visible, `stage node '${name}' is visible`);
    assert.match(stage.id, /atmo-node-[a-z0-9-]+$/, `stage node '${name}' has a stable id (${stage.id})`);
  }
  assert.ok(nodes.some((n) => hasClass(n, 'atmo-target')), 'the final stage is marked as the target');
  // one cluster per image of the bake file
  const clusters = await family.root.$$eval('g.cluster.atmo-image', (els) => els.map((e) => e.id));
  for (const image of ['debian', 'python-base', 'openstack-venv-builder', 'openstack-python-runtime', 'nova']) {
    assert.ok(clusters.some((id) => id.endsWith(`atmo-image-${image}`)),
      `image ${image} is drawn as a cluster (${clusters.join(', ')})`);
  }
  const external = nodes.filter((n) => hasClass(n, 'atmo-external'));
  assert.ok(external.some((n) => /debian/.test(n.text + n.title)),
    `the distro's upstream image is drawn as an external image (${external.map((n) => n.text).join(', ')})`);

  // A click on nova's build stage lands on its source block in the page.
  const build = findStage(nodes, 'nova-stage-build');
  assert.ok(hasClass(build, 'atmo-build-only'), 'nova\'s build stage is drawn as build only');
  assert.ok(hasClass(findStage(nodes, 'nova-stage-runtime'), 'atmo-target'), 'nova\'s runtime is the target');
  assert.ok(build.href.includes('#'), `the build stage links to its source (${build.href})`);
  const anchor = decodeURIComponent(build.href.slice(build.href.indexOf('#') + 1));
  await family.scope.click(`[id="${build.id}"]`);
  await page.waitForFunction((a) => window.location.hash === `#${a}`, anchor, { timeout: 5000 });
  assert.equal(new URL(page.url()).pathname, '/architecture/images.html', 'the click stays on the page');
  const target = page.locator(`[id="${anchor}"]`);
  assert.equal(await target.count(), 1, `exactly one element has id ${anchor}`);
  await page.waitForFunction((a) => {
    const r = document.getElementById(a).getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight;
  }, anchor, { timeout: 5000 });
  const text = await target.evaluate((el) => (el.closest('div, section, pre') || el).textContent);
  assert.match(text, /FROM\s+openstack-venv-builder\s+AS\s+build/i, 'the anchor is the source of the build stage');
  await page.screenshot({ path: path.join(OUT, 'architecture-images-source.png') });

  await page.evaluate(() => window.scrollTo(0, 0));
  await (family.embedded || family.root).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT, 'architecture-images.png'), fullPage: true });
  assert.deepEqual(errors, [], 'the page logs no error');
  await page.close();
});

test('the measured example page shows the sizes of the build report', async () => {
  const { page, errors } = await open('examples/measured.html');
  const found = await diagrams(page);
  assert.ok(found.length >= 1, 'the example page has a diagram');
  assert.ok(await found[0].root.isVisible(), 'the example diagram is visible');
  const body = await page.locator('div.body, [role="main"]').first().innerText();
  if (fs.existsSync(REPORT)) {
    const report = JSON.parse(fs.readFileSync(REPORT, 'utf8'));
    assert.equal(report.schema, 'atmograph.build-report/1');
    let checked = 0;
    for (const [name, info] of Object.entries(report.targets)) {
      if (!info.size || typeof info.size.bytes !== 'number') continue;
      assert.ok(body.includes(formatThousands(info.size.bytes)),
        `target ${name}: its size ${info.size.bytes} from the report is on the page`);
      checked++;
      for (const [stage, st] of Object.entries(info.stages || {})) {
        if (st && typeof st.own_bytes === 'number') {
          assert.ok(body.includes(formatThousands(st.own_bytes)),
            `target ${name}, stage ${stage}: its own bytes ${st.own_bytes} are on the page`);
        }
      }
      for (const pkg of (info.kept_out && info.kept_out.packages) || []) {
        assert.ok(body.includes(pkg), `target ${name}: kept-out package ${pkg} is listed`);
      }
    }
    assert.ok(checked > 0, `the report ${REPORT} has sized targets`);
    // the diagram carries sizes too: the final stage's node shows a size
    const nodes = await nodesOf(found[0].root);
    const sized = nodes.filter((n) => hasClass(n, 'atmo-stage') && /\d(\.\d+)? ?[kMGT]?i?B\b/.test(n.text));
    assert.ok(sized.length > 0, `stage nodes of the diagram show measured sizes (${nodes.map((n) => n.text).join(' | ')})`);
  } else {
    console.log(`# no build report at ${REPORT}: sizes not checked ('make example-images' writes it)`);
    assert.match(body, /No sizes yet: these pages were built before the images were/, 'the page says that nothing was measured');
    assert.ok(!body.includes('Sizes not measured yet'), 'one note, not the diagram\'s too');
  }
  await page.screenshot({ path: path.join(OUT, 'example-measured.png'), fullPage: true });
  assert.deepEqual(errors, [], 'the page logs no error');
  await page.close();
});

// Contrast of every text of a diagram against what is drawn behind it (WCAG formula).
async function textContrast(scope, root) {
  return root.evaluate((svg) => {
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c || '');
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const backgroundAt = (x, y, self) => {
      for (const el of document.elementsFromPoint(x, y)) {
        if (el === self || self.contains(el) || el.tagName.toLowerCase() === 'text') continue;
        const cs = getComputedStyle(el);
        const isShape = ['polygon', 'path', 'ellipse', 'rect', 'circle', 'polyline'].includes(el.tagName.toLowerCase());
        const c = parse(isShape ? cs.fill : cs.backgroundColor);
        if (c && c.a > 0.5 && (!isShape || cs.fill !== 'none')) return { color: c, by: el.tagName };
      }
      return null;
    };
    const results = [];
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (!r.width || !t.textContent.trim()) continue;
      const fg = parse(getComputedStyle(t).fill);
      const bg = backgroundAt(r.left + r.width / 2, r.top + r.height / 2, t);
      const node = t.closest('g.node, g.cluster');
      results.push({ text: t.textContent.trim(), fg, bg: bg && bg.color, by: bg && bg.by,
        ratio: fg && bg ? ratio(fg, bg.color) : null,
        unused: !!(node && node.classList.contains('atmo-unused')) });
    }
    return results;
  });
}

test('the directive reference in a dark colour scheme: the diagram stays legible', async () => {
  const { page, errors } = await open('manual/directive.html', { colorScheme: 'dark' });
  const pageBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = pageBg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 3 * 80, `the page follows the dark colour scheme (body background ${pageBg})`);
  const found = await diagrams(page);
  assert.ok(found.length >= 1, 'the directive reference has rendered examples');
  const first = found[0];
  await (first.embedded || first.root).scrollIntoViewIfNeeded();
  assert.ok(await first.root.isVisible(), 'the first example diagram is visible');
  const nodes = await nodesOf(first.root);
  assert.ok(nodes.some((n) => hasClass(n, 'atmo-stage') && n.visible), 'it has visible stage nodes');
  // The labels are parts of a graphic: WCAG's 3:1 for graphical objects (1.4.11). The
  // labels of unused stages are greyed out on purpose, like inactive controls (which WCAG
  // exempts), and must still reach 2.5:1.
  let measured = 0;
  for (const d of found) {
    await (d.embedded || d.root).scrollIntoViewIfNeeded();
    for (const r of await textContrast(d.scope, d.root)) {
      if (r.ratio === null) continue;
      measured++;
      const min = r.unused ? 2.5 : 3;
      assert.ok(r.ratio >= min, `text '${r.text}' contrasts with its background ` +
        `(${JSON.stringify(r.fg)} on ${JSON.stringify(r.bg)} by ${r.by}: ratio ${r.ratio.toFixed(2)} < ${min}; page ${pageBg})`);
    }
  }
  assert.ok(measured > 0, 'the contrast of some diagram text was measured');
  await (first.embedded || first.root).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT, 'directive-dark.png') });
  assert.deepEqual(errors, [], 'the page logs no error');
  await page.close();
});

test('every page of the site loads without errors', async () => {
  const pages = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('_')) walk(p);
      } else if (e.name.endsWith('.html')) pages.push(path.relative(DOC_HTML, p));
    }
  };
  walk(DOC_HTML);
  assert.ok(pages.length >= 10, `the site has its pages (${pages.length})`);
  const failures = [];
  for (const rel of pages.sort()) {
    const { page, errors } = await open(rel.split(path.sep).join('/'));
    if (errors.length) failures.push(`${rel}: ${errors.join('; ')}`);
    await page.close();
  }
  assert.deepEqual(failures, [], 'no page logs an error');
});
