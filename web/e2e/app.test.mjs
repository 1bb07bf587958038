// The page as a visitor uses it. Run by `cargo xtask test` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serve, launch, open } from './harness.mjs';

const OUT = new URL('./out/', import.meta.url).pathname;
let server, browser;

before(async () => {
  await mkdir(OUT, { recursive: true });
  server = await serve();
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

const clock = (page) => page.locator('[data-testid=clock]').textContent();

test('the page loads, draws five nodes, animates messages, and logs no console errors', async () => {
  const { page, errors } = await open(browser, server.url);
  assert.equal(await page.locator('svg.network g.node').count(), 5);
  // Client traffic starts at 0.1 s of virtual time: gossip messages appear on the links.
  await page.waitForSelector('svg.network g.msg', { timeout: 15000 });
  const before = await clock(page);
  await page.waitForFunction((b) => document.querySelector('[data-testid=clock]').textContent !== b, before);
  await page.waitForFunction(() => [...document.querySelectorAll('.node-sub')].some((t) => t.textContent === '1 value'), null, { timeout: 20000 });
  await page.screenshot({ path: OUT + 'app.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('crashing a node through the UI greys it out and the log says so; restart brings it back', async () => {
  const { page, errors } = await open(browser, server.url);
  await page.locator('svg.network g.node[data-node="2"]').click();
  await page.getByRole('button', { name: 'Crash node' }).click();
  await page.waitForSelector('g.node.node-down[data-node="2"]');
  assert.match(await page.locator('.log').textContent(), /n2crash/);
  await page.getByRole('button', { name: 'Restart node' }).click();
  await page.waitForSelector('g.node[data-node="2"]:not(.node-down)');
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard: Space pauses the clock and S steps exactly one event', async () => {
  const { page, errors } = await open(browser, server.url);
  await page.waitForSelector('svg.network g.msg', { timeout: 15000 });
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: '▶ Play' }).waitFor();
  const events = async () => Number((await page.locator('.legend').textContent()).match(/(\d+) events/)[1]);
  const e0 = await events();
  const t0 = await clock(page);
  await page.waitForTimeout(300);
  assert.equal(await clock(page), t0, 'paused clock does not move');
  await page.keyboard.press('s');
  await page.waitForFunction((n) => Number(document.querySelector('.legend').textContent.match(/(\d+) events/)[1]) === n + 1, e0);
  assert.deepEqual(errors, [], 'shortcuts may call preventDefault: the listener is not passive');
  await page.close();
});

test('isolating a node draws the cut links and heal removes them', async () => {
  const { page } = await open(browser, server.url);
  await page.keyboard.press('1');
  await page.keyboard.press('i');
  await page.waitForSelector('line.link-cut');
  assert.equal(await page.locator('line.link-cut').count(), 8, 'both directions of 4 links');
  // Two groups, shaded and lettered: the isolated node alone, the rest together.
  assert.equal(await page.locator('g.group-shade[data-group="1"]').count(), 1);
  assert.equal(await page.locator('g.group-shade[data-group="0"]').count(), 4);
  await page.keyboard.press('h');
  await page.waitForFunction(() => document.querySelectorAll('line.link-cut').length === 0);
  await page.close();
});

test('a malformed link shows a readable message and the page still runs with defaults', async () => {
  const { page, errors } = await open(browser, server.url + '?nodes=1000000000&lab=paxos9&seed=abc&speed=NaN');
  const notice = await page.locator('[data-testid=notice]').textContent();
  assert.match(notice, /nodes must be between 2 and 25/);
  assert.match(notice, /unknown lab "paxos9"/);
  assert.match(notice, /seed "abc"/);
  assert.match(notice, /speed must be between 0.001 and 10/);
  assert.equal(await page.locator('svg.network g.node').count(), 5);
  assert.deepEqual(errors, []);
  await page.close();
});

test('settings from the link are applied: nodes and seed', async () => {
  const { page } = await open(browser, server.url + '?nodes=7&seed=42');
  assert.equal(await page.locator('svg.network g.node').count(), 7);
  assert.match(await page.locator('.seed').textContent(), /seed 42/);
  await page.close();
});

test('works in a narrow 360px viewport', async () => {
  const { page, errors } = await open(browser, server.url, { width: 360, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 362, `no horizontal scroll, got ${width}`);
  await page.screenshot({ path: OUT + 'narrow.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the shell is lab-agnostic: ?lab=ping draws the ping lab with its own legend', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=ping&nodes=4');
  assert.equal(await page.locator('svg.network g.node').count(), 4);
  assert.match(await page.locator('.lab-title').textContent(), /Ping-pong/);
  assert.match(await page.locator('.legend').textContent(), /ping.*pong/);
  await page.waitForSelector('svg.network g.msg', { timeout: 15000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Raft lab elects a leader on the page within a few seconds', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft');
  assert.match(await page.locator('.lab-title').textContent(), /Raft/);
  await page.waitForFunction(() => [...document.querySelectorAll('g.node')].some((g) => g.getAttribute('aria-label').includes('t1') || g.getAttribute('aria-label').includes('t2')), null, { timeout: 15000 });
  await page.keyboard.press('1');
  await page.waitForFunction(() => /leader\s*n\d/.test(document.querySelector('.inspector').textContent), null, { timeout: 15000 });
  // Client traffic fills the log table; committed entries carry a mark, not only a colour.
  await page.waitForSelector('.raft-log td.entry.committed', { timeout: 20000 });
  assert.match(await page.locator('.raft-log td.entry.committed').first().textContent(), /t\d+ ✓/);
  await page.screenshot({ path: OUT + 'raft.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a violation pauses the run, names the invariant and highlights the node', async () => {
  const { page, errors } = await open(browser, server.url + '?param.variant=%22volatile%22');
  assert.match(await page.locator('[data-testid=safety]').textContent(), /Safety holds: Durability/);
  await page.waitForFunction(() => document.querySelector('g.node[data-node="1"] .node-sub').textContent.includes('1 value'), null, { timeout: 20000 });
  await page.keyboard.press('1');
  await page.keyboard.press('c');
  await page.waitForSelector('g.node.node-down[data-node="1"]');
  await page.keyboard.press('c');
  await page.waitForSelector('.violation');
  assert.match(await page.locator('[data-testid=safety]').textContent(), /Durability broken.*node 1 forgot value/);
  await page.waitForSelector('g.node.node-flagged[data-node="1"]');
  await page.getByRole('button', { name: '▶ Play' }).waitFor();
  await page.screenshot({ path: OUT + 'violation.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a shared link replays to exactly the same state (same time, same run fingerprint)', async () => {
  const { page, errors } = await open(browser, server.url + '?seed=5');
  await page.waitForFunction(() => document.querySelectorAll('g.node .node-sub')[0].textContent.includes('value'), null, { timeout: 20000 });
  await page.waitForTimeout(1500);
  await page.keyboard.press('2');
  await page.keyboard.press('c');
  await page.waitForTimeout(1500);
  await page.keyboard.press('i');
  await page.waitForTimeout(1000);
  await page.getByRole('button', { name: 'Share' }).click();
  const link = await page.locator('[data-testid=share-link]').inputValue();
  const fingerprint = await page.locator('[data-testid=fingerprint]').textContent();
  assert.match(link, /\?run=.*&t=/);
  const b = await open(browser, link);
  assert.equal(await b.page.locator('[data-testid=fingerprint]').textContent(), fingerprint);
  assert.ok(await b.page.locator('g.node.node-down[data-node="2"]').count() === 1, 'the crash replayed');
  assert.deepEqual([...errors, ...b.errors], []);
  await b.page.close();
  await page.close();
});

test('typing a seed restarts the run from it; a bad seed is refused with a message', async () => {
  const { page, errors } = await open(browser, server.url);
  await page.getByLabel('seed', { exact: true }).fill('123');
  await page.getByLabel('seed', { exact: true }).press('Enter');
  await page.waitForFunction(() => document.querySelector('.seed').textContent.includes('seed 123'));
  await page.getByLabel('seed', { exact: true }).fill('-1');
  await page.getByLabel('seed', { exact: true }).press('Enter');
  assert.match(await page.locator('[data-testid=notice]').textContent(), /not a whole number/);
  assert.match(await page.locator('.seed').textContent(), /seed 123/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('typed client requests reach the chosen node; network controls change every link', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft');
  await page.waitForFunction(() => [...document.querySelectorAll('g.node')].some((g) => g.classList.contains('role-leader')), null, { timeout: 15000 });
  await page.locator('label.check input').uncheck();
  await page.getByLabel('request', { exact: true }).fill('set color=blue');
  await page.getByRole('button', { name: /^Send to n/ }).click();
  await page.waitForFunction(() => document.querySelector('.inspector').textContent.includes('color=blue'), null, { timeout: 20000 });
  await page.getByLabel('latency', { exact: true }).fill('20ms..40ms');
  await page.getByLabel('latency', { exact: true }).press('Enter');
  await page.waitForFunction(() => document.querySelector('.log').textContent.includes('latency 20ms..40ms'));
  await page.getByLabel('latency', { exact: true }).fill('warp speed');
  await page.getByLabel('latency', { exact: true }).press('Enter');
  assert.match(await page.locator('[data-testid=notice]').textContent(), /bad latency "warp speed"/);
  await page.getByLabel('request', { exact: true }).fill('drop table');
  await page.getByRole('button', { name: /^Send to n/ }).click();
  assert.match(await page.locator('[data-testid=notice]').textContent(), /expected `set key=value` or `get key`/);
  await page.screenshot({ path: OUT + 'controls.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking a message shows its fields and can drop it', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft&speed=0.02');
  await page.waitForSelector('svg.network g.msg', { timeout: 15000 });
  await page.keyboard.press('Space');
  const msg = page.locator('svg.network g.msg').first();
  const id = await msg.getAttribute('data-msg');
  await msg.dispatchEvent('click');
  const inspector = page.getByLabel('message inspector');
  assert.match(await inspector.textContent(), new RegExp(`Message #${id}.*from → to.*n\\d → n\\d`));
  await page.getByRole('button', { name: 'Drop this message' }).click();
  await page.waitForFunction((i) => !document.querySelector(`g.msg[data-msg="${i}"]`), id);
  assert.match(await inspector.textContent(), /No longer in flight/);
  assert.match(await page.locator('.log').textContent(), /dropped \(dropped by user\)/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the event log filters by node and event type and downloads the transcript', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft');
  await page.waitForFunction(() => [...document.querySelectorAll('g.node')].some((g) => g.classList.contains('role-leader')), null, { timeout: 15000 });
  await page.getByLabel('filter by node').selectOption('n2');
  await page.getByLabel('filter by event').selectOption('sent');
  await page.waitForFunction(() => document.querySelectorAll('.log li').length > 0, null, { timeout: 15000 });
  const rows = await page.locator('.log li').allTextContents();
  assert.ok(rows.length > 0);
  for (const r of rows) assert.match(r, /n2/), assert.match(r, /sent/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
  assert.match(download.suggestedFilename(), /^splitbrain-raft-seed1\.txt$/);
  const text = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
  assert.match(text, /n\d -> n\d  sent #\d+ RequestVote t1/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking one direction of a link cuts only that direction', async () => {
  const { page, errors } = await open(browser, server.url);
  await page.locator('g.dir[data-from="0"][data-to="2"] line.link-hit').dispatchEvent('click');
  await page.waitForSelector('g.dir.cut[data-from="0"][data-to="2"]');
  assert.equal(await page.locator('g.dir.cut').count(), 1, 'n2 -> n0 still works');
  assert.match(await page.locator('.log').textContent(), /n0→n2\s*cut/);
  await page.keyboard.press('h');
  await page.waitForFunction(() => document.querySelectorAll('g.dir.cut').length === 0);
  assert.deepEqual(errors, []);
  await page.close();
});
