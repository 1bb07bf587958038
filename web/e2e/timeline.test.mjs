// The timeline: scrub back through a run, step back over events, act in the past to branch,
// return to the old branch, share a branch, and the embed's timeline. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const clock = (page) => page.getByTestId('clock').textContent();
const fingerprint = (page) => page.getByTestId('fingerprint').textContent();
const leaders = (page) => page.locator('svg.network g.node.role-leader').count();
const seconds = (text) => Number(text.match(/t = ([\d.]+)s/)[1]);

test('scrubbing back to before the first election shows the leader-less cluster, End returns', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=1&seed=2');
  await page.waitForSelector('svg.network g.node.role-leader', { timeout: 20000 });
  await page.waitForSelector('.timeline .marker-leader', { timeout: 5000 });
  await page.keyboard.press(' ');
  const end = await fingerprint(page);
  const endClock = await clock(page);
  // Drag the scrubber to 0.1 s: no one leads yet, and the log shows that moment's events.
  await page.getByLabel('time in the run').fill('100000');
  assert.equal(await clock(page), 't = 0.1s');
  assert.equal(await leaders(page), 0);
  assert.match(await page.getByTestId('timeline-span').textContent(), /^0\.1s \/ \d/);
  // One move of the scrubber (not a drag) brings the text panels along at once.
  assert.match(await page.getByTestId('fingerprint').textContent(), / at 0\.1s$/);
  assert.match(await page.locator('section.inspector').first().textContent(), /state\s*follower\s*currentTerm\s*0/);
  await page.screenshot({ path: OUT + 'timeline-before-election.png' });
  // The marker names the election; a click jumps to it.
  const marker = page.locator('.timeline .marker-leader').first();
  assert.match(await marker.getAttribute('aria-label'), /^n\d leads term \d+ at /);
  await marker.click();
  assert.equal(await leaders(page), 1, 'at the election');
  await page.keyboard.press('End');
  assert.equal(await clock(page), endClock);
  assert.equal(await fingerprint(page), end, 'the same run at its end');
  assert.deepEqual(errors, []);
  await page.close();
});

test('stepping back over a crash brings the node back up, keyboard only', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=1&seed=3');
  await page.waitForTimeout(1500);
  await page.keyboard.press(' ');
  await page.keyboard.press('2');
  await page.keyboard.press('c');
  const node = page.locator('svg.network g.node[data-node="2"]');
  assert.match(await node.getAttribute('class'), /node-down/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  assert.match(await node.getAttribute('class'), /node-down/, 'one event back is still after the crash');
  await page.keyboard.press('ArrowLeft');
  assert.doesNotMatch(await node.getAttribute('class'), /node-down/, 'before the crash, n2 is up');
  // Shift+arrows move a second; Home goes to the start.
  const t = seconds(await clock(page));
  await page.keyboard.press('Shift+ArrowLeft');
  assert.ok(Math.abs(seconds(await clock(page)) - (t - 1)) < 0.002, await clock(page));
  await page.keyboard.press('Home');
  assert.equal(await clock(page), 't = 0s');
  assert.equal(await page.locator('[data-testid=branches]').count(), 0, 'looking back is not acting');
  assert.deepEqual(errors, []);
  await page.close();
});

test('acting in the past makes a branch; the old branch keeps its future; a branch shares as a link', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=1&seed=4');
  await page.waitForTimeout(3000);
  await page.keyboard.press(' ');
  await page.keyboard.press('End');
  const oldEnd = await fingerprint(page);
  const oldClock = await clock(page);
  await page.getByLabel('time in the run').fill('1000000');
  await page.keyboard.press('1');
  await page.keyboard.press('c');
  const branches = page.getByTestId('branches');
  assert.deepEqual(await branches.locator('option').allTextContents(),
    ['main line', 'branch 1 (from the main line at 1s)']);
  assert.equal(await branches.inputValue(), '1');
  assert.ok(await page.locator('.timeline .marker-action[aria-label^="crash n1"]').count() >= 1);
  // Play the new branch on a little, then share it.
  await page.keyboard.press('Shift+ArrowRight');
  assert.equal(await clock(page), 't = 2s');
  await page.getByRole('button', { name: 'Share' }).click();
  const link = await page.locator('[data-testid=share-link]').inputValue();
  const branchPrint = await fingerprint(page);
  await page.screenshot({ path: OUT + 'timeline-branch.png' });
  // Back to the main line: its future is intact.
  await branches.selectOption('0');
  await page.keyboard.press('End');
  assert.equal(await clock(page), oldClock);
  assert.equal(await fingerprint(page), oldEnd);
  // The shared branch opens at its moment, with the run before it scrubbable.
  const b = await open(browser, link);
  assert.equal(await fingerprint(b.page), branchPrint);
  assert.match(await b.page.getByTestId('timeline-span').textContent(), /^2\.0s \/ 2\.0s$/);
  assert.ok(await b.page.locator('.timeline .marker-action[aria-label^="crash n1"]').count() >= 1);
  await b.page.keyboard.press('Home');
  assert.equal(await clock(b.page), 't = 0s');
  await b.page.keyboard.press('End');
  assert.equal(await fingerprint(b.page), branchPrint);
  assert.deepEqual([...errors, ...b.errors], []);
  await b.page.close();
  await page.close();
});

