// Shared test harness: serves dist/ on a free loopback port and launches Debian's Chromium.
import { createServer } from 'node:http';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
};

export const DIST = resolve(new URL('../../dist', import.meta.url).pathname);

/** The headers in `<root>/_headers` (written by `cargo xtask dist` from the policy in
 * crates/xtask/src/headers.rs, in Netlify's and Cloudflare Pages' format) as [pattern, headers]
 * rules; a pattern is a path or `/*`. None when the folder has no such file. */
export async function readHeaders(root) {
  const text = await readFile(join(root, '_headers'), 'utf8').catch(() => null);
  if (text === null) return [];
  const rules = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) rules.push([line.trim(), {}]);
    else {
      const at = line.indexOf(':');
      rules.at(-1)[1][line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
  }
  return rules;
}

/** The headers the rules give URL path `path` (a folder's path means its index.html). */
export function headersFor(rules, path) {
  const file = path.endsWith('/') ? path + 'index.html' : path;
  const out = {};
  for (const [pattern, headers] of rules) {
    if (pattern === '/*' || pattern === file) Object.assign(out, headers);
  }
  return out;
}

/** Serves `root` on 127.0.0.1 at a free port; resolves to { url, close, served }. The site is
 * served with the headers of `<root>/_headers`, as a real host would send them: the CSP on
 * every response, immutable caching for content-hashed files. With `prefix` (`/splitbrain/`)
 * the site lives under that path, as on a shared host; `headers` adds headers to every
 * response (a host page's own CSP). `served()` counts the bytes sent so far. */
export async function serve(root = DIST, { prefix = '/', headers = {} } = {}) {
  let served = 0;
  const rules = await readHeaders(root);
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (!path.startsWith(prefix)) throw new Error('outside the prefix');
      path = '/' + path.slice(prefix.length);
      path = normalize(path).replace(/^(\.\.[/\\])+/, '');
      let file = join(root, path);
      if ((await stat(file).catch(() => null))?.isDirectory()) {
        // A folder without its slash: redirect, as static hosts do, so relative URLs resolve.
        if (!path.endsWith('/')) {
          res.writeHead(301, { location: prefix + path.slice(1) + '/' });
          res.end();
          return;
        }
        file = join(file, 'index.html');
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        ...headersFor(rules, path),
        ...headers,
      });
      served += body.length;
      res.end(body);
    } catch {
      res.writeHead(404); res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`, origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)), served: () => served,
  };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Collects console errors, page errors and CSP violations (of the page and its frames) into
 * the returned list. */
export async function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.exposeFunction('__splitbrainViolation', (v) => errors.push(`CSP violation: ${v}`)).catch(() => {});
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__splitbrainViolation?.(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile || location.href}:${e.lineNumber}`));
  });
  return errors;
}

/** Opens a page and collects console errors, page errors and CSP violations into `errors`. */
export async function open(browser, url, viewport = { width: 1200, height: 800 }, { firstVisit = false } = {}) {
  const page = await browser.newPage({ viewport });
  // A returning visitor, unless the test is about the first visit: the tour's first-visit offer
  // (a banner over the page) has its own tests.
  if (!firstVisit) await page.addInitScript(() => localStorage.setItem('splitbrain-tour-offer', 'dismissed'));
  const errors = await watchErrors(page);
  await page.goto(url);
  await page.waitForSelector('svg.network g.node');
  return { page, errors };
}

/** Where tests write screenshots. */
export const OUT = new URL('./out/', import.meta.url).pathname;

/** One server and one browser for a test file: `[server, browser] = await start()`. */
export async function start() {
  await mkdir(OUT, { recursive: true });
  return [await serve(), await launch()];
}

/** Closes what `start` opened. */
export async function stop(server, browser) {
  await browser?.close();
  await server?.close();
}

/** Opens `src` in a `width` x `height` iframe and checks that the play button and the top node
 * lie wholly inside it, with no sideways scroll; saves a screenshot as `shot`. */
export async function checkInFrame(browser, src, width, height, shot) {
  const page = await browser.newPage({ viewport: { width: width + 200, height: height + 200 } });
  await page.setContent(`<iframe src="${src}" width="${width}" height="${height}" style="border:0"></iframe>`);
  const frame = page.frameLocator('iframe');
  await frame.locator('svg.network g.node').first().waitFor();
  for (const [sel, what] of [['button.primary', 'play/pause'], ['svg.network g.node[data-node="0"]', 'the top node']]) {
    const box = await frame.locator(sel).first().boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 1 && box.y + box.height <= height + 1,
      `${what} inside the ${width}x${height} frame: ${JSON.stringify(box)}`);
  }
  const scroll = await page.frames()[1].evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `no horizontal scroll, got ${scroll}`);
  await page.screenshot({ path: OUT + shot });
  await page.close();
}
