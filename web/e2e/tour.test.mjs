// Guided tours in the browser: the first-visit offer, the Raft tour played by clicking as a
// reader would through a "your turn" step, going back two steps to the very same run, a step's
// link opened cold, keyboard only, the live region, and a tour inside an embed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const pos = (page) => page.getByTestId('tour-pos').textContent();
const atStep = (page, n) => page.waitForFunction((n) => document.querySelector('[data-testid=tour]')?.dataset.step === String(n),
  n, { timeout: 30000, polling: 100 });
const clock = (page) => page.getByTestId('clock').textContent();
/** Virtual µs the shown step started at, as the card says. */
const startOf = (page) => page.getByTestId('tour').getAttribute('data-start');
const node = (page, i) => page.locator(`svg.network g.node[data-node="${i}"]`).getAttribute('aria-label');

test('a first visit is offered the tour once; No thanks is kept, Start opens step 1', async () => {
  const { page, errors } = await open(browser, server.url, undefined, { firstVisit: true });
  await page.getByTestId('tour-offer').waitFor();
  assert.match(await page.getByTestId('tour-offer').textContent(), /New to Raft\?.*minutes/);
  await page.getByTestId('tour-offer-dismiss').click();
  assert.equal(await page.getByTestId('tour-offer').count(), 0);
  await page.reload();
  await page.waitForSelector('svg.network g.node');
  assert.equal(await page.getByTestId('tour-offer').count(), 0, 'never again once dismissed');
  // The header still lists the lab's tour.
  await page.getByTestId('tour-button').click();
  await atStep(page, 1);
  assert.equal(await pos(page), 'Step 1 of 22');
  await page.close();

  const fresh = await open(browser, server.url, undefined, { firstVisit: true });
  await fresh.page.getByTestId('tour-offer-start').click();
  await atStep(fresh.page, 1);
  assert.match(await fresh.page.getByTestId('tour-text').textContent(), /replicated state machine/);
  assert.deepEqual([...errors, ...fresh.errors], []);
  await fresh.page.close();
});