test('Step sends the automatic client requests that Play sends: the same run either way', async () => {
  const stepped = await open(browser, server.url + '?seed=5');
  await stepped.page.keyboard.press(' ');
  await stepped.page.keyboard.press('Home');
  while (seconds(await clock(stepped.page)) < 1.1) await stepped.page.keyboard.press('s');
  await stepped.page.getByLabel('time in the run').fill('1200000');
  const played = await open(browser, server.url + '?seed=5&speed=1');
  await played.page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]').textContent.match(/[\d.]+/)[0]) > 1.3);
  await played.page.keyboard.press(' ');
  await played.page.getByLabel('time in the run').fill('1200000');
  assert.equal(await clock(stepped.page), 't = 1.2s');
  // While the scrubber moves the text panels follow within 200 ms, as when playing.
  const settled = (page) => page.waitForFunction(() => document.querySelector('[data-testid=fingerprint]').textContent.endsWith(' at 1.2s'));
  await settled(stepped.page);
  await settled(played.page);
  assert.equal(await fingerprint(stepped.page), await fingerprint(played.page));
  // The requests reached the leader's log (set commands at 0.5 and 0.9 s).
  assert.ok(await stepped.page.locator('.log-table td, .raft-log td, table td').filter({ hasText: /t\d/ }).count() > 0);
  assert.deepEqual([...stepped.errors, ...played.errors], []);
  await stepped.page.close();
  await played.page.close();
});

test('an embed with the seek control and the timeline panel scrubs and obeys seek', async () => {
  const src = `${server.url}?embed=1&controls=play,seek&panels=lab,timeline&autoplay=true&speed=1`;
  const page = await browser.newPage({ viewport: { width: 560, height: 640 } });
  await page.setContent(`<iframe src="${src}" width="520" height="600" style="border:0"></iframe>`);
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-testid=timeline]').waitFor({ timeout: 20000 });
  await page.waitForTimeout(1500);
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ splitbrain: 1, type: 'seek', t: '0.5s' }, '*'));
  await frame.locator('[data-testid=clock]').filter({ hasText: 't = 0.5s' }).waitFor({ timeout: 5000 });
  await frame.getByLabel('time in the run').fill('200000');
  assert.equal(await frame.locator('[data-testid=clock]').textContent(), 't = 0.2s');
  await page.screenshot({ path: OUT + 'timeline-embed.png' });
  // Without the panel (the default), no timeline.
  const plain = await browser.newPage();
  await plain.goto(`${server.url}?embed=1&controls=play,seek`);
  await plain.waitForSelector('svg.network g.node');
  assert.equal(await plain.locator('[data-testid=timeline]').count(), 0);
  await plain.close();
  await page.close();
});

test('at 360 px the timeline fits the width', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=1', { width: 360, height: 740 });
  await page.waitForTimeout(2000);
  const box = await page.getByTestId('timeline').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
  await page.screenshot({ path: OUT + 'timeline-360.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('an exercise that turns rewinding off: the timeline is shown but cannot be scrubbed, keys say why', async () => {
  const exercise = {
    id: 'one-pass', title: 'One pass', lab: 'raft', level: 'guided', brief: 'Crash the leader once.',
    controls: 'crash', rewind: false, time_limit: '20s', goals: [{ check: { leader_elected: {} } }],
  };
  const { page, errors } = await open(browser, `${server.url}?def=${encodeURIComponent(JSON.stringify(exercise))}&speed=1`);
  await page.waitForTimeout(1500);
  await page.keyboard.press(' ');
  assert.equal(await page.getByLabel('time in the run').isDisabled(), true);
  const before = await clock(page);
  await page.keyboard.press('ArrowLeft');
  assert.match(await page.getByTestId('notice').textContent(), /does not allow going back in time\./);
  assert.equal(await clock(page), before, 'still where it was');
  assert.deepEqual(errors, []);
  await page.close();
});
