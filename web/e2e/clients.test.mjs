// Clients and their history in the browser: a stale read made by partitioning a Raft leader
// with a client in the `local-reads` variant, named by the history view, and one click landing
// on that moment; the clients setting and the request box going through a client; the view at
// phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

// testdata/scenarios/raft-stale-read.toml, as a link: n3 leads; at 1 s it is cut off with c1.
const staleRun = (variant) => JSON.stringify({
  version: 1, lab: 'raft', seed: 1, nodes: 5, network: { latency: '10ms..20ms' },
  params: { clients: 2, variant }, until: '8s',
  actions: [{ at: '1s', do: 'partition', groups: [[3, 5]] }],
});
const link = (variant, t) => `?run=${encodeURIComponent(staleRun(variant))}&t=${t}`;
const clock = (page) => page.getByTestId('clock').textContent();
const verdict = (page) => page.getByTestId('history-verdict').textContent();

test('a leader cut off with a client serves it a stale read: the history names it, a click goes there', async () => {
  const { page, errors } = await open(browser, server.url + link('local-reads', '8s'), { width: 1280, height: 900 });
  await page.waitForFunction(() => /t = 8s/.test(document.querySelector('[data-testid=clock]')?.textContent ?? ''),
    null, { timeout: 30000, polling: 100 });
  // The clients are drawn beside the cluster, c1 cut off with n3.
  assert.equal(await page.locator('svg.network g.node.client').count(), 2);
  assert.match(await page.locator('svg.network g.node.client[data-client="0"]').getAttribute('aria-label'), /^client c1/);
  await page.getByTestId('history').waitFor();
  assert.match(await verdict(page),
    /^Not linearizable: c1's get x returned 1 at 6\.42463s, but x was 3 since 4\.769866s, when c2's set x=3 completed\./);
  assert.equal(await page.getByTestId('history-seek').textContent(), 'Go to 6.42463s');
  const bad = page.locator('.hist-op.hist-bad');
  assert.equal(await bad.count(), 1);
  assert.match(await bad.getAttribute('aria-label'), /^c1 get x → 1, /);
  assert.equal(await page.locator('.hist-op.hist-missed').count(), 1, 'the write it missed is outlined');
  await page.screenshot({ path: OUT + 'clients-stale-read-1280.png', fullPage: true });

  // The button goes to the moment the bad read returned.
  await page.getByTestId('history-seek').click();
  await page.waitForFunction(() => /6\.42/.test(document.querySelector('[data-testid=clock]')?.textContent ?? ''),
    null, { timeout: 30000, polling: 100 });
  // There, the read has just returned and is still the one that cannot be placed.
  await page.locator('.hist-op.hist-bad').waitFor();
  assert.match(await verdict(page), /^Not linearizable: c1's get x returned 1 at 6\.42463s/);

  // Clicking a bar seeks too: an earlier operation of c2, then the bad read again.
  const first = page.locator('.hist-op').first();
  await first.click();
  await page.waitForFunction(() => !/6\.42/.test(document.querySelector('[data-testid=clock]')?.textContent ?? ''),
    null, { timeout: 30000, polling: 100 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the correct Raft sends the cut-off read through the log: no answer, and the history holds', async () => {
  const { page, errors } = await open(browser, server.url + link('correct', '8s'), { width: 1280, height: 900 });
  await page.waitForFunction(() => /t = 8s/.test(document.querySelector('[data-testid=clock]')?.textContent ?? ''),
    null, { timeout: 30000, polling: 100 });
  await page.getByTestId('history').waitFor();
  assert.match(await verdict(page), /^Linearizable: all \d+ operations fit one order/);
  // c1 asked the cut-off leader and got nothing: its operations are open (dashed).
  assert.ok(await page.locator('.hist-op.hist-open').count() >= 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clients are set in the Raft panel, and a typed request goes through a client into the history', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft&seed=4&speed=0.5', { width: 1280, height: 900 });
  await page.waitForSelector('svg.network g.node');
  assert.equal(await page.getByTestId('history').count(), 0, 'no clients, no history');
  await page.getByLabel('clients').selectOption('3');
  await page.getByTestId('history').waitFor();
  assert.equal(await page.locator('svg.network g.node.client').count(), 3);
  await page.locator('input[aria-label=request]').fill('incr n');
  assert.equal(await page.getByRole('button', { name: 'Send to c1' }).count(), 1);
  await page.getByRole('button', { name: 'Send to c1' }).click();
  // The page plays on; once the increment is answered it is a bar in c1's row.
  await page.waitForFunction(() => [...document.querySelectorAll('.hist-op')]
    .some((g) => /^c1 incr n → 1,/.test(g.getAttribute('aria-label'))), null, { timeout: 60000, polling: 100 });
  // A bad value for the setting is refused in words, and the run keeps its clients.
  await page.goto(server.url + '?lab=raft&seed=4&param.clients=11');
  await page.waitForSelector('svg.network g.node');
  assert.match(await page.getByTestId('notice').textContent(), /clients must be 0 to 10, got 11/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('at phone width the clients fit the picture and the history scrolls sideways', async () => {
  const { page, errors } = await open(browser, server.url + link('local-reads', '8s'), { width: 375, height: 800 });
  await page.waitForFunction(() => /t = 8s/.test(document.querySelector('[data-testid=clock]')?.textContent ?? ''),
    null, { timeout: 30000, polling: 100 });
  await page.getByTestId('history').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  const box = await page.locator('svg.network g.node.client').first().boundingBox();
  assert.ok(box && box.x >= 0, 'c1 is inside the picture');
  await page.screenshot({ path: OUT + 'clients-stale-read-375.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