test('the Raft tour played by clicking through a your-turn step, then back two steps to the same run', async () => {
  const { page, errors } = await open(browser, server.url + '?tour=raft');
  await atStep(page, 1);
  // The screen reader is told each step.
  const said = page.getByTestId('tour-said');
  assert.equal(await said.getAttribute('aria-live'), 'polite');
  assert.match(await said.textContent(), /^Step 1 of 22, What a replicated log is for: Five servers/);
  assert.match(await page.getByTestId('tour-look').textContent(), /Look at: the lab's table/);
  await page.getByTestId('tour-next').click();
  await atStep(page, 2);
  await page.getByTestId('tour-next').click();
  // Step 3 waits for a real election, playing: the tour goes on by itself.
  await atStep(page, 3);
  assert.match(await page.getByTestId('tour-status').textContent(), /Waiting until a leader is elected/);
  assert.ok(await page.locator('.shell.tour-kind-a').count(), 'vote messages stand out');
  await atStep(page, 4);
  assert.match(await clock(page), /198/, 'the step starts at the election, whatever the frame rate');
  assert.match(await node(page, 3), /leader/);
  await page.getByTestId('tour-next').click();
  await atStep(page, 5);
  await page.getByTestId('tour-next').click(); // Skip ahead past the heartbeats
  await atStep(page, 6);
  await page.getByTestId('tour-next').click();
  await atStep(page, 7); // waits for entry 1 to commit
  await atStep(page, 8);
  await page.getByTestId('tour-next').click();
  await atStep(page, 9);
  await page.getByTestId('tour-next').click(); // Skip ahead past the traffic
  await atStep(page, 10);
  assert.match(await page.getByTestId('tour-text').textContent(), /Your turn\. Crash the leader, n3/);
  const startOf10 = await startOf(page);
  // The reader's turn: select n3 and crash it.
  await page.locator('svg.network g.node[data-node="3"]').click();
  await page.getByRole('button', { name: 'Crash node' }).click();
  await atStep(page, 11);
  assert.match(await node(page, 3), /crashed/);
  await page.screenshot({ path: OUT + 'tour-raft-step11-1280.png' });
  // Back two steps: step 10 as it started (n3 up, leading), then step 9.
  await page.getByTestId('tour-back').click();
  await atStep(page, 10);
  assert.equal(await startOf(page), startOf10);
  assert.match(await node(page, 3), /leader/, 'the crash is undone: the step as it started');
  await page.getByTestId('tour-back').click();
  await atStep(page, 9);
  const at9 = await startOf(page);
  assert.equal(at9, '725723');
  // And again: going back is the same every time.
  await page.getByTestId('tour-next').click();
  await atStep(page, 10);
  assert.equal(await startOf(page), startOf10);
  await page.getByTestId('tour-back').click();
  await atStep(page, 9);
  assert.equal(await startOf(page), at9);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a step's link opened cold is the same run, and the keyboard alone moves through steps", async () => {
  const { page, errors } = await open(browser, server.url + '?tour=raft&step=12');
  await atStep(page, 12);
  assert.equal(await startOf(page), '2888965');
  assert.match(await node(page, 2), /leader/);
  assert.match(await node(page, 3), /crashed/);
  await page.keyboard.press('ArrowLeft');
  await atStep(page, 11);
  await page.keyboard.press('ArrowRight');
  await atStep(page, 12);
  // Tab to the card's Continue button and press Enter.
  const next = page.getByTestId('tour-next');
  for (let i = 0; i < 80 && !(await next.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab');
  assert.ok(await next.evaluate((b) => b === document.activeElement), 'Continue is reachable by Tab');
  await page.keyboard.press('Enter');
  await atStep(page, 13);
  assert.deepEqual(errors, []);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: OUT + 'tour-raft-step13-375.png', fullPage: true });
  await page.close();
});

test('a tour in an embed: data-tour and data-step, and the host hears each step', async () => {
  const page = await browser.newPage({ viewport: { width: 700, height: 1100 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent(`<!doctype html><body>
    <div data-splitbrain data-tour="raft" data-step="3" data-lazy="false" data-height="900"></div>
    <script src="${server.url}embed.js"></script>
    <script>window.events = []; document.addEventListener('splitbrain', (e) => window.events.push(e.detail));</script></body>`);
  const frame = page.frameLocator('iframe');
  await frame.getByTestId('tour').waitFor();
  await page.waitForFunction(() => window.events.some((e) => e.type === 'tour-step' && e.step === 3), null, { timeout: 30000 });
  // Step 3 waits for the election; the host hears step 4 when it comes.
  await page.waitForFunction(() => window.events.some((e) => e.type === 'tour-step' && e.step === 4 && e.steps === 22), null, { timeout: 30000 });
  await frame.getByTestId('tour-next').click();
  await page.waitForFunction(() => window.events.some((e) => e.type === 'tour-step' && e.step === 5), null, { timeout: 30000 });
  await page.setViewportSize({ width: 320, height: 1100 });
  await page.screenshot({ path: OUT + 'tour-embed-320.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a tour link that cannot be used says why and leaves a working page', async () => {
  for (const [query, words] of [
    ['?tour=raft&step=99', /The tour could not open: the raft tour has steps 1 to 22/],
    ['?tour=nope', /There is no tour called "nope"/],
    ['?tour=raft&step=0', /step must be a step number from 1/],
    ['?tour=%3Cscript%3E', /is not a tour's name/],
  ]) {
    const { page, errors } = await open(browser, server.url + query);
    await page.getByText(words).waitFor();
    assert.equal(await page.getByTestId('tour').count() > 0, query === '?tour=raft&step=0', query);
    assert.deepEqual(errors, [], query);
    await page.close();
  }
});
