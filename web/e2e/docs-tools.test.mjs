// Embeds in real documentation tools: a book built here with mdBook (another origin) and a page
// that switches its theme the way Docusaurus does. The frame loads, its events arrive, and it
// follows the host's theme and its live switches. The snippets come from docs/embedding.md, the
// guide authors copy from.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, start, stop, watchErrors, OUT } from './harness.mjs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const exec = promisify(execFile);
const GUIDE = new URL('../../docs/embedding.md', import.meta.url).pathname;

let server, browser;
before(async () => { [server, browser] = await start(); });
after(async () => { await stop(server, browser); });

/** The guide's code block that follows `<!-- example: name -->`, with the published address
 * replaced by this test's server. */
async function example(name) {
  const guide = await readFile(GUIDE, 'utf8');
  const at = guide.indexOf(`<!-- example: ${name} -->`);
  assert.ok(at >= 0, `docs/embedding.md has the ${name} example`);
  const block = guide.slice(at).match(/```\w*\n([\s\S]*?)```/);
  return block[1].replaceAll('https://splitbrain.example.org/', server.url);
}

/** The theme the frame shows: its root's data-theme and the colour its text is painted (the
 * frame's background is the host page's, seen through). */
async function frameTheme(page) {
  const frame = page.frames().find((f) => f.url().includes('embed=1'));
  return frame.evaluate(() => ({
    attr: document.documentElement.getAttribute('data-theme'),
    ink: getComputedStyle(document.body).color,
  }));
}

const dark = (bg) => { const [r, g, b] = bg.match(/\d+/g).map(Number); return r + g + b < 200; };

test('a real mdBook book: the frame loads, sends events, and follows the book\'s theme switch', async () => {
  const book = await mkdtemp(join(tmpdir(), 'book-'));
  await mkdir(join(book, 'src'));
  await writeFile(join(book, 'book.toml'), '[book]\ntitle = "Distributed systems, live"\n');
  await writeFile(join(book, 'src/SUMMARY.md'), '# Summary\n\n- [Raft](raft.md)\n');
  await writeFile(join(book, 'src/raft.md'), `# Raft elections\n\nFive servers elect a leader.\n\n${await example('mdbook')}\n`);
  await exec('mdbook', ['build', '--dest-dir', 'out'], { cwd: book });
  const host = await serve(join(book, 'out'));
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = await watchErrors(page);
    await page.addInitScript(() => {
      window.events = [];
      document.addEventListener('splitbrain', (e) => window.events.push(e.detail));
    });
    await page.goto(host.url + 'raft.html');
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'), null, { timeout: 20000 });
    await page.waitForFunction(() => window.events.some((e) => e.type === 'state'), null, { timeout: 10000 });
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('light')), true);
    let t = await frameTheme(page);
    assert.equal(t.attr, 'light');
    assert.ok(dark(t.ink), `dark text in a light book: ${t.ink}`);
    // The reader picks Navy in the book's own theme menu.
    await pickTheme(page, 'navy');
    await expectTheme(page, 'dark');
    t = await frameTheme(page);
    assert.ok(!dark(t.ink), `light text in a navy book: ${t.ink}`);
    await page.screenshot({ path: OUT + 'mdbook-navy.png' });
    // And back to Rust, a light theme.
    await pickTheme(page, 'rust');
    await expectTheme(page, 'light');
    // On a phone: the book hides its sidebar at load, the theme stays Rust, the frame fits.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    await expectTheme(page, 'light');
    const frame = await (await page.$('iframe')).contentFrame();
    const scroll = await frame.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= 375, `no sideways scroll in the frame: ${scroll}`);
    await page.screenshot({ path: OUT + 'mdbook-rust-375.png' });
    // mdBook's own pages run inline scripts, so only the frame's errors count here.
    assert.deepEqual(errors.filter((e) => !/inline/.test(e)), []);
    await page.close();
  } finally {
    await host.close();
  }
});

/** Picks a theme in mdBook's own menu (the brush button), as a reader does. */
async function pickTheme(page, name) {
  const item = page.locator(`#mdbook-theme-${name}`);
  if (!(await item.isVisible())) await page.click('#mdbook-theme-toggle');
  await item.click();
  await page.waitForFunction((n) => document.documentElement.classList.contains(n), name);
}

/** Waits until the frame shows `theme`. */
async function expectTheme(page, theme) {
  const frame = await (await page.waitForSelector('iframe[src]')).contentFrame();
  await frame.waitForSelector('svg.network g.node', { timeout: 20000 });
  await frame.waitForFunction((want) => document.documentElement.getAttribute('data-theme') === want, theme, { timeout: 5000 });
}

test('a page that switches data-theme on <html>, as Docusaurus does, switches the frame', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'docusaurus-'));
  await writeFile(join(dir, 'index.html'), `<!doctype html><html lang="en" data-theme="dark"><head><meta charset="utf-8">
    <title>Docusaurus-like</title></head><body>
    <h1>Paxos</h1>
    ${await example('docusaurus')}
    <script src="${server.url}embed.js" async></script>
    </body></html>`);
  await writeFile(join(dir, 'favicon.ico'), '');
  const host = await serve(dir);
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const errors = await watchErrors(page);
    await page.goto(host.url);
    await page.waitForSelector('iframe');
    const frame = await (await page.$('iframe')).contentFrame();
    await frame.waitForSelector('svg.network g.node', { timeout: 20000 });
    await expectTheme(page, 'dark');
    // The reader flips the site's switch: Docusaurus sets data-theme on <html>.
    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
    await expectTheme(page, 'light');
    // A page that declares no theme any more: the frame follows the system's setting.
    await page.evaluate(() => document.documentElement.removeAttribute('data-theme'));
    await expectTheme(page, 'auto');
    // Tools with their own switch call Splitbrain.theme().
    await page.evaluate(() => window.Splitbrain.theme('dark'));
    await expectTheme(page, 'dark');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await host.close();
  }
});

test('an embed that names its theme keeps it whatever the host page does', async () => {
  const page = await browser.newPage();
  await page.goto(server.url + 'no-such-page');
  await page.setContent(`<html data-theme="dark"><body>
    <script src="${server.url}embed.js" data-lab="raft" data-theme="light" data-lazy="false"></script></body></html>`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForSelector('svg.network g.node', { timeout: 20000 });
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  await page.waitForTimeout(300);
  assert.equal(await frame.evaluate(() => document.documentElement.getAttribute('data-theme')), 'light');
  await page.close();
});
