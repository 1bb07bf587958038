// Embedding: the snippet, embed mode and the postMessage schema, as a documentation page uses
// them. Run by `cargo xtask test` after the site is built (embed.js and embed-example.html are
// copied beside the root page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, stop, OUT, checkInFrame } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

/** A page that records console errors and the embed warnings of every frame. */
async function host(url, viewport = { width: 900, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning' && m.text().startsWith('splitbrain embed:')) warnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  if (url.startsWith('<')) await page.setContent(url);
  else await page.goto(url);
  return { page, errors, warnings };
}

/** Events one embed sent to the example page so far. */
const eventsOf = (page, id) => page.evaluate((id) => window.events.filter((e) => e.id === id), id);
const waitEvent = (page, id, type, timeout = 30000) => page.waitForFunction(([id, type]) =>
  window.events.some((e) => e.id === id && e.type === type), [id, type], { timeout });
/** The newest state event of an embed, after asking for a fresh one. */
async function stateOf(page, id) {
  const n = await page.evaluate((id) => window.events.filter((e) => e.id === id && e.type === 'state').length, id);
  await page.evaluate((id) => Splitbrain.player(`[data-splitbrain-id="${id}"]`).getState(), id);
  await page.waitForFunction(([id, n]) => window.events.filter((e) => e.id === id && e.type === 'state').length > n, [id, n]);
  return page.evaluate((id) => window.events.filter((e) => e.id === id && e.type === 'state').pop(), id);
}
const frameOf = (page, id) => page.frameLocator(`[data-splitbrain-id="${id}"] iframe`);

test('the example page: four live embeds, lazily loaded, sized to their content, no console errors', async () => {
  const { page, errors } = await host(server.url + 'embed-example.html', { width: 900, height: 700 });
  // Only the embeds near the viewport load at first.
  await frameOf(page, 'election').locator('svg.network g.node').first().waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-splitbrain-id="paxos"] iframe').getAttribute('src'), null,
    'the Paxos embed, far below, is not loaded yet');
  await page.locator('[data-splitbrain-id="paxos"]').scrollIntoViewIfNeeded();
  await frameOf(page, 'paxos').locator('svg.network g.node').first().waitFor({ timeout: 20000 });
  for (const [id, lab] of [['election', 'raft'], ['partition', 'raft'], ['hashing', 'hashing'], ['paxos', 'paxos']]) {
    await page.locator(`[data-splitbrain-id="${id}"]`).scrollIntoViewIfNeeded();
    const frame = frameOf(page, id);
    await frame.locator(`.shell.embed[data-lab="${lab}"] svg.network g.node`).first().waitFor({ timeout: 20000 });
    assert.equal(await frame.locator('header.bar').count(), 0, `${id}: no site chrome`);
    assert.ok(await frame.locator('a.open-full').getAttribute('href'), `${id}: an open-in-Splitbrain link`);
    const title = await page.locator(`[data-splitbrain-id="${id}"] iframe`).getAttribute('title');
    assert.match(title, new RegExp(lab), `${id}: the frame has a title for screen readers`);
  }
  // Each frame is as tall as its content (the snippet starts them at 480 px).
  await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => {
    const inner = f.contentDocument?.documentElement;
    return inner && Math.abs(f.getBoundingClientRect().height - inner.getBoundingClientRect().height) <= 2;
  }), null, { timeout: 10000 });
  assert.equal(await frameOf(page, 'paxos').locator('html').getAttribute('data-theme'), 'dark');
  // The lab panels offer only what the embed allows: the hashing embed may send requests
  // (add a server) but not change settings or crash servers; the Paxos embed, neither.
  const hashing = frameOf(page, 'hashing');
  assert.ok(await hashing.getByTestId('add-server').isVisible());
  assert.equal(await hashing.getByTestId('algorithm').isVisible(), false);
  assert.equal(await hashing.getByTestId('crash-1').isVisible(), false);
  assert.equal(await frameOf(page, 'paxos').getByLabel('protocol').isVisible(), false);
  await page.locator('[data-splitbrain-id="election"]').scrollIntoViewIfNeeded();
  // Something to see: the first leader with its heartbeats on the way.
  await waitEvent(page, 'election', 'leader-elected');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: OUT + 'embed-example.png' });
  await page.screenshot({ path: OUT + 'embed-example-full.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('events arrive in order: ready, then state, then the Raft embed\'s leader-elected', async () => {
  const { page, errors } = await host(server.url + 'embed-example.html', { width: 900, height: 2400 });
  await waitEvent(page, 'election', 'leader-elected');
  const events = await eventsOf(page, 'election');
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'ready', types.join(' '));
  assert.ok(types.indexOf('state') > 0 && types.indexOf('state') < types.indexOf('leader-elected'), types.join(' '));
  const ready = events[0];
  assert.equal(ready.splitbrain, 1);
  assert.equal(ready.lab, 'raft');
  assert.equal(ready.seed, 3);
  const elected = events.find((e) => e.type === 'leader-elected');
  const state = events.filter((e) => e.type === 'state').pop();
  assert.ok(elected.term >= 1 && elected.node >= 0 && elected.node < 5, JSON.stringify(elected));
  assert.ok(state.summary.max_term >= 1, JSON.stringify(state.summary));
  assert.ok(events.some((e) => e.type === 'resize' && e.height > 200), 'the frame reported its height');
  assert.deepEqual(errors, []);
  await page.close();
});

