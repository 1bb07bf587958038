// The load-balancing lab as a visitor uses it. Run by `cargo xtask test` after the release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const queued = async (page, n) => Number((await page.getByTestId(`queue-${n}`).textContent()).match(/^(\d+) queued/)[1]);

test('the load-balancing lab loads: backends, live queues, the latency chart and histogram, no console errors', async () => {
  const { page, errors } = await open(browser, server.url + 'balance/?lab=balance&speed=5');
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'balance');
  assert.equal(await page.locator('svg.network g.node').count(), 11);
  assert.equal(await page.locator('[data-testid=backends] li').count(), 10);
  // Drawn as a fan: every link joins the balancer (n0) to a backend, both ways; backends
  // never talk to each other.
  const links = await page.evaluate(() => [...document.querySelectorAll('svg.network g.dir')].map((g) => [g.dataset.from, g.dataset.to]));
  assert.equal(links.length, 20);
  assert.ok(links.every(([a, b]) => a === '0' || b === '0'), JSON.stringify(links));
  const hub = await page.locator('svg.network g.node[data-node="0"] circle').boundingBox();
  const backend = await page.locator('svg.network g.node[data-node="5"] circle').boundingBox();
  assert.ok(backend.x > hub.x + 100, 'backends fan out to the right of the balancer');
  await page.waitForFunction(() => /answered/.test(document.querySelector('[data-testid=lb-summary]').textContent)
    && !/no request answered yet/.test(document.querySelector('[data-testid=lb-summary]').textContent), null, { timeout: 15000 });
  // uPlot drew its canvas with three series in the legend.
  await page.waitForSelector('[data-testid=latency-chart] canvas', { timeout: 15000 });
  assert.match(await page.getByTestId('latency-chart').textContent(), /p50.*p90.*p99/s);
  assert.match(await page.getByTestId('histogram').textContent(), /latency histogram/);
  await page.screenshot({ path: OUT + 'balance.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('slowing one backend raises its queue under round robin and not under least outstanding', async () => {
  const result = {};
  for (const policy of ['rr', 'least-outstanding']) {
    const { page, errors } = await open(browser, server.url + `balance/?lab=balance&speed=10&seed=3&param.policy=%22${policy}%22&param.arrival=%22poisson:6/s%22`);
    await page.getByTestId('slow-3').click();
    await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=clock]').textContent.replace('t = ', '')) > 90, null, { timeout: 30000 });
    result[policy] = await queued(page, 3);
    if (policy === 'rr') await page.screenshot({ path: OUT + 'balance-slow-rr.png', fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  }
  // Round robin keeps sending n3 a tenth of 6/s; it serves 0.2/s, so about 0.4/s piles up.
  assert.ok(result.rr > 15, JSON.stringify(result));
  assert.ok(result['least-outstanding'] < 5, JSON.stringify(result));
});

test('compare mode: a second policy side by side on the very same requests, faults applied to both', async () => {
  const { page, errors } = await open(browser, server.url + 'balance/?lab=balance&speed=10&param.policy=%22rr%22&param.arrival=%22poisson:5/s%22');
  await page.getByTestId('compare').selectOption('least-outstanding');
  await page.waitForSelector('[data-testid=side-least-outstanding]');
  assert.equal(await page.locator('svg.network g.node').count(), 22, 'a second balancer with its own ten backends');
  await page.getByTestId('slow-3').click();
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=clock]').textContent.replace('t = ', '')) > 60, null, { timeout: 30000 });
  await page.keyboard.press(' ');
  const [a, b] = await page.locator('[data-testid=lb-summary]').allTextContents();
  assert.equal(a.match(/^(\d+) requests/)[1], b.match(/^(\d+) requests/)[1], 'the same arrivals on both sides');
  // The slowed twin on side B is n14 (the third of n12..n21).
  assert.match(await page.getByTestId('queue-14').textContent(), /5\.0× slow/);
  assert.ok(await queued(page, 3) > await queued(page, 14), 'round robin queues more at the slow backend');
  await page.screenshot({ path: OUT + 'balance-compare.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
