// "Hunt for a bug" in the page: a Web Worker searches seeds while the run keeps playing, the
// first failing run is shrunk, listed in words and opened as an ordinary run stopped at its
// violation; cancel and restart work; the correct algorithm yields nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, stop, open, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(async () => { await stop(server, browser); });

async function openHunt(page, variant, count) {
  await page.locator('[data-testid=hunt] summary').click();
  await page.getByTestId('hunt-variant').selectOption(variant);
  await page.getByTestId('hunt-count').selectOption(String(count));
}

test('hunting no-log-check finds it, shrinks it, lists it and opens it at the violation', async () => {
  const { page, errors } = await open(browser, server.url + '?seed=1');
  // The worker is not part of the page's first download.
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await openHunt(page, 'no-log-check', 100);
  assert.ok(!fetched.some((p) => p.includes('hunt-worker')), 'no worker before Hunt');
  const clockBefore = await page.getByTestId('clock').textContent();
  await page.getByTestId('hunt-start').click();
  await page.waitForSelector('[data-testid=hunt-open]', { timeout: 60000 });
  assert.ok(fetched.some((p) => p.endsWith('hunt-worker_bg.wasm')), 'the worker loaded on Hunt');
  const status = await page.getByTestId('hunt-status').textContent();
  assert.match(status, /^Found at seed 4 after 4 seeds \([\d.]+ s\); shrunk from 43 actions to 7 in [\d.]+ s\.$/);
  // The same as `splitbrain shrink raft --seed 4 --until 30s --latency 10ms..20ms --param
  // variant=no-log-check --random-faults` prints natively (crates/cli/tests/hunt.rs): the
  // worker runs the same code on the page's run (its links are 10–20 ms).
  const schedule = await page.locator('[data-testid=hunt-schedule] li').allTextContents();
  assert.deepEqual(schedule, ['at 10.017733s crash n1', 'at 11.263986s crash n3', 'at 14.878607s duplication 12%',
    'at 20.757448s set y=78 → n4', 'at 21.383713s loss 18%', 'at 22.081617s crash n4', 'at 23.17597s restart n1']);
  // The page kept playing meanwhile.
  assert.notEqual(await page.getByTestId('clock').textContent(), clockBefore);
  await page.screenshot({ path: OUT + 'hunt-found.png' });
  await page.getByTestId('hunt-open').click();
  // The shrunk run, stopped at the event that breaks LeaderCompleteness, with its actions on
  // the timeline.
  await page.waitForSelector('.violation[data-testid=safety]', { timeout: 10000 });
  assert.match(await page.getByTestId('safety').textContent(), /LeaderCompleteness broken/);
  await page.waitForSelector('g.node.node-flagged');
  assert.equal(await page.locator('.timeline .marker-action').count(), 7);
  assert.match(await page.getByTestId('clock').textContent(), /t = 23\.74/);
  await page.screenshot({ path: OUT + 'hunt-opened.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a hunt can be cancelled and restarted; the correct algorithm holds for every seed', async () => {
  const { page, errors } = await open(browser, server.url + '?seed=1', { width: 375, height: 900 });
  await openHunt(page, 'correct', 100);
  await page.getByTestId('hunt-start').click();
  await page.waitForFunction(() => /of 100 seeds/.test(document.querySelector('[data-testid=hunt-status]')?.textContent ?? ''), null, { timeout: 30000 });
  await page.getByTestId('hunt-cancel').click();
  assert.equal(await page.locator('[data-testid=hunt-status]').count(), 0, 'cancelled: the status is gone');
  await page.getByTestId('hunt-count').selectOption('100');
  await page.getByTestId('hunt-start').click();
  await page.waitForFunction(() => /^No violation in 100 seeds/.test(document.querySelector('[data-testid=hunt-status]')?.textContent ?? ''), null, { timeout: 120000 });
  await page.locator('[data-testid=hunt]').screenshot({ path: OUT + 'hunt-none-375.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a hunt draws only the kinds of fault left ticked', async () => {
  const { page, errors } = await open(browser, server.url + '?seed=1');
  await openHunt(page, 'no-log-check', 1000);
  // Partitions, loss and duplication off: crashes and client load only.
  for (const i of [1, 2, 3]) await page.getByTestId(`hunt-fault-${i}`).uncheck();
  await page.getByTestId('hunt-start').click();
  await page.waitForSelector('[data-testid=hunt-open]', { timeout: 60000 });
  const schedule = await page.locator('[data-testid=hunt-schedule] li').allTextContents();
  assert.ok(schedule.length >= 1);
  for (const a of schedule) assert.match(a, /^at [\d.]+s (crash n\d|restart n\d|set \w=\d+ → n\d)$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the hashing page hunts release-early with one replica and opens the lost key', async () => {
  const { page, errors } = await open(browser, server.url + 'hashing/?lab=hashing&seed=1');
  await openHunt(page, 'release-early', 100);
  assert.match(await page.locator('[data-testid=hunt] .hint').last().textContent() + await page.locator('[data-testid=hunt]').textContent(),
    /hunted with 1 replica/);
  await page.getByTestId('hunt-start').click();
  await page.waitForSelector('[data-testid=hunt-open]', { timeout: 60000 });
  assert.match(await page.getByTestId('hunt-status').textContent(), /^Found at seed \d+ after \d+ seeds? /);
  assert.match(await page.locator('.hunt-broken').textContent(), /^(NoLostKeys|ReplicasHoldKeys) broke at/);
  await page.getByTestId('hunt-open').click();
  await page.waitForSelector('.violation[data-testid=safety]', { timeout: 10000 });
  assert.match(await page.getByTestId('safety').textContent(), /(NoLostKeys|ReplicasHoldKeys) broken/);
  assert.deepEqual(errors, []);
  await page.close();
});
