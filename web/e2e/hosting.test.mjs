// Publishing the site: every page runs under the strict CSP the site is served with (no
// violation, no console error), hashed files are cached for good and pages revalidated, the
// site works under a subpath, and an embed works inside a host page with a strict CSP of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, start, stop, watchErrors, OUT, DIST } from './harness.mjs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(async () => { await stop(server, browser); });

/** Opens `url`, keeps every response's headers, and returns the page with its error list. */
async function visit(url, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const errors = await watchErrors(page);
  const responses = new Map();
  page.on('response', (r) => responses.set(new URL(r.url()).pathname, r));
  const first = await page.goto(url);
  return { page, errors, responses, first };
}

// Each page, and what it must draw once it runs (so the parts whose sizes come from the run,
// drawn as SVG attributes rather than inline styles, are on screen when violations are counted).
const PAGES = [
  ['?speed=1&seed=2', 'svg.network g.node', async (page) => {
    await page.waitForSelector('.timeline .marker-leader', { timeout: 20000 });
  }],
  ['broadcast/?lab=broadcast', 'svg.network g.node'],
  ['paxos/?lab=paxos', 'svg.network g.node'],
  ['hashing/?lab=hashing', '[data-testid=loads] .meter rect'],
  ['balance/?lab=balance', '[data-testid=histogram] .meter rect', async (page) => {
    await page.waitForSelector('.uplot', { timeout: 10000 });
  }],
];

test('every page of the site runs under script-src self and style-src self, with no violation', async () => {
  for (const [path, drawn, act] of PAGES) {
    const { page, errors, responses, first } = await visit(server.url + path);
    await page.waitForSelector(drawn, { timeout: 15000, state: 'attached' });
    if (act) await act(page);
    await page.waitForTimeout(300);
    const csp = first.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'; style-src 'self';/, `${path}: CSP sent`);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(first.headers()['cache-control'], 'no-cache', `${path}: the page is revalidated`);
    const wasm = [...responses.entries()].find(([p]) => p.endsWith('_bg.wasm'));
    assert.ok(wasm, `${path}: a wasm file was fetched`);
    assert.equal(wasm[1].headers()['cache-control'], 'public, max-age=31536000, immutable', `${path}: wasm cached for good`);
    const boot = [...responses.keys()].find((p) => /\/boot-[0-9a-f]{16}\.js$/.test(p));
    assert.ok(boot, `${path}: the boot code is a file of its own`);
    assert.deepEqual(errors, [], `${path}: no CSP violation or console error`);
    if (path.startsWith('balance/')) {
      // The watch is real: an inline style attribute, as Yew's `style=` would set, is refused
      // and reported.
      await page.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
      await page.waitForTimeout(200);
      assert.ok(errors.some((e) => /CSP violation: style-src/.test(e)), errors.join('\n'));
    }
    await page.close();
  }
});

test('the embedding example page and its frames run under the same policy', async () => {
  const { page, errors, first } = await visit(server.url + 'embed-example.html');
  // Any page may frame the labs: the default policy names no frame-ancestors.
  assert.doesNotMatch(first.headers()['content-security-policy'], /frame-ancestors/);
  await page.waitForFunction(() => (window.events || []).filter((e) => e.type === 'ready').length >= 2, null, { timeout: 20000 });
  await page.click('#seek');
  await page.waitForTimeout(300);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the site works under a subpath, as on a shared host (/splitbrain/)', async () => {
  const sub = await serve(DIST, { prefix: '/splitbrain/' });
  try {
    const { page, errors } = await visit(sub.url);
    await page.waitForSelector('svg.network g.node');
    // A lab of another page: the root page sends the visitor to that page, still under the prefix.
    await page.goto(sub.url + '?lab=paxos&seed=2');
    await page.waitForURL(/\/splitbrain\/paxos\//, { timeout: 10000 });
    await page.waitForSelector('svg.network g.node');
    // The embed snippet finds the app beside itself.
    await page.goto(sub.url + 'embed-example.html');
    await page.waitForFunction(() => (window.events || []).some((e) => e.type === 'ready'), null, { timeout: 20000 });
    const frames = await page.$$eval('iframe', (fs) => fs.map((f) => f.src).filter(Boolean));
    assert.ok(frames.length >= 1 && frames.every((s) => s.includes('/splitbrain/')), frames.join(' '));
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await sub.close();
  }
});

test('an embed inside a host page with its own strict CSP (another origin) loads with no violation', async () => {
  const app = server.origin;
  const dir = await mkdtemp(join(tmpdir(), 'host-'));
  await writeFile(join(dir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8">
    <title>A docs page with a strict policy</title></head><body>
    <h1>Raft, embedded</h1>
    <script src="${app}/embed.js" data-lab="raft" data-seed="3" data-lazy="false"></script>
    <script src="host.js"></script></body></html>`);
  await writeFile(join(dir, 'favicon.ico'), '');
  await writeFile(join(dir, 'host.js'),
    "window.events = []; document.addEventListener('splitbrain', function (e) { window.events.push(e.detail); });\n");
  // What the README tells a host to add to its own policy: the app's origin for the snippet
  // and for the frame.
  const host = await serve(dir, { headers: {
    'content-security-policy': `default-src 'self'; script-src 'self' ${app}; frame-src ${app}; style-src 'self'`,
  } });
  try {
    const { page, errors } = await visit(host.url);
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'), null, { timeout: 20000 });
    await page.waitForFunction(() => window.events.some((e) => e.type === 'resize'), null, { timeout: 10000 });
    const height = await page.$eval('iframe', (f) => f.getBoundingClientRect().height);
    assert.ok(height > 200, `the frame sized itself: ${height}`);
    await page.screenshot({ path: OUT + 'host-strict-csp.png' });
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await host.close();
  }
});
