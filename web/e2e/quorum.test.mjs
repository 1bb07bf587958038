// The quorum lab in the browser: with R + W ≤ N a read misses a completed write and the history
// view names it (the lab's exercise `quorum-r-plus-w`, as a link); the same schedule with
// overlapping quorums stays linearizable; the panel's settings restart the run with them; the
// page at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

// n3 and n4 (two of x's replicas) are cut off while c1 sets x=1; after the heal c2 reads x.
const run = (r, w) => JSON.stringify({
  version: 1, lab: 'quorum', seed: 1, nodes: 5, network: { latency: '10ms..20ms' },
  params: { r, w, repair: 'off', sloppy: false, auto: false }, until: '4s',
  actions: [
    { at: '1s', do: 'partition', groups: [[3, 4]] },
    { at: '1.5s', do: 'client', node: 0, command: 'set x=1' },
    { at: '2s', do: 'heal' },
    { at: '2.5s', do: 'client', node: 1, command: 'get x' },
  ],
});
const link = (r, w) => `quorum/?run=${encodeURIComponent(run(r, w))}&t=4s`;
const atEnd = (page) => page.waitForFunction(
  () => /t = 4s/.test(document.querySelector('[data-testid=clock]')?.textContent ?? ''),
  null, { timeout: 30000, polling: 100 });
const verdict = (page) => page.getByTestId('history-verdict').textContent();

test('with R + W ≤ N a read misses a completed write, and the history names the stale read', async () => {
  const { page, errors } = await open(browser, server.url + link(2, 1), { width: 1280, height: 900 });
  await atEnd(page);
  await page.getByTestId('history').waitFor();
  assert.match(await verdict(page),
    /^Not linearizable: c2's get x returned \(none\) at 2\.554337s, but x was 1 since 1\.564326s, when c1's set x=1 completed\./);
  assert.match(await page.getByTestId('quorum-overlap').textContent(), /^N=3 R=2 W=1: R \+ W ≤ N: a read can miss/);
  // x's replicas n3 and n4 never got the write (no repair): their cells are stale.
  const stale = await page.locator('[data-testid=quorum-table] td.q-cell.stale').count();
  assert.ok(stale >= 2, `${stale} stale cells`);
  assert.match(await page.getByTestId('quorum-requests').textContent(), /get x = \(none\) · n\d coordinated, 2\.5\d+s–2\.5\d+s/);
  // The event log names clients as the picture does: c2, not its slot number n6.
  const log = await page.locator('section.log').textContent();
  assert.match(log, /n\d→c2/);
  assert.doesNotMatch(log, /\bn[5-7]\b/);
  await page.screenshot({ path: OUT + 'quorum-stale-read-1280.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the same schedule with overlapping quorums (R + W > N) stays linearizable', async () => {
  const { page, errors } = await open(browser, server.url + link(2, 2), { width: 1280, height: 900 });
  await atEnd(page);
  await page.getByTestId('history').waitFor();
  assert.match(await verdict(page), /^Linearizable/);
  assert.match(await page.getByTestId('quorum-overlap').textContent(), /R \+ W > N: every read quorum meets/);
  // The cut-off write could not reach W=2: the coordinator answered unavailable.
  assert.match(await page.getByTestId('quorum-requests').textContent(), /set x=1: unavailable: 1 of W=2 replicas answered in time/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the panel sets N, R and W, and the run starts over with them', async () => {
  const { page, errors } = await open(browser, server.url + 'quorum/?lab=quorum&seed=2&speed=0.5', { width: 1280, height: 900 });
  await page.waitForSelector('svg.network g.node.client');
  assert.match(await page.getByTestId('quorum-overlap').textContent(), /^N=3 R=2 W=2/, "Dynamo's (3, 2, 2)");
  await page.getByLabel('r', { exact: true }).selectOption('1');
  await page.getByTestId('quorum-overlap').filter({ hasText: 'N=3 R=1 W=2' }).waitFor();
  await page.getByLabel('w', { exact: true }).selectOption('1');
  await page.getByTestId('quorum-overlap').filter({ hasText: 'R + W ≤ N' }).waitFor();
  // Lowering N lowers nothing that fits; raising R above a lower N is not offered.
  await page.getByLabel('replicas', { exact: true }).selectOption('2');
  await page.getByTestId('quorum-overlap').filter({ hasText: 'N=2 R=1 W=1' }).waitFor();
  assert.deepEqual(await page.getByLabel('r', { exact: true }).locator('option').allTextContents(), ['1', '2']);
  // The clients keep working: their requests show up with the replicas they asked.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=quorum-requests] .q-ask').length >= 2,
    null, { timeout: 30000, polling: 100 });
  // The partition tool names the clients as the picture does.
  await page.getByRole('button', { name: 'Partition…' }).click();
  assert.equal(await page.locator('.pgroup[data-node="5"]').textContent(), 'c1 A');
  assert.equal(await page.locator('.pgroup[data-node="4"]').textContent(), 'n4 A');
  await page.getByRole('button', { name: 'Cancel' }).click();
  // An atomic operation typed for a client is refused in words.
  await page.locator('input[aria-label=request]').fill('incr x');
  await page.getByRole('button', { name: /^Send/ }).click();
  assert.match(await page.getByTestId('notice').textContent(), /only `get key` and `set key=value`/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('at phone width the quorum page fits and its table is readable', async () => {
  const { page, errors } = await open(browser, server.url + link(2, 1), { width: 375, height: 800 });
  await atEnd(page);
  await page.getByTestId('quorum-table').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await page.screenshot({ path: OUT + 'quorum-stale-read-375.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