test('host commands: pause stops time, seek lands on the full app\'s state, crash is refused', async () => {
  const { page, errors, warnings } = await host(server.url + 'embed-example.html', { width: 900, height: 2400 });
  await waitEvent(page, 'partition', 'leader-elected');
  // Isolate the leader from the host page's own button, then heal.
  await page.click('#isolate-leader');
  await frameOf(page, 'partition').locator('.group-shade').first().waitFor();
  await page.click('#heal');
  await frameOf(page, 'partition').locator('.group-shade').first().waitFor({ state: 'detached' });
  await page.click('#pause');
  await page.waitForFunction(() => window.events.filter((e) => e.id === 'partition' && e.type === 'state').pop()?.playing === false);
  const a = await stateOf(page, 'partition');
  await page.waitForTimeout(400); // wall time passes; virtual time must not
  const b = await stateOf(page, 'partition');
  assert.equal(b.time_us, a.time_us, 'paused: virtual time stands still');
  // Forward to 3 s, then back to 2 s: going back replays the run with the actions taken
  // before 2 s; the full app opened on the embed's own link must show the very same run
  // fingerprint at that time.
  await page.evaluate(() => Splitbrain.player('#partition').seek(3));
  await page.waitForFunction(() => window.events.filter((e) => e.id === 'partition' && e.type === 'state').pop()?.time === '3s');
  await page.click('#seek');
  await page.waitForFunction(() => window.events.filter((e) => e.id === 'partition' && e.type === 'state').pop()?.time === '2s');
  const seeked = await stateOf(page, 'partition');
  // The link follows the run when the pointer reaches it.
  await frameOf(page, 'partition').locator('a.open-full').hover();
  await page.waitForFunction(() => document.querySelector('[data-splitbrain-id="partition"] iframe')
    .contentDocument.querySelector('a.open-full').href.endsWith('&t=2s'));
  const link = await frameOf(page, 'partition').locator('a.open-full').getAttribute('href');
  assert.match(link, /\?run=.*&t=2s$/);
  const full = await browser.newPage();
  await full.goto(link);
  const print = await full.getByTestId('fingerprint').textContent();
  assert.equal(print, `run fingerprint ${seeked.fingerprint} at 2s`);
  await full.close();
  // Crash is not among this embed's controls.
  await page.click('#crash');
  await waitEvent(page, 'partition', 'refused');
  const refused = (await eventsOf(page, 'partition')).find((e) => e.type === 'refused');
  assert.match(refused.reason, /do not include "crash"/);
  assert.ok(warnings.some((w) => w.includes('do not include "crash"')), warnings.join('\n'));
  assert.equal(await frameOf(page, 'partition').locator('g.node.node-down').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hostile messages are ignored with one warning each and the embed keeps running', async () => {
  const html = `<!doctype html><body>
    <div id="b" data-splitbrain data-lab="balance" data-controls="all" data-lazy="false"></div>
    <script src="${server.url}embed.js"></script>
    <script>window.events = []; document.addEventListener('splitbrain', (e) => window.events.push(e.detail));</script></body>`;
  const { page, errors, warnings } = await host(html);
  await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'), null, { timeout: 30000 });
  const id = await page.evaluate(() => Splitbrain.players[0].id);
  assert.match(await page.locator('iframe').getAttribute('src'), /\/balance\/\?embed=1/, 'the balance page, directly');
  const post = (msg) => page.evaluate((msg) => document.querySelector('iframe').contentWindow.postMessage(
    msg === 'HUGE' ? { splitbrain: 1, type: 'play', pad: 'x'.repeat(10 << 20) } : msg, '*'), msg);
  await post({ splitbrain: 1, type: 'self-destruct' });
  await post('HUGE');
  await post({ splitbrain: 1, type: 'load-run', run: { lab: 'raft', nodes: 1e9 } });
  // Other scripts' messages (no "splitbrain" key) are not ours: ignored without a word.
  await post({ type: 'pause' });
  await post('hello');
  await post({ splitbrain: 2, type: 'play' });
  await page.waitForFunction(() => window.events.filter((e) => e.type === 'refused').length >= 4, null, { timeout: 10000 });
  const reasons = (await page.evaluate(() => window.events.filter((e) => e.type === 'refused'))).map((e) => e.reason);
  assert.match(reasons[0], /unknown message type "self-destruct"/);
  assert.match(reasons[1], /limit is/);
  assert.match(reasons[2], /nodes must be between 1 and 1000/);
  assert.match(reasons[3], /protocol version 2/);
  assert.equal(reasons.length, 4, reasons.join('\n'));
  assert.equal(warnings.length, 4, warnings.join('\n'));
  assert.equal((await stateOf(page, id)).playing, true, 'the stray pause was not obeyed');
  // Still running: virtual time moves on.
  const t0 = (await stateOf(page, id)).time_us;
  await page.waitForFunction((t0) => window.events.filter((e) => e.type === 'state').pop().time_us > t0, t0, { timeout: 10000 });
  await page.frameLocator('iframe').locator('svg.network g.node').first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a leader elected during a seek is reported, forward and at the start; seeking back is not news', async () => {
  const html = `<!doctype html><body>
    <div data-splitbrain data-id="paused" data-lab="raft" data-seed="3" data-autoplay="false" data-lazy="false"></div>
    <div data-splitbrain data-id="late" data-lab="raft" data-seed="3" data-autoplay="false" data-t="2s" data-lazy="false"></div>
    <script src="${server.url}embed.js"></script>
    <script>window.events = []; document.addEventListener('splitbrain', (e) => window.events.push(e.detail));</script></body>`;
  const { page, errors } = await host(html, { width: 700, height: 1400 });
  // Opened at 2 s: the election on the way there is news, after ready.
  await waitEvent(page, 'late', 'leader-elected');
  const late = (await eventsOf(page, 'late')).map((e) => e.type);
  assert.ok(late.indexOf('ready') < late.indexOf('leader-elected'), late.join(' '));
  // Paused at 0, then sought past the first election by the host page.
  await waitEvent(page, 'paused', 'ready');
  assert.equal((await eventsOf(page, 'paused')).filter((e) => e.type === 'leader-elected').length, 0);
  await page.evaluate(() => Splitbrain.player('[data-splitbrain-id="paused"]').seek('2s'));
  await waitEvent(page, 'paused', 'leader-elected');
  const elected = (await eventsOf(page, 'paused')).find((e) => e.type === 'leader-elected');
  assert.equal(elected.term, (await eventsOf(page, 'late')).find((e) => e.type === 'leader-elected').term, 'the same run');
  // Back to the start and forward again: only the forward seek reports it again.
  await page.evaluate(() => Splitbrain.player('[data-splitbrain-id="paused"]').seek('0s'));
  await page.waitForFunction(() => window.events.filter((e) => e.id === 'paused' && e.type === 'state').pop()?.time === '0s');
  assert.equal((await eventsOf(page, 'paused')).filter((e) => e.type === 'leader-elected').length, 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('embeds with different seeds do not interfere; played or sought, each matches the full app', async () => {
  const html = `<!doctype html><body>
    <div data-splitbrain data-id="s3" data-lab="raft" data-seed="3" data-autoplay="false" data-lazy="false"></div>
    <div data-splitbrain data-id="s9" data-lab="raft" data-seed="9" data-autoplay="false" data-lazy="false"></div>
    <div data-splitbrain data-id="s3-played" data-lab="raft" data-seed="3" data-speed="1" data-lazy="false"></div>
    <script src="${server.url}embed.js"></script>
    <script>window.events = []; document.addEventListener('splitbrain', (e) => window.events.push(e.detail));</script></body>`;
  const { page, errors } = await host(html, { width: 700, height: 1600 });
  for (const id of ['s3', 's9', 's3-played']) await waitEvent(page, id, 'ready');
  // One copy of seed 3 plays (with its automatic client requests) past 1.5 s at the frame
  // rate of this machine; the others jump there. All land on the same run.
  await page.waitForFunction(() => (window.events.filter((e) => e.id === 's3-played' && e.type === 'state').pop()?.time_us ?? 0) > 2_000_000,
    null, { timeout: 20000 });
  await page.evaluate(() => { Splitbrain.players.forEach((p) => p.seek('1.5s')); });
  for (const [id, seed] of [['s3', 3], ['s9', 9], ['s3-played', 3]]) {
    await page.waitForFunction((id) => window.events.filter((e) => e.id === id && e.type === 'state').pop()?.time === '1.5s', id);
    const s = await stateOf(page, id);
    const full = await browser.newPage();
    await full.goto(`${server.url}?lab=raft&seed=${seed}&t=1.5s`);
    assert.equal(await full.getByTestId('fingerprint').textContent(), `run fingerprint ${s.fingerprint} at 1.5s`, id);
    await full.close();
  }
  const [a, b, c] = await Promise.all(['s3', 's9', 's3-played'].map((id) => stateOf(page, id)));
  assert.notEqual(a.fingerprint, b.fingerprint);
  assert.equal(a.fingerprint, c.fingerprint, 'played or jumped to, the same run');
  assert.ok(a.summary.max_commit >= 1, 'the automatic requests were committed on the way');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a 320x240 frame without the snippet: compact, the cluster and play button in view', async () => {
  await checkInFrame(browser, `${server.url}?embed=1&lab=raft&seed=3&controls=play,crash,partition`, 320, 240, 'embed-320.png');
});

test('until pauses exactly there; loop starts the run over and keeps playing', async () => {
  const html = `<!doctype html><body>
    <div data-splitbrain data-id="until" data-lab="raft" data-seed="3" data-speed="2" data-until="0.5s" data-lazy="false"></div>
    <div data-splitbrain data-id="loop" data-lab="raft" data-seed="3" data-speed="0.5" data-loop="0.4s" data-lazy="false"></div>
    <script src="${server.url}embed.js"></script>
    <script>window.events = []; document.addEventListener('splitbrain', (e) => window.events.push(e.detail));</script></body>`;
  const { page, errors } = await host(html, { width: 700, height: 1600 });
  await page.waitForFunction(() => window.events.some((e) => e.id === 'until' && e.type === 'state' && !e.playing), null, { timeout: 20000 });
  const stopped = (await eventsOf(page, 'until')).filter((e) => e.type === 'state').pop();
  assert.equal(stopped.time, '0.5s');
  // The looping embed goes past 0.3 s, then is seen again below it while still playing.
  await page.waitForFunction(() => {
    const times = window.events.filter((e) => e.id === 'loop' && e.type === 'state').map((e) => e.time_us);
    const high = times.findIndex((t) => t > 300000);
    return high >= 0 && times.slice(high).some((t) => t < 200000);
  }, null, { timeout: 20000 });
  const loop = (await eventsOf(page, 'loop')).filter((e) => e.type === 'state');
  assert.ok(loop.every((e) => e.time_us <= 400000), 'never past the loop point');
  assert.ok(loop.filter((e) => e.type === 'state').pop().playing);
  // Each round elects its leader again.
  await page.waitForFunction(() => window.events.filter((e) => e.id === 'loop' && e.type === 'leader-elected').length >= 2,
    null, { timeout: 20000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a host on another origin: the frame obeys it and reports to it, and only to it', async () => {
  // The docs site (localhost) embeds the app from another origin (127.0.0.1).
  const app = server.url;
  const docs = app.replace('127.0.0.1', 'localhost');
  const page = await browser.newPage();
  const errors = [];
  const warnings = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.goto(docs + 'no-such-page');
  await page.setContent(`<!doctype html><body>
    <div id="x" data-splitbrain data-lab="raft" data-seed="3" data-lazy="false"></div>
    <script src="${app}embed.js"></script>
    <script>window.events = []; document.addEventListener('splitbrain', (e) => window.events.push(e.detail));</script></body>`);
  const src = await page.locator('iframe').getAttribute('src');
  assert.ok(src.startsWith(app) && src.includes('origin=' + encodeURIComponent(docs.replace(/\/$/, ''))), src);
  await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'), null, { timeout: 20000 });
  await page.evaluate(() => Splitbrain.player('#x').pause());
  await page.waitForFunction(() => window.events.filter((e) => e.type === 'state').pop()?.playing === false);
  // A frame told to obey another origin ignores this page and sends it nothing.
  await page.evaluate((app) => {
    window.stray = [];
    const f = document.createElement('iframe');
    addEventListener('message', (e) => { if (e.source === f.contentWindow) window.stray.push(e.data); });
    f.src = app + '?embed=1&lab=raft&seed=3&origin=https://docs.example.org';
    document.body.append(f);
    f.onload = () => setTimeout(() => f.contentWindow.postMessage({ splitbrain: 1, type: 'pause' }, '*'), 300);
  }, app);
  // Long enough for its ready, states and resizes, had it been talking to this page.
  await page.waitForTimeout(1500);
  assert.deepEqual(await page.evaluate(() => window.stray), []);
  assert.ok(warnings.some((w) => w.includes('takes commands from https://docs.example.org only')), warnings.join('\n'));
  assert.deepEqual(errors, []);
  await page.close();
});

/** Controls outside the page's width or cut off by a clipping box, and sideways scrollers. */
const unreachable = () => {
  const out = [];
  const W = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > W) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${W}`);
  for (const e of document.querySelectorAll('button, input, select, a')) {
    const b = e.getBoundingClientRect();
    if (!b.width) continue;
    const name = `${e.tagName.toLowerCase()} "${(e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 20)}"`;
    if (b.left < -0.5 || b.right > W + 0.5) out.push(`${name} outside, x=${Math.round(b.left)}..${Math.round(b.right)}`);
    for (let p = e.parentElement; p; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const r = p.getBoundingClientRect();
      if (b.left < r.left - 0.5 || b.right > r.right + 0.5) out.push(`${name} cut off by ${p.tagName.toLowerCase()}.${p.className}`);
    }
  }
  return out;
};

test('at 320 px every embed\'s controls are inside the frame, the hashing server buttons and the speed slider included', async () => {
  for (const [w, h] of [[320, 240], [320, 480]]) {
    for (const url of ['?embed=1&lab=raft&seed=3', 'paxos/?embed=1&lab=paxos&seed=2', 'hashing/?embed=1&lab=hashing&seed=1&controls=play,reset,request',
      'balance/?embed=1&lab=balance&seed=1']) {
      const page = await browser.newPage({ viewport: { width: w, height: h } });
      await page.goto(server.url + url);
      await page.waitForSelector('svg.network g.node');
      assert.deepEqual(await page.evaluate(unreachable), [], `${url} at ${w}×${h}`);
      if (url.startsWith('hashing') && h > 400) {
        // Each server's weight and remove buttons can be pressed.
        await page.locator('[data-server="2"] button', { hasText: 'remove' }).click({ trial: true });
      }
      if (h > 400) await page.screenshot({ path: `${OUT}embed-320-${url.startsWith('?') ? 'raft' : url.split('/')[0]}.png` });
      await page.close();
    }
  }
});
