// The page as a visitor uses it. Run by `cargo xtask test` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop, OUT, checkInFrame } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const clock = (page) => page.locator('[data-testid=clock]').textContent();

const leader = (page, not = null) => page.evaluate((not) => [...document.querySelectorAll('g.node.role-leader')]
  .map((g) => g.getAttribute('data-node')).find((n) => n !== not) ?? null, not);
const term = (page, n) => page.evaluate((n) => Number(document.querySelector(`g.node[data-node="${n}"]`)
  .getAttribute('aria-label').match(/\bt(\d+)\b/)[1]), n);
const waitLeader = async (page, not = null, timeout = 20000) => {
  await page.waitForFunction((not) => [...document.querySelectorAll('g.node.role-leader')]
    .some((g) => g.getAttribute('data-node') !== not), not, { timeout });
  return leader(page, not);
};

test('the page opens on the Raft lab: five nodes, labelled messages moving, no console errors', async () => {
  const { page, errors } = await open(browser, server.url);
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'raft');
  assert.equal(await page.locator('svg.network g.node').count(), 5);
  await page.waitForSelector('svg.network g.msg .msg-label', { timeout: 15000 });
  assert.match(await page.locator('svg.network g.msg .msg-label').first().textContent(), /^(RequestVote|Vote|Append|Ack|Nack) t\d/);
  const before = await clock(page);
  await page.waitForFunction((b) => document.querySelector('[data-testid=clock]').textContent !== b, before);
  await page.screenshot({ path: OUT + 'app.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('message labels stay clear of every node circle and its words as messages leave and arrive', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.3&seed=3');
  await page.waitForSelector('svg.network g.msg .msg-label', { timeout: 15000 });
  let seen = 0;
  for (let frame = 0; frame < 40; frame++) {
    const before = await clock(page);
    await page.waitForFunction((b) => document.querySelector('[data-testid=clock]').textContent !== b, before);
    const hits = await page.evaluate(() => {
      const circles = [...document.querySelectorAll('svg.network g.node > circle')].map((c) => {
        const r = c.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, r: r.width / 2, n: c.parentNode.getAttribute('data-node') };
      });
      const words = [...document.querySelectorAll('svg.network g.node text.node-role, svg.network g.node text.node-sub')]
        .map((w) => ({ r: w.getBoundingClientRect(), n: w.parentNode.getAttribute('data-node') }));
      const labels = [...document.querySelectorAll('svg.network g.msg .msg-label')];
      const bad = [];
      for (const t of labels) {
        const b = t.getBoundingClientRect();
        for (const w of words) {
          if (b.left < w.r.right - 1 && w.r.left < b.right - 1 && b.top < w.r.bottom - 1 && w.r.top < b.bottom - 1) bad.push(`${t.textContent} over n${w.n}'s words`);
        }
        for (const c of circles) {
          const nx = Math.min(Math.max(c.x, b.left), b.right);
          const ny = Math.min(Math.max(c.y, b.top), b.bottom);
          // A pixel of slack for glyph boxes that round outward.
          if (Math.hypot(c.x - nx, c.y - ny) < c.r - 1) bad.push(`${t.textContent} under n${c.n}`);
        }
      }
      return { count: labels.length, bad };
    });
    seen += hits.count;
    assert.deepEqual(hits.bad, [], `frame ${frame}`);
  }
  assert.ok(seen > 40, `labels were on screen (${seen} seen)`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('crashing the leader leads to a new leader with a higher term', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=2');
  const old = await waitLeader(page);
  const oldTerm = await term(page, old);
  await page.keyboard.press(old);
  await page.keyboard.press('c');
  await page.waitForSelector(`g.node.node-down[data-node="${old}"]`);
  const next = await waitLeader(page, old);
  assert.notEqual(next, old);
  assert.ok(await term(page, next) > oldTerm, 'the new leader won a later term');
  await page.screenshot({ path: OUT + 'raft-new-leader.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a leader cut off in a minority cannot commit; after heal its entry is replaced', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=4');
  const old = await waitLeader(page);
  await page.waitForSelector('.raft-log td.entry.committed', { timeout: 20000 });
  await page.getByRole('checkbox', { name: 'client traffic (A)' }).uncheck();
  // The partition tool: the leader and one follower into group B, the other three stay in A.
  const buddy = String((Number(old) + 1) % 5);
  await page.keyboard.press('p');
  await page.locator(`.pgroup[data-node="${old}"]`).click();
  await page.locator(`.pgroup[data-node="${buddy}"]`).click();
  await page.getByTestId('apply-partition').click();
  await page.waitForSelector('g.group-shade[data-group="1"]');
  // The groups keep the letters they were given: the two moved nodes are B, whatever their ids.
  for (const n of [old, buddy]) assert.equal(await page.locator(`g.group-shade[data-node="${n}"] text`).textContent(), 'B');
  assert.equal(await page.locator('g.group-shade text', { hasText: 'A' }).count(), 3);
  // A request to the old leader is appended to its log but never committed.
  await page.keyboard.press(old);
  await page.waitForSelector('.partition-tool', { state: 'detached' });
  await page.getByLabel('request', { exact: true }).fill('set x=minority');
  await page.getByRole('button', { name: /^Send to n/ }).click();
  const row = (n) => `.raft-log tbody tr:nth-child(${Number(n) + 1})`;
  await page.waitForSelector(`${row(old)} td.entry.pending[title*="set x=minority"]`);
  // The majority elects its own leader and commits a request of its own.
  const next = await waitLeader(page, old);
  assert.ok(![old, buddy].includes(next), 'the new leader is in the majority');
  // The old leader still believes it leads: drawn as stale, on the picture and in the table.
  await page.waitForSelector(`g.node.role-stale-leader[data-node="${old}"]`);
  // The text panels follow at 5 Hz: wait for them.
  await page.locator(`${row(old)} td.state`, { hasText: 'stale leader' }).waitFor();
  // The real leader's nextIndex and matchIndex for each follower, in that follower's row.
  await page.locator(`${row(buddy)} td.state`, { hasText: /^next \d+ · match \d+$/ }).waitFor();
  await page.keyboard.press(next);
  await page.getByLabel('request', { exact: true }).fill('set x=majority');
  await page.getByRole('button', { name: /^Send to n/ }).click();
  await page.waitForSelector(`${row(next)} td.entry.committed[title*="set x=majority"]`, { timeout: 20000 });
  assert.equal(await page.locator(`${row(old)} td.entry.pending[title*="set x=minority"]`).count(), 1, 'still uncommitted');
  assert.equal(await page.locator('td.entry.committed[title*="set x=minority"]').count(), 0);
  await page.screenshot({ path: OUT + 'raft-minority.png' });
  await page.keyboard.press('h');
  await page.waitForFunction(() => !document.querySelector('td.entry[title*="set x=minority"]'), null, { timeout: 20000 });
  await page.waitForSelector(`${row(old)} td.entry.committed[title*="set x=majority"]`, { timeout: 20000 });
  assert.equal(await page.locator(`g.node.role-leader[data-node="${old}"]`).count(), 0, 'the old leader stepped down');
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
  const { page, errors } = await open(browser, server.url + '?nodes=1000000000&lab=paxos9&seed=abc&speed=NaN&run=%7B%22lab%22%3A');
  const notice = await page.locator('[data-testid=notice]').textContent();
  assert.match(notice, /the raft lab draws at most 9 nodes on the page, got 1000000000/);
  assert.match(notice, /unknown lab "paxos9"/);
  assert.match(notice, /seed "abc"/);
  assert.match(notice, /speed must be between 0.001 and 10/);
  assert.match(notice, /the shared run cannot be read/);
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

test('the shell is lab-agnostic: ?lab=broadcast draws the gossip lab with its own legend, on its own page', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=broadcast&nodes=4');
  await page.waitForURL(/\/broadcast\/\?lab=broadcast&nodes=4$/);
  await page.waitForSelector('svg.network g.node');
  assert.equal(await page.locator('svg.network g.node').count(), 4);
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'broadcast');
  assert.match(await page.locator('.legend').textContent(), /gossip.*digest/);
  await page.waitForSelector('svg.network g.msg', { timeout: 15000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Raft lab elects a leader on the page within a few seconds', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft');
  assert.equal(await page.getByLabel('lab', { exact: true }).inputValue(), 'raft');
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
  const { page, errors } = await open(browser, server.url + 'broadcast/?lab=broadcast&param.variant=%22volatile%22');
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
  const { page, errors } = await open(browser, server.url + 'broadcast/?lab=broadcast&seed=5');
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
  // n0 (selected) must have heard from the leader, or it refuses the request: "no leader known".
  await page.waitForFunction(() => /leader\s*n\d/.test(document.querySelector('.inspector').textContent), null, { timeout: 15000 });
  await page.getByRole('checkbox', { name: 'client traffic (A)' }).uncheck();
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
  assert.match(await page.locator('[data-testid=notice]').textContent(), /expected `set key=value`, `get key`, `cas key old new` or `incr key`/);
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

test('a message clicked while the run plays shows its fields at once and pauses the run so they can be read', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft&speed=0.02');
  await page.waitForSelector('svg.network g.msg', { timeout: 15000 });
  // A message clicked as soon as it is drawn: newer than what the text panels last read (they
  // follow a playing run at 5 Hz), and still in flight.
  const seen = await page.evaluate(async () => {
    // The network view is layers of SVG; messages have their own.
    const svg = document.querySelector('.stage');
    const out = [];
    {
      const g = await new Promise((done) => {
        const known = new Set([...svg.querySelectorAll('svg.network g.msg')].map((m) => m.dataset.msg));
        const watch = new MutationObserver(() => {
          const fresh = [...svg.querySelectorAll('svg.network g.msg')].find((m) => !known.has(m.dataset.msg));
          if (fresh) { watch.disconnect(); done(fresh); }
        });
        watch.observe(svg, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-msg'] });
      });
      g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      await new Promise((done) => setTimeout(done, 0));
      out.push([g.dataset.msg, document.querySelector('[aria-label="message inspector"]').textContent]);
    }
    return out;
  });
  for (const [id, text] of seen) assert.match(text, new RegExp(`Message #${id}.*from → to.*n\\d → n\\d`));
  assert.equal(await page.getByRole('button', { name: '▶ Play' }).count(), 1, 'paused, so the fields can be read');
  // Its hit area is at least 24 CSS px across, for a finger.
  const hit = await page.locator(`svg.network g.msg[data-msg="${seen[0][0]}"] circle.msg-hit`).boundingBox();
  assert.ok(hit.width >= 24 && hit.height >= 24, JSON.stringify(hit));
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

test('a shared Raft link, opened in a fresh page, reaches the same inspector state', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=9');
  const old = await waitLeader(page);
  await page.keyboard.press(old);
  await page.keyboard.press('c');
  await waitLeader(page, old);
  await page.keyboard.press('3');
  await page.keyboard.press('i');
  await page.waitForTimeout(800);
  await page.getByRole('button', { name: 'Share' }).click();
  const link = await page.locator('[data-testid=share-link]').inputValue();
  const inspect = async (p, n) => { await p.keyboard.press(n); return p.getByLabel('inspector', { exact: true }).textContent(); };
  const want = { fingerprint: await page.locator('[data-testid=fingerprint]').textContent(),
    n1: await inspect(page, '1'), leader: await inspect(page, old), logs: await page.locator('.raft-log').textContent() };
  assert.match(want.n1, /currentTerm\s*\d+.*votedFor.*commitIndex\s*\d+.*lastApplied\s*\d+.*log.*kv/s);
  const b = await open(browser, link);
  const got = { fingerprint: await b.page.locator('[data-testid=fingerprint]').textContent(),
    n1: await inspect(b.page, '1'), leader: await inspect(b.page, old), logs: await b.page.locator('.raft-log').textContent() };
  assert.deepEqual(got, want);
  assert.deepEqual([...errors, ...b.errors], []);
  await b.page.close();
  await page.close();
});

test('dropped messages fade out where they died; duplicated ones are marked', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.1&seed=3&latency=40ms..60ms');
  await waitLeader(page);
  await page.getByLabel('duplication percent').fill('100');
  await page.getByLabel('duplication percent').dispatchEvent('change');
  await page.waitForSelector('g.msg.msg-dup .dup-mark');
  assert.match(await page.locator('g.msg.msg-dup title').first().textContent(), /a copy of #\d+ the network made/);
  await page.getByLabel('duplication percent').fill('0');
  await page.getByLabel('duplication percent').dispatchEvent('change');
  await page.getByLabel('loss percent').fill('50');
  await page.getByLabel('loss percent').dispatchEvent('change');
  await page.locator('g.msg-dropped').first().waitFor();
  // The newest drop (the last drawn): it has the whole fade ahead of it.
  const id = await page.locator('g.msg-dropped').last().getAttribute('data-dropped');
  const dropped = page.locator(`g.msg-dropped[data-dropped="${id}"]`);
  assert.match(await dropped.locator('title').textContent(), /dropped \(lost\)/);
  assert.equal(await dropped.locator('path.drop-x').count(), 1, 'crossed out');
  const first = Number(await dropped.getAttribute('opacity'));
  // Seen fading while still on screen, then gone.
  await page.waitForFunction(([i, o]) => {
    const g = document.querySelector(`g.msg-dropped[data-dropped="${i}"]`);
    return g && Number(g.getAttribute('opacity')) < o;
  }, [id, first]);
  await page.waitForFunction((i) => !document.querySelector(`g.msg-dropped[data-dropped="${i}"]`), id, { timeout: 5000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('reduced motion: messages wait at the middle of their link instead of gliding', async () => {
  const page = await browser.newPage({ reducedMotion: 'reduce' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // 1 s links at 0.05x: every message is in flight for 20 s of wall time.
  await page.goto(server.url + '?speed=0.05&latency=1s..1s');
  const msg = page.locator('svg.network g.msg').first();
  await msg.waitFor({ timeout: 20000 });
  const id = await msg.getAttribute('data-msg');
  const where = () => page.evaluate((i) => document.querySelector(`g.msg[data-msg="${i}"] > :is(circle, rect, path)`)?.getBoundingClientRect().x ?? null, id);
  const a = await where();
  await page.waitForTimeout(500);
  const b = await where();
  assert.ok(a !== null && b !== null, 'the message is still in flight');
  assert.equal(a, b, 'did not move');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the keyboard help lists the shortcuts and Escape closes it', async () => {
  const { page, errors } = await open(browser, server.url);
  await page.keyboard.press('?');
  const help = page.getByTestId('help');
  await help.waitFor();
  for (const key of ['Space or K', 'S or .', 'P', 'H', 'Esc']) assert.match(await help.textContent(), new RegExp(key.replace('.', '\\.')));
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'keyboard shortcuts' }).click();
  await help.waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a panic shows a readable overlay instead of a dead page', async () => {
  const page = await browser.newPage();
  await page.goto(server.url + '?selftest=panic');
  const overlay = page.getByTestId('crash');
  await overlay.waitFor();
  assert.match(await overlay.textContent(), /hit a bug and stopped.*self-test.*Reload/s);
  await page.close();
});

test('New seed draws a fresh seed and the lab menu switches labs', async () => {
  const { page, errors } = await open(browser, server.url + '?seed=7');
  await page.getByRole('button', { name: 'New seed' }).click();
  await page.waitForFunction(() => document.querySelector('.seed').textContent.trim() !== 'seed 7');
  await page.getByLabel('lab', { exact: true }).selectOption('broadcast');
  await page.waitForURL(/\/broadcast\//);
  await page.waitForFunction(() => document.querySelector('.legend')?.textContent.includes('gossip'));
  assert.match(await page.locator('[data-testid=safety]').textContent(), /Durability/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('usable inside an 800x500 iframe: the cluster and the play button are in view', async () => {
  await checkInFrame(browser, server.url, 800, 500, 'iframe.png');
});

test('a busy network is drawn on a canvas while playing and as clickable SVG when paused', async () => {
  const { page, errors } = await open(browser, server.url + '?nodes=9&speed=10&seed=1&latency=0.8s..1.2s&param.election_min=%223s%22&param.election_max=%226s%22');
  await page.getByTestId('message-canvas').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('svg.network g.msg').count(), 0, 'no per-message SVG while playing');
  // Something was drawn: the canvas has opaque pixels.
  const painted = await page.evaluate(() => {
    const c = document.querySelector('[data-testid=message-canvas]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0, coloured = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) { n++; if (d[i - 3] + d[i - 2] + d[i - 1] > 120) coloured++; }
    return { n, coloured };
  });
  assert.ok(painted.n > 1000, `painted ${painted.n} pixels`);
  // In the theme's colours, not the canvas default black (the theme variables are light-dark()
  // pairs, which the canvas cannot read as they are).
  assert.ok(painted.coloured > painted.n / 2, `${painted.coloured} of ${painted.n} painted pixels coloured`);
  await page.keyboard.press('Space');
  await page.getByTestId('message-canvas').waitFor({ state: 'detached' });
  assert.ok(await page.locator('svg.network g.msg').count() > 80, 'every message is an SVG element again');
  await page.screenshot({ path: OUT + 'busy.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link to a far time stops after a bounded jump and says where, instead of freezing the tab', async () => {
  const { page, errors } = await open(browser, server.url + '?lab=raft&seed=1&t=86400s');
  const notice = await page.getByTestId('notice').textContent({ timeout: 60000 });
  assert.match(notice, /Stopped at t = \d+(\.\d+)?s: a jump may take 3 s of your time/);
  // Paused where it stopped, and still answering.
  await page.keyboard.press('s');
  assert.match(await page.getByTestId('fingerprint').textContent(), /run fingerprint [0-9a-f]{16} at \d/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every lab\'s event log reads as words, not Rust', async () => {
  // Rust's Debug: `Some(3)`, `Set { key: "k1" }`, `Timeout(23)`, `Op(Set …)`.
  const rust = /Some\(|None\b|\{ |: "|\b[A-Z][a-z]+[A-Za-z]*\(/;
  for (const path of ['?seed=1', 'broadcast/?lab=broadcast&seed=1', 'paxos/?lab=paxos&seed=1',
    'hashing/?lab=hashing&seed=1', 'balance/?lab=balance&seed=1', 'quorum/?lab=quorum&seed=1']) {
    const { page, errors } = await open(browser, server.url + path);
    await page.waitForSelector('section.log li');
    await page.waitForTimeout(2500);
    const seen = new Set();
    for (const kind of ['', 'timer', 'note']) {
      await page.getByLabel('filter by event').selectOption(kind);
      await page.waitForTimeout(400);
      for (const t of await page.locator('section.log li .what').allTextContents()) {
        seen.add(t);
        assert.doesNotMatch(t, rust, `${path}: ${t}`);
      }
    }
    assert.ok([...seen].some((t) => t.startsWith('timer')), `${path}: timers were in the log`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('Share shows the link beside the button and says whether the clipboard took it', async () => {
  // Refused: the browser's clipboard says no (as without permission or focus).
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  const page = await context.newPage();
  await page.goto(server.url + '?seed=1');
  await page.getByRole('button', { name: 'Share' }).click();
  await page.waitForFunction(() => /did not let the page copy it/.test(document.querySelector('[data-testid=share]')?.textContent ?? ''));
  assert.match(await page.getByTestId('share-link').inputValue(), /\?run=|seed=1/);
  // Where the button is: within the first screen, right under the controls.
  const box = await page.getByTestId('share-link').boundingBox();
  assert.ok(box.y + box.height < 900, `the link is on screen (y = ${box.y})`);
  await context.close();
  // Allowed: it says so.
  const granted = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await granted.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
  const page2 = await granted.newPage();
  await page2.goto(server.url + '?seed=1');
  await page2.getByRole('button', { name: 'Share' }).click();
  await page2.waitForFunction(() => /\(copied\)/.test(document.querySelector('[data-testid=share]')?.textContent ?? ''));
  assert.equal(await page2.evaluate(() => navigator.clipboard.readText()), await page2.getByTestId('share-link').inputValue());
  await granted.close();
});

test('the election countdown ring runs down between two frames and a leader has none', async () => {
  // At 0.01× the first timeout (150–300 ms) comes 15–30 s after opening: until then every ring
  // only runs down, however slow the machine.
  const { page, errors } = await open(browser, server.url + '?speed=0.01');
  await page.waitForFunction(() => document.querySelectorAll('svg.network circle.countdown').length === 5);
  const lengths = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('svg.network circle.countdown')]
    .map((c) => [c.dataset.countdown, parseFloat(c.getAttribute('stroke-dasharray'))])));
  const a = await lengths();
  await page.waitForTimeout(800);
  const b = await lengths();
  for (const n of Object.keys(a)) assert.ok(b[n] < a[n], `n${n}'s ring shrank: ${a[n]} → ${b[n]}`);
  // A second on, past the first election.
  await page.keyboard.press('Shift+ArrowRight');
  const leader = await waitLeader(page);
  await page.waitForFunction((l) => !document.querySelector(`svg.network circle.countdown[data-countdown="${l}"]`), leader);
  assert.ok(await page.locator('svg.network circle.countdown').count() >= 3, 'the followers have theirs');
  // The legend, right under the picture, explains the ring and the node looks.
  const legend = await page.getByTestId('legend').textContent();
  for (const words of ['ring: time left to its election timeout', 'candidate', 'stale leader', 'crashed', 'vote']) {
    assert.ok(legend.includes(words), `legend says "${words}": ${legend}`);
  }
  const [net, key] = [await page.locator('svg.network').first().boundingBox(), await page.getByTestId('legend').boundingBox()];
  assert.ok(key.y >= net.y + net.height - 1 && key.y < net.y + net.height + 40, 'directly under the picture');
  assert.deepEqual(errors, []);
  await page.close();
});

test('links too slow for the election timeout get a notice saying no leader can be elected; the notice does not push the page down', async () => {
  const { page, errors } = await open(browser, server.url + '?latency=800ms..1.2s');
  const notice = page.getByTestId('notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), /No leader can be elected: with links of 800ms\.\.1\.2s, a vote request and its reply take about 2s, longer than the election timeout/);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid=notice]')).position), 'fixed');
  const top = await page.locator('svg.network').first().boundingBox();
  await page.getByRole('button', { name: 'dismiss' }).click();
  assert.deepEqual(await page.locator('svg.network').first().boundingBox(), top, 'the picture did not move');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Time out (T) fires the selected follower\'s election timeout: it stands and wins the next term', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5');
  const old = await waitLeader(page);
  const f = String((Number(old) + 1) % 5);
  // No client traffic, so every follower's log is as up to date as any (§5.4.1).
  await page.getByRole('checkbox', { name: 'client traffic (A)' }).uncheck();
  await page.keyboard.press(f);
  await page.keyboard.press(' ');
  assert.equal(await page.getByRole('button', { name: 'Time out' }).count(), 1);
  await page.keyboard.press('t');
  await page.waitForSelector(`g.node.role-candidate[data-node="${f}"], g.node.role-leader[data-node="${f}"]`);
  await page.keyboard.press(' ');
  assert.equal(await waitLeader(page, old), f, 'the node timed out by hand leads now');
  // A leader has no timeout to fire: the page says so instead of doing nothing.
  await page.keyboard.press(f);
  await page.keyboard.press('t');
  assert.match(await page.getByTestId('notice').textContent(), /has no timeout running to fire now \(a Raft leader/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone (375×740) the network and the run controls share the first screen', async () => {
  for (const url of ['', 'paxos/', 'hashing/', 'balance/', 'quorum/']) {
    const { page, errors } = await open(browser, server.url + url, { width: 375, height: 740 });
    await page.waitForSelector('svg.network g.node');
    const box = async (loc) => (await loc.boundingBox()) ?? { y: 1e9, height: 0 };
    const net = await box(page.locator('.network-box'));
    const play = await box(page.getByRole('button', { name: /Play|Pause/ }));
    const step = await box(page.getByRole('button', { name: 'Step', exact: true }));
    assert.ok(net.y + net.height <= 740, `${url || 'raft'}: the network is on the first screen`);
    assert.ok(play.y + play.height <= 740 && step.y + step.height <= 740, `${url || 'raft'}: Play at y=${play.y}, Step at y=${step.y}`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375, `${url || 'raft'}: no sideways scroll`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('the election timeout is a setting: 150–150 ms, with no randomness, splits every vote (Fig. 16\'s top line)', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=1');
  const select = page.getByLabel('election timeout', { exact: true });
  assert.equal(await select.inputValue(), '0.15s..0.3s', "the paper's 150–300 ms by default");
  await select.selectOption({ label: '150–150 ms (no randomness)' });
  await page.getByTestId('notice').filter({ hasText: 'election timeout changed' }).waitFor();
  assert.equal(await select.inputValue(), '0.15s..0.15s');
  // Every node times out at the same instant, votes for itself, and the vote splits again.
  await page.waitForFunction(() => /t = [2-9]\./.test(document.querySelector('.clock')?.textContent ?? ''), null, { timeout: 15000 });
  assert.equal(await page.locator('svg.network g.node.role-leader').count(), 0, 'no leader, ever');
  const terms = await page.evaluate(() => [...document.querySelectorAll('svg.network g.node .node-sub')].map((t) => Number(t.textContent.match(/^t(\d+)/)?.[1])));
  assert.ok(terms.every((t) => t >= 10), `terms climb together: ${terms}`);
  // The link keeps the setting.
  await page.getByRole('button', { name: 'Share' }).click();
  const shared = decodeURIComponent(await page.getByTestId('share-link').inputValue());
  assert.match(shared, /"election_min":"0\.15s"/);
  assert.match(shared, /"election_max":"0\.15s"/);
  assert.deepEqual(errors, []);
  await page.close();
});
