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

/** Serves `root` on 127.0.0.1 at a free port; resolves to { url, close, served }. With
 * `cache`, content-hashed files (trunk's `name-<hash>.ext`) are sent as immutable, as a real
 * host would, so benchmarks see what a second page view fetches; `served()` counts the bytes
 * sent so far. */
export async function serve(root = DIST, { cache = false } = {}) {
  let served = 0;
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      path = normalize(path).replace(/^(\.\.[/\\])+/, '');
      let file = join(root, path);
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (cache && /-[0-9a-f]{12,}(_bg)?\.\w+$/.test(file)) headers['cache-control'] = 'public, max-age=31536000, immutable';
      res.writeHead(200, headers);
      served += body.length;
      res.end(body);
    } catch {
      res.writeHead(404); res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)), served: () => served };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Opens a page and collects console errors and page errors into `errors`. */
export async function open(browser, url, viewport = { width: 1200, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
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
