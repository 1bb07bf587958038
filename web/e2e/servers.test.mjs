// The README's hosting recipes, run for real: nginx and Caddy serve dist/ with the recipe as the
// README prints it (only the port and the folder changed), and the site runs in Chromium under
// the headers they send, at the root of a host and under a subpath.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, watchErrors, DIST } from './harness.mjs';

const README = new URL('../../README.md', import.meta.url).pathname;

/** The README's code block that follows `<!-- recipe: name -->`. */
async function recipe(name) {
  const readme = await readFile(README, 'utf8');
  const at = readme.indexOf(`<!-- recipe: ${name} -->`);
  assert.ok(at >= 0, `README.md has the ${name} recipe`);
  return readme.slice(at).match(/```\w*\n([\s\S]*?)```/)[1];
}

/** A free loopback port. */
async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** Starts `program`, waits until `url` answers, and returns a stop function. */
async function start(program, args, env, url) {
  const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => child.on('exit', ok));
  for (let i = 0; ; i++) {
    const up = await fetch(url).then(() => true, () => false);
    if (up) break;
    const gone = await Promise.race([exited.then(() => true), new Promise((ok) => setTimeout(ok, 100, false))]);
    assert.ok(!gone && i < 100, `${program} did not start: ${stderr}`);
  }
  return async () => { child.kill('SIGTERM'); await exited; };
}

/** A folder whose `splitbrain/` is dist/: the site under a subpath of a host. */
async function hostWithSubpath() {
  const dir = await mkdtemp(join(tmpdir(), 'www-'));
  await symlink(DIST, join(dir, 'splitbrain'));
  return dir;
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Loads the root page and the Paxos page from `base` and checks what a browser is sent. */
async function checkSite(base) {
  const page = await browser.newPage();
  const errors = await watchErrors(page);
  const responses = new Map();
  page.on('response', (r) => responses.set(new URL(r.url()).pathname, r.headers()));
  const first = await page.goto(base + '?seed=2');
  await page.waitForSelector('svg.network g.node');
  await page.goto(base + 'paxos/?lab=paxos');
  await page.waitForSelector('svg.network g.node');
  const html = first.headers();
  assert.match(html['content-security-policy'], /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';/);
  assert.equal(html['cache-control'], 'no-cache');
  const wasm = [...responses].filter(([p]) => p.endsWith('_bg.wasm'));
  assert.equal(wasm.length, 2, 'two pages, two wasm files');
  for (const [p, h] of wasm) {
    assert.equal(h['content-type'], 'application/wasm', p);
    assert.equal(h['cache-control'], 'public, max-age=31536000, immutable', p);
  }
  assert.deepEqual(errors, []);
  await page.close();
}

test('the README\'s nginx recipe serves the site with its headers, at a root and under /splitbrain/', async () => {
  const port = await freePort();
  const dir = await hostWithSubpath();
  const site = (await recipe('nginx'))
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('root /srv/splitbrain;', `root ${dir};`);
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  await writeFile(join(dir, 'nginx.conf'), `${user}worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log stderr;
events {}\nhttp {\n  include /etc/nginx/mime.types;\n  access_log off;\n  client_body_temp_path ${dir}/body;\n${site}}\n`);
  const stop = await start(process.env.NGINX ?? '/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'], {}, `http://127.0.0.1:${port}/splitbrain/`);
  try {
    await checkSite(`http://127.0.0.1:${port}/splitbrain/`);
  } finally {
    await stop();
  }
});

test('the README\'s Caddy recipe serves the site with its headers', async () => {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'caddy-'));
  const site = (await recipe('caddy'))
    .replace(':8080 {', `http://127.0.0.1:${port} {\n\tbind 127.0.0.1`)
    .replace('root * /srv/splitbrain', `root * ${DIST}`);
  await writeFile(join(dir, 'Caddyfile'), `{\n\tadmin off\n\tauto_https off\n}\n${site}`);
  const home = { HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
  const stop = await start('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], home, `http://127.0.0.1:${port}/`);
  try {
    await checkSite(`http://127.0.0.1:${port}/`);
  } finally {
    await stop();
  }
});
