// The hashing lab as a visitor uses it. Run by `cargo xtask test` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const text = (page, id) => page.getByTestId(id).textContent();
// "gets: 12 ok (3 from a later replica, 0 stale) · 0 unavailable · puts: ..." as numbers.
const availability = async (page) => {
  const t = (await text(page, 'availability')).replace(/(\d),(\d)/g, '$1$2');
  const [, ok, replica, , unavailable] = t.match(/gets: (\d+) ok \((\d+) from a later replica, (\d+) stale\) · (\d+) unavailable/).map(Number);
  return { ok, replica, unavailable };
};

test('the hashing lab loads: a router, servers, the hash circle and load bars, no console errors', async () => {
  const { page, errors } = await open(browser, server.url + 'hashing/?lab=hashing');
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'hashing');
  assert.equal(await page.locator('svg.network g.node').count(), 9);
  await page.waitForSelector('[data-testid=ring-ring]');
  assert.equal(await page.locator('[data-testid=loads] li').count(), 6, 'six members at the start');
  assert.match(await text(page, 'moved'), /No change yet/);
  // Requests flow: the router's traffic reaches the servers.
  await page.waitForFunction(() => /gets: [1-9]/.test(document.querySelector('[data-testid=availability]').textContent), null, { timeout: 15000 });
  await page.screenshot({ path: OUT + 'hashing.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('adding a server updates the moved-keys figure: about the ideal 1/7 under the ring', async () => {
  const { page, errors } = await open(browser, server.url + 'hashing/?lab=hashing&speed=1');
  await page.getByTestId('add-server').click();
  await page.waitForFunction(() => /migrated/.test(document.querySelector('[data-testid=moved]').textContent), null, { timeout: 15000 });
  const moved = (await text(page, 'moved')).replaceAll(',', '');
  const [, keys, share, ideal] = moved.match(/add: (\d+) of 10000 keys moved \(([\d.]+)%\) · ideal ([\d.]+)%/).map(Number);
  assert.ok(keys > 1000 && keys < 2000, moved);
  assert.equal(ideal, 14.3);
  assert.ok(Math.abs(share - ideal) < 5, moved);
  assert.equal(await page.locator('[data-testid=loads] li').count(), 7, 'the spare joined');
  // Keys moved as messages that carry them: the log shows the transfers.
  await page.keyboard.press(' ');
  assert.deepEqual(errors, []);
  await page.close();
});

test('modulo moves almost every key; compare mode shows a consistent algorithm on the same change', async () => {
  const { page, errors } = await open(browser, server.url + 'hashing/?lab=hashing&speed=1&param.algorithm=modulo&param.compare=jump');
  await page.waitForSelector('[data-testid=ring-modulo]');
  await page.waitForSelector('[data-testid=ring-jump]');
  await page.getByTestId('add-server').click();
  await page.waitForFunction(() => /migrated/.test(document.querySelector('[data-testid=moved]').textContent), null, { timeout: 15000 });
  const moved = (await text(page, 'moved')).replaceAll(',', '');
  const share = Number(moved.match(/keys moved \(([\d.]+)%\)/)[1]);
  const jump = Number(moved.match(/jump on the same change: \d+ keys moved \(([\d.]+)%\)/)[1]);
  assert.ok(share > 80, moved);
  assert.ok(jump < 20, moved);
  await page.screenshot({ path: OUT + 'hashing-compare.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a crashed server\'s keys are served by the next replica when R = 2, and unavailable when R = 1', async () => {
  for (const [r, replicated] of [[2, true], [1, false]]) {
    const { page, errors } = await open(browser, server.url + `hashing/?lab=hashing&speed=1&seed=3&param.replicas=${r}&param.rate=200`);
    await page.waitForFunction(() => /gets: [1-9]/.test(document.querySelector('[data-testid=availability]').textContent), null, { timeout: 15000 });
    await page.getByTestId('crash-3').click();
    await page.waitForSelector('svg.network g.node.node-down[data-node="3"]');
    const start = await availability(page);
    await page.waitForFunction((n) => {
      const t = document.querySelector('[data-testid=availability]').textContent.replace(/(\d),(\d)/g, '$1$2');
      return Number(t.match(/gets: (\d+) ok/)[1]) > n + 150;
    }, start.ok, { timeout: 20000 });
    const end = await availability(page);
    if (replicated) {
      assert.equal(end.unavailable, 0, `R=2: ${JSON.stringify(end)}`);
      assert.ok(end.replica > start.replica + 5, `R=2 replicas answered: ${JSON.stringify([start, end])}`);
    } else {
      assert.ok(end.unavailable > start.unavailable + 5, `R=1: ${JSON.stringify([start, end])}`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('changing the algorithm in the panel restarts the run with it; a bad parameter is refused with a message', async () => {
  const { page, errors } = await open(browser, server.url + 'hashing/?lab=hashing');
  await page.getByTestId('algorithm').selectOption('rendezvous');
  await page.waitForSelector('[data-testid=ring-rendezvous]');
  assert.match(await page.getByTestId('notice').textContent(), /algorithm changed/);
  await page.close();
  const bad = await open(browser, server.url + 'hashing/?lab=hashing&param.keys=1000000000');
  assert.match(await bad.page.getByTestId('notice').textContent(), /keys must be 1 to 1000000/);
  assert.deepEqual([...errors, ...bad.errors], []);
  await bad.page.close();
});

test('the hashing lab is its own page: a root link to it is forwarded, and the lab menu goes there and back', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=hashing&seed=7');
  await page.waitForURL(/\/hashing\/\?lab=hashing&seed=7$/);
  await page.waitForSelector('[data-testid=ring-ring]');
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'hashing');
  await page.getByLabel('lab', { exact: true }).selectOption('raft');
  await page.waitForURL((u) => !u.pathname.includes('hashing'));
  await page.waitForSelector('svg.network g.node');
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'raft');
  assert.match(page.url(), /\?lab=raft&seed=7$/);
  assert.deepEqual(errors, []);
  await page.close();
});
