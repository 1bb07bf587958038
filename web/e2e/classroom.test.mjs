// Exercises as a student and a teacher use them: solve one through the page, hand in the
// solution link, and grade it with the CLI; progress kept, exported and imported; the teacher's
// builder. Run by `cargo xtask test` after the release CLI and `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = ['target/release/splitbrain', 'target/debug/splitbrain'].map((p) => join(ROOT, p)).find(existsSync);

/** Grades `rows` ([student, exercise, link]) against a shipped pack with the CLI, as JSON. */
function grade(pack, rows) {
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-grade-'));
  const csv = join(dir, 'class.csv');
  writeFileSync(csv, 'student,exercise,link\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  const out = execFileSync(CLI, ['grade', '--exercises', join(ROOT, `exercises/${pack}.toml`), '--solutions', csv, '--format', 'json']);
  return JSON.parse(out);
}

const met = (page) => page.locator('[data-testid=goals] li[data-met=true]').count();

test('solve an exercise through the page; the solution link grades full marks with the CLI', async () => {
  assert.ok(CLI, 'the splitbrain CLI is built');
  const { page, errors } = await open(browser, server.url + '?exercise=raft-failover&t=1s&speed=0.5');
  const card = page.getByTestId('lesson');
  await card.waitFor();
  assert.match(await card.textContent(), /Fail over/);
  assert.equal(await met(page), 0);
  // Only the crash control is given: the partition buttons are hidden and refused.
  assert.equal(await page.getByRole('button', { name: 'Isolate node' }).isVisible(), false);
  assert.equal(await page.getByRole('button', { name: /Crash node/ }).isVisible(), true);
  await page.keyboard.press('i');
  assert.match(await page.getByTestId('notice').textContent(), /does not allow partitions\./);
  await page.getByRole('button', { name: 'dismiss' }).click();
  // Crash the leader n3, then play until a new leader is elected.
  await page.keyboard.press('3');
  await page.keyboard.press('c');
  await page.waitForSelector('g.node.node-down[data-node="3"]');
  assert.match(await page.getByTestId('budget').textContent(), /actions 1 of 2/);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=goals] li[data-met=true]').length === 1, null, { timeout: 20000 });
  await page.keyboard.press(' ');
  // Restart n3: it rejoins under the new leader, and the exercise is solved.
  await page.keyboard.press('c');
  await page.getByTestId('solved').waitFor();
  assert.equal(await met(page), 2);
  await page.screenshot({ path: OUT + 'exercise-solved.png' });
  const link = await page.getByTestId('solution-link').inputValue();
  assert.match(link, /\?exercise=raft-failover&hash=[0-9a-f]{16}&run=/);
  // The budget is spent: one more action is refused.
  await page.keyboard.press('c');
  assert.match(await page.getByTestId('notice').textContent(), /allows 2 actions/);

  const [ok, tampered, other] = grade('raft', [
    ['ada', 'raft-failover', link],
    ['bob', 'raft-failover', link.replace(/hash=[0-9a-f]{16}/, 'hash=0000000000000000')],
    ['cy', 'raft-depose', link],
  ]);
  assert.equal(ok.status, 'graded');
  assert.equal(ok.score, 2);
  assert.equal(ok.score, ok.max_score);
  assert.equal(tampered.status, 'rejected');
  assert.match(tampered.reason, /another version of "raft-failover"/);
  assert.equal(other.status, 'rejected');
  assert.match(other.reason, /for exercise "raft-failover", not "raft-depose"/);

  // The page kept the result: the list says solved, and the solution link replays to it.
  await page.getByTestId('exercises-button').click();
  const row = page.getByTestId('exercise-list').locator('li', { has: page.locator('[data-exercise=raft-failover]') });
  assert.match(await row.textContent(), /solved/);
  await page.screenshot({ path: OUT + 'exercise-list.png' });
  const replay = await browser.newPage();
  await replay.goto(link.replace(/^https?:\/\/[^/]+\//, server.url) + '&t=3s');
  await replay.getByTestId('lesson').waitFor();
  await replay.waitForFunction(() => document.querySelectorAll('[data-testid=goals] li[data-met=true]').length === 2);
  assert.deepEqual(errors, []);
  await replay.close();
  await page.close();
});

test('progress exports to a file and imports into another browser', async () => {
  const { page } = await open(browser, server.url + '?exercise=raft-term-3&t=500ms&speed=0.5');
  await page.evaluate(() => localStorage.setItem('splitbrain-progress', JSON.stringify({ app: 'test', exercises: {} })));
  // Solve raft-term-3 through the page: crash n2, the leader n3, restart n3, crash the next.
  await page.keyboard.press('2'); await page.keyboard.press('c');
  await page.keyboard.press('3'); await page.keyboard.press('c');
  const next = async () => page.evaluate(() => document.querySelector('g.node.role-leader')?.getAttribute('data-node'));
  await page.keyboard.press(' ');
  await page.waitForFunction(() => [...document.querySelectorAll('g.node.role-leader')].some((g) => g.getAttribute('data-node') !== '3'), null, { timeout: 20000 });
  await page.keyboard.press(' ');
  await page.keyboard.press('3'); await page.keyboard.press('c');
  const leader = await next();
  await page.keyboard.press(leader); await page.keyboard.press('c');
  await page.keyboard.press(' ');
  await page.getByTestId('solved').waitFor({ timeout: 20000 });
  await page.getByTestId('exercises-button').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-progress').click()]);
  // Kept apart from the download, which goes when its page closes.
  const file = join(mkdtempSync(join(tmpdir(), 'splitbrain-progress-')), 'progress.json');
  await download.saveAs(file);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  // Results are kept per version of an exercise: its id and content hash.
  const key = Object.keys(saved.exercises).find((k) => k.startsWith('raft-term-3#'));
  assert.ok(key, Object.keys(saved.exercises).join());
  assert.equal(saved.exercises[key].score, 2);
  assert.match(saved.exercises[key].link, /exercise=raft-term-3/);
  const [graded] = grade('raft', [['me', 'raft-term-3', saved.exercises[key].link]]);
  assert.equal(graded.score, graded.max_score);
  await page.close();

  // A fresh browser context: nothing kept, then the file brings it back.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(server.url + '?exercises');
  const list = fresh.getByTestId('exercise-list');
  await list.waitFor();
  const row = list.locator('li', { has: fresh.locator('[data-exercise=raft-term-3]') });
  assert.doesNotMatch(await row.textContent(), /solved/);
  await fresh.getByTestId('import-progress').setInputFiles(file);
  await fresh.waitForFunction(() => /Imported: 1 result/.test(document.querySelector('[data-testid=notice]')?.textContent ?? ''));
  assert.match(await row.textContent(), /solved/);
  // A file that is not progress is refused with a reason, and nothing changes.
  const bad = join(mkdtempSync(join(tmpdir(), 'splitbrain-bad-')), 'bad.json');
  writeFileSync(bad, '{"not": "progress"}');
  await fresh.getByTestId('import-progress').setInputFiles(bad);
  await fresh.waitForFunction(() => /Not imported: not a Splitbrain progress file/.test(document.querySelector('[data-testid=notice]')?.textContent ?? ''));
  assert.match(await row.textContent(), /solved/);
  await context.close();
});

test('an exercise of another page forwards there; a bad exercise link says so', async () => {
  const { page, errors } = await open(browser, server.url + '?exercise=paxos-livelock');
  await page.waitForURL(/\/paxos\/\?exercise=paxos-livelock/);
  await page.getByTestId('lesson').waitFor();
  assert.match(await page.getByTestId('lesson').textContent(), /Dueling proposers/);
  await page.screenshot({ path: OUT + 'exercise-paxos.png' });
  await page.goto(server.url + '?exercise=no-such-thing');
  await page.waitForSelector('svg.network g.node');
  assert.match(await page.getByTestId('notice').textContent(), /there is no exercise "no-such-thing"/);
  assert.equal(await page.getByTestId('lesson').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a teacher makes an exercise from the current run and students open its link', async () => {
  const { page, errors } = await open(browser, server.url + '?t=1s');
  await page.getByTestId('exercises-button').click();
  await page.getByTestId('author-open').click();
  const author = page.getByTestId('author');
  await author.waitFor();
  // No goal yet: the builder says what is missing.
  assert.match(await page.getByTestId('author-error').textContent(), /1 to 20 goals/);
  await page.getByTestId('author-add-goal').selectOption('leader_elected');
  await page.getByTestId('author-id').fill('raft-mine');
  const toml = await page.getByTestId('author-toml').inputValue();
  assert.match(toml, /\[\[exercise\]\]\nid = "raft-mine"/);
  assert.match(toml, /check = \{ leader_elected = \{ min_term = 2 \} \}/);
  await page.screenshot({ path: OUT + 'exercise-author.png' });
  const link = await page.getByTestId('author-link').inputValue();
  const student = await browser.newPage();
  await student.goto(link.replace(/^https?:\/\/[^/]+\//, server.url));
  await student.getByTestId('lesson').waitFor();
  assert.match(await student.getByTestId('lesson').textContent(), /My exercise/);
  assert.deepEqual(errors, []);
  await student.close();
  await page.close();
});

test('on a phone the exercise card comes first, above the network, with no sideways scroll', async () => {
  const { page, errors } = await open(browser, server.url + '?exercise=raft-term-3&t=1s', { width: 360, height: 740 });
  const card = await page.getByTestId('lesson').boundingBox();
  const net = await page.locator('svg.network').first().boundingBox();
  assert.ok(card.y + card.height <= net.y, `card ${card.y}+${card.height} above network ${net.y}`);
  assert.ok(card.y < 740, 'the card is in the first screen');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
  await page.screenshot({ path: OUT + 'exercise-phone.png' });
  assert.deepEqual(errors, []);
  await page.close();
});
