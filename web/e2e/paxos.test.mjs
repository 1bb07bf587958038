// The Paxos lab as a visitor uses it. Run by `cargo xtask test` after the site is built.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

// Highest slot the table shows as chosen (-1: none yet).
const topChosen = (page) => page.evaluate(() => Math.max(-1,
  ...[...document.querySelectorAll('.px-slots td.chosen')].map((td) => Number(td.dataset.slot))));
const waitChosenAbove = (page, slot, timeout = 20000) => page.waitForFunction((slot) => [...document
  .querySelectorAll('.px-slots td.chosen')].some((td) => Number(td.dataset.slot) > slot), slot, { timeout });
const clock = (page) => page.evaluate(() =>
  Number(document.querySelector('[data-testid=clock]').textContent.match(/([\d.]+)s/)[1]));
const waitClock = (page, t) => page.waitForFunction((t) => Number(document
  .querySelector('[data-testid=clock]').textContent.match(/([\d.]+)s/)[1]) >= t, t, { timeout: 30000 });
const leader = async (page) => {
  await page.waitForSelector('g.node.role-leader', { timeout: 20000 });
  return page.locator('g.node.role-leader').first().getAttribute('data-node');
};
const crash = async (page, n) => {
  await page.keyboard.press(String(n));
  await page.keyboard.press('c');
  await page.waitForSelector(`g.node.node-down[data-node="${n}"]`);
};

test('the Paxos lab loads: a leader, a chosen value, the ballot timeline; no console errors', async () => {
  const { page, errors } = await open(browser, server.url + 'paxos/?lab=paxos&speed=0.5&seed=1');
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'paxos');
  assert.equal(await page.locator('svg.network g.node').count(), 5);
  await leader(page);
  await waitChosenAbove(page, -1);
  assert.ok(await page.locator('.px-timeline .px-attempt').count() >= 1, 'the leader\'s ballot is drawn');
  assert.equal(await page.locator('.px-slots tbody tr').count(), 6, 'five acceptors and the chosen row');
  await waitChosenAbove(page, 1);
  await page.screenshot({ path: OUT + 'paxos.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('crashing a minority of acceptors does not stop progress', async () => {
  const { page, errors } = await open(browser, server.url + 'paxos/?lab=paxos&speed=0.5&seed=2');
  const l = Number(await leader(page));
  await waitChosenAbove(page, -1);
  for (const n of [(l + 1) % 5, (l + 2) % 5]) await crash(page, n);
  const before = await topChosen(page);
  await waitChosenAbove(page, before + 1);
  assert.equal(await page.locator('g.node.node-down').count(), 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a partition that leaves no majority stops progress until heal', async () => {
  const { page, errors } = await open(browser, server.url + 'paxos/?lab=paxos&speed=0.5&seed=3');
  await leader(page);
  await waitChosenAbove(page, 0);
  // One node down and the other four split two and two: no side has three of five acceptors.
  await crash(page, 4);
  await page.keyboard.press('p');
  await page.locator('.pgroup[data-node="0"]').click();
  await page.locator('.pgroup[data-node="1"]').click();
  await page.getByTestId('apply-partition').click();
  await page.waitForSelector('g.group-shade[data-group="1"]');
  // Let what was in flight land, then watch two virtual seconds of client traffic go nowhere.
  await waitClock(page, (await clock(page)) + 0.5);
  const stuck = await topChosen(page);
  await waitClock(page, (await clock(page)) + 2);
  assert.equal(await topChosen(page), stuck, 'nothing is chosen without a majority');
  await page.screenshot({ path: OUT + 'paxos-no-majority.png', fullPage: true });
  await page.keyboard.press('h');
  await waitChosenAbove(page, stuck);
  assert.deepEqual(errors, []);
  await page.close();
});

test('single-decree dueling: fixed retries without a leader keep preempting; the timeline shows it', async () => {
  const run = encodeURIComponent(JSON.stringify({
    lab: 'paxos', seed: 1, nodes: 5, network: { latency: '10ms' },
    params: { mode: 'single', proposers: 2, retry: '25ms', backoff: false, leader: false, auto: false },
    actions: [
      { at: 0, do: 'client', node: 0, command: 'propose red' },
      { at: 10000, do: 'client', node: 1, command: 'propose blue' },
    ],
  }));
  const { page, errors } = await open(browser, server.url + `paxos/?run=${run}&speed=0.2`);
  await waitClock(page, 0.6);
  assert.equal(await page.locator('.px-slots td.chosen').count(), 0, 'no value chosen');
  assert.ok(await page.locator('.px-timeline .px-attempt.preempted').count() >= 10, 'many preempted ballots');
  await page.screenshot({ path: OUT + 'paxos-duel.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
