// The time-space diagram panel: every lab draws its messages as arrows between lanes, faults
// show, clicks select and seek, and the picture saves as a valid SVG naming its run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { open, start, stop, OUT } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const clock = (page) => page.locator('[data-testid=clock]').first().textContent();
const seconds = (text) => Number(text.match(/([\d.]+)s/)[1]);

// The Pause button, not Space: focus may be on the diagram's summary, which Space would fold.
const pause = (page) => page.getByRole('button', { name: /Pause/ }).first().click();

async function openDiagram(page) {
  await page.getByTestId('diagram').locator('summary').click();
  await page.waitForSelector('svg.tsd g.arr', { timeout: 20000 });
}

for (const [lab, nodes] of [['raft', 5], ['paxos', 5], ['broadcast', 4], ['hashing', 5], ['balance', 5]]) {
  test(`the ${lab} lab draws a lane per node and its messages as arrows`, async () => {
    const { page, errors } = await open(browser, server.url + `?lab=${lab}&nodes=${nodes}&speed=0.3`);
    await page.waitForSelector('svg.network g.node');
    await openDiagram(page);
    const lanes = await page.locator('svg.tsd g.laneg').count();
    assert.equal(lanes, await page.locator('svg.network g.node').count(), 'one lane per node');
    assert.ok(await page.locator('svg.tsd g.arr').count() > 0);
    // The player's line is drawn over the picture.
    await page.waitForSelector('svg.tsd-now line', { state: 'attached' });
    await page.screenshot({ path: OUT + `diagram-${lab}.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a partition draws a band and the messages it cuts end in red crosses', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.3&seed=4');
  await page.waitForSelector('g.node.role-leader', { timeout: 20000 });
  await openDiagram(page);
  await page.keyboard.press('0');
  await page.keyboard.press('i');
  await page.waitForSelector('svg.tsd rect.band', { timeout: 20000 });
  await page.waitForSelector('svg.tsd g.arr path.cross', { timeout: 20000 });
  const title = await page.locator('svg.tsd g.arr:has(path.cross) title').first().textContent();
  assert.match(title, /dropped \(partitioned/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking an arrow selects its message in the inspector and says what came before and after', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.3&seed=2');
  await page.waitForSelector('g.node.role-leader', { timeout: 20000 });
  await openDiagram(page);
  await pause(page);
  const arrow = page.locator('svg.tsd g.arr:not(.ahead)').first();
  const id = await arrow.getAttribute('data-msg');
  // Dispatched on the arrow itself: a pointer at its middle may land on a later arrow drawn over it.
  await arrow.locator('line.hit').dispatchEvent('click');
  await page.waitForFunction(() => /happened before this/.test(document.querySelector('[data-testid=diagram-words]').textContent));
  await page.waitForFunction((id) => document.querySelector(`svg.tsd g.arr.sel[data-msg="${id}"]`), id);
  // The run went to the message's send: it is in flight on the network view, selected.
  await page.waitForSelector(`svg.network g.msg.msg-selected[data-msg="${id}"]`);
  assert.match(await page.locator('.side').textContent(), new RegExp(`Message #${id}(?!\\d)`));
  // Every other arrow is in its causal past or future, or dimmed as concurrent with it.
  const classes = await page.locator('svg.tsd g.arr:not(.sel)').evaluateAll((gs) => gs.map((g) => g.getAttribute('class')));
  assert.ok(classes.length > 0);
  assert.ok(classes.every((c) => /\b(past|future|dim)\b/.test(c)), classes.join(' | '));
  assert.ok(classes.some((c) => /\b(past|future)\b/.test(c)));
  await page.screenshot({ path: OUT + 'diagram-causal.png', fullPage: true });
  // A fault from the diagram: the inspector drops the message the arrow named, and its arrow
  // ends in a cross.
  await page.getByRole('button', { name: 'Drop this message' }).click();
  await page.waitForFunction((id) => document.querySelector(`svg.tsd g.arr[data-msg="${id}"] path.cross`), id, { timeout: 20000, polling: 100 });
  assert.match(await page.locator(`svg.tsd g.arr[data-msg="${id}"] title`).textContent(), /dropped/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking empty space in the diagram seeks the run to that moment', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=2');
  await page.waitForFunction(() => /t = 0\.[4-9]|t = [1-9]/.test(document.querySelector('[data-testid=clock]').textContent), null, { timeout: 20000 });
  await openDiagram(page);
  await pause(page);
  const before = seconds(await clock(page));
  // Just under the lane names: the window's start, earlier than now.
  await page.locator('.tsd-wrap').scrollIntoViewIfNeeded();
  const box = await page.locator('.tsd-wrap').boundingBox();
  await page.mouse.click(box.x + 3, box.y + 34);
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid=clock]').textContent.match(/([\d.]+)s/)[1]) < b, before);
  assert.ok(seconds(await clock(page)) < before);
  // Going back keeps the future already seen: arrows after the player's time are still drawn.
  await page.waitForSelector('svg.tsd g.arr.ahead');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the diagram saves as a valid SVG naming its run, and the trace as JSON lines', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=2');
  await page.waitForSelector('g.node.role-leader', { timeout: 20000 });
  await openDiagram(page);
  await pause(page);
  const [svgFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save SVG' }).click()]);
  assert.match(svgFile.suggestedFilename(), /^splitbrain-raft-seed2-diagram\.svg$/);
  const svg = await readFile(await svgFile.path(), 'utf8');
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  // A browser parses it as SVG without errors (in a blank page: the app's CSP would refuse
  // the file's own style, which a slide tool or an image viewer applies).
  const blank = await browser.newPage();
  const parsed = await blank.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.nodeName, arrows: doc.querySelectorAll('g.arr').length };
  }, svg);
  await blank.close();
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.ok(parsed.arrows > 0);
  const fingerprint = await page.getByTestId('fingerprint').textContent();
  assert.ok(svg.includes(`run fingerprint ${fingerprint.match(/[0-9a-f]{16}/)[0]}`), 'the picture names its run');
  assert.match(svg, /\?run=/, 'and carries the link that replays it');
  // The PNG is the same picture's pixels, at twice its size.
  const [pngFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save PNG' }).click()]);
  assert.match(pngFile.suggestedFilename(), /^splitbrain-raft-seed2-diagram\.png$/);
  const png = await readFile(await pngFile.path());
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  const [, sw, sh] = svg.match(/viewBox="0 0 ([\d.]+) ([\d.]+)"/).map(Number);
  assert.equal(w, Math.ceil(sw * 2));
  assert.equal(h, Math.ceil(sh * 2));
  const [traceFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save trace' }).click()]);
  const lines = (await readFile(await traceFile.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 10);
  assert.ok(lines.some((l) => l.ev === 'sent' && typeof l.id === 'number' && typeof l.t === 'number'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the diagram controls have names a keyboard and a screen reader can use', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5');
  await openDiagram(page);
  for (const name of ['earlier', 'later', 'zoom in', 'zoom out', 'follow', 'Save SVG', 'Save PNG', 'Save trace']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
  }
  assert.equal(await page.getByRole('toolbar', { name: 'diagram controls' }).count(), 1);
  await pause(page);
  const span = async () => page.evaluate(() => {
    const s = document.querySelector('svg.tsd');
    return Number(s.getAttribute('data-to')) - Number(s.getAttribute('data-from'));
  });
  const before = await span();
  await page.getByRole('button', { name: 'zoom out', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((b) => {
    const s = document.querySelector('svg.tsd');
    return Number(s.getAttribute('data-to')) - Number(s.getAttribute('data-from')) > 1.9 * b;
  }, before);
  assert.ok(await page.locator('svg.tsd').getAttribute('aria-label'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('an embed with data-panels=diagram shows the diagram open at 320 px', async () => {
  const { page, errors } = await open(browser, server.url + '?embed=1&panels=diagram&speed=0.5', { width: 320, height: 600 });
  await page.waitForSelector('svg.tsd g.arr', { timeout: 20000 });
  const box = await page.locator('.tsd-wrap').boundingBox();
  assert.ok(box.width <= 320, `fits the frame: ${box.width}`);
  await page.screenshot({ path: OUT + 'diagram-embed-320.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the diagram is drawn by a worker the page loads only when the diagram is first opened', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=2');
  await page.waitForSelector('g.node.role-leader', { timeout: 20000 });
  // The page's own downloads so far (the worker's, made from its thread, are not listed).
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname));
  assert.ok(loaded.some((p) => p.endsWith('.wasm')), 'the page has loaded its own wasm');
  assert.ok(!loaded.some((p) => p.includes('diagram-worker')), 'not part of the first download');
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await openDiagram(page);
  assert.deepEqual(fetched.filter((p) => p.includes('diagram-worker')).sort(),
    ['/diagram-worker.js', '/diagram-worker_bg.wasm', '/diagram-worker_loader.js'], 'loaded on opening');
  // Closed and opened again, it draws from the same worker.
  await page.getByTestId('diagram').locator('summary').click();
  await page.getByTestId('diagram').locator('summary').click();
  await page.waitForSelector('svg.tsd g.arr');
  assert.equal(fetched.filter((p) => p.endsWith('diagram-worker_bg.wasm')).length, 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('lanes can be hidden and shown again, and the last one stays', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=2&nodes=3');
  await openDiagram(page);
  await pause(page);
  const lanes = () => page.locator('svg.tsd g.laneg').count();
  await page.waitForFunction(() => document.querySelectorAll('svg.tsd g.laneg').length === 3);
  const group = page.getByRole('group', { name: 'lanes shown' });
  await group.getByLabel('n1', { exact: true }).uncheck();
  await page.waitForFunction(() => document.querySelectorAll('svg.tsd g.laneg').length === 2);
  assert.ok(!(await page.locator('svg.tsd text.lname').allTextContents()).includes('n1'));
  await group.getByLabel('n0', { exact: true }).uncheck();
  await page.waitForFunction(() => document.querySelectorAll('svg.tsd g.laneg').length === 1);
  // The last lane shown cannot be hidden.
  assert.ok(await group.getByLabel('n2', { exact: true }).isDisabled());
  assert.ok(await group.getByLabel('n2', { exact: true }).isChecked());
  assert.equal(await lanes(), 1);
  await group.getByLabel('n1', { exact: true }).check();
  await page.waitForFunction(() => document.querySelectorAll('svg.tsd g.laneg').length === 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the diagram zooms and moves from the keyboard and with Ctrl and the wheel', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=2');
  await page.waitForSelector('g.node.role-leader', { timeout: 20000 });
  await openDiagram(page);
  await pause(page);
  const windowOf = () => page.evaluate(() => {
    const s = document.querySelector('svg.tsd');
    return [Number(s.getAttribute('data-from')), Number(s.getAttribute('data-to'))];
  });
  const changed = (before) => page.waitForFunction((b) => {
    const s = document.querySelector('svg.tsd');
    return Number(s.getAttribute('data-from')) !== b[0] || Number(s.getAttribute('data-to')) !== b[1];
  }, before);
  const wrap = page.locator('.tsd-wrap');
  await wrap.focus();
  let [from, to] = await windowOf();
  await page.keyboard.press('+');
  await changed([from, to]);
  let [f2, t2] = await windowOf();
  assert.ok(Math.abs((t2 - f2) - (to - from) / 2) <= 2, `zoomed in: ${t2 - f2} vs ${to - from}`);
  const clockBefore = await clock(page);
  await page.keyboard.press('ArrowDown');
  await changed([f2, t2]);
  const [f3] = await windowOf();
  assert.ok(f3 > f2, 'moved later');
  assert.equal(await clock(page), clockBefore, 'the arrow moved the diagram, not the run');
  // Ctrl + wheel up zooms in at the pointer, not the page.
  await wrap.scrollIntoViewIfNeeded();
  const box = await wrap.boundingBox();
  [from, to] = await windowOf();
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await changed([from, to]);
  [f2, t2] = await windowOf();
  assert.ok(t2 - f2 < to - from, 'zoomed in');
  assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'the page did not scroll');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the network view saves as a standalone SVG naming its run, and as a PNG', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.3&seed=2');
  await page.waitForSelector('svg.network g.msg', { timeout: 20000 });
  await pause(page);
  const inFlight = await page.locator('svg.network g.msg').count();
  const group = page.getByRole('group', { name: 'save the network view' });
  const [svgFile] = await Promise.all([page.waitForEvent('download'), group.getByRole('button', { name: 'SVG' }).click()]);
  assert.match(svgFile.suggestedFilename(), /^splitbrain-raft-seed2-network\.svg$/);
  const svg = await readFile(await svgFile.path(), 'utf8');
  const fingerprint = (await page.getByTestId('fingerprint').textContent()).match(/[0-9a-f]{16}/)[0];
  assert.ok(svg.includes(`run fingerprint ${fingerprint}`), 'the picture names its run');
  assert.match(svg, /\?run=/);
  // Standalone: in a blank page (no stylesheet) it parses, has the nodes and messages, and a
  // node keeps the colour the page gave it.
  const blank = await browser.newPage();
  await blank.setContent(svg);
  const seen = await blank.evaluate(() => ({
    error: document.querySelector('parsererror')?.textContent ?? null,
    nodes: document.querySelectorAll('g.node').length,
    msgs: document.querySelectorAll('g.msg').length,
    fill: getComputedStyle(document.querySelector('g.node circle')).fill,
  }));
  await blank.close();
  assert.equal(seen.error, null);
  assert.equal(seen.nodes, 5);
  assert.equal(seen.msgs, inFlight, 'the messages in flight when saved');
  assert.notEqual(seen.fill, 'rgb(0, 0, 0)', 'styled as on the page, not default black');
  await page.screenshot({ path: OUT + 'network-before-save.png' });
  const [pngFile] = await Promise.all([page.waitForEvent('download'), group.getByRole('button', { name: 'PNG' }).click()]);
  const png = await readFile(await pngFile.path());
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  await writeFile(OUT + 'network-saved.png', png);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hovering an arrow picks its message out on the network view and in the event log', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.3&seed=2');
  await page.waitForSelector('g.node.role-leader', { timeout: 20000 });
  await openDiagram(page);
  await pause(page);
  // The newest arrow still in flight: on the network view and in the log's newest lines.
  await page.waitForSelector('svg.tsd g.arr.open', { timeout: 20000 }).catch(() => null);
  const arrow = page.locator('svg.tsd g.arr:not(.ahead)').last();
  const id = await arrow.getAttribute('data-msg');
  await arrow.locator('line.hit').dispatchEvent('mouseover');
  await page.waitForSelector(`.log li.ev-msg`, { timeout: 20000 });
  const rows = await page.locator('.log li.ev-msg').allTextContents();
  assert.ok(rows.length > 0 && rows.every((r) => r.length > 0), rows.join(' | '));
  if (await page.locator(`svg.network g.msg[data-msg="${id}"]`).count()) {
    await page.waitForSelector(`svg.network g.msg.msg-hover[data-msg="${id}"]`);
  }
  await page.locator('.tsd-wrap').dispatchEvent('mouseleave');
  await page.waitForFunction(() => !document.querySelector('.log li.ev-msg'), null, { polling: 100 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a busy run saves its network picture with the messages of its canvas, as SVG and PNG', async () => {
  const { page, errors } = await open(browser, server.url + '?nodes=9&speed=10&seed=1&latency=0.8s..1.2s&param.election_min=%223s%22&param.election_max=%226s%22');
  await page.waitForSelector('[data-testid=message-canvas]', { timeout: 30000 });
  const group = page.getByRole('group', { name: 'save the network view' });
  const [svgFile] = await Promise.all([page.waitForEvent('download'), group.getByRole('button', { name: 'SVG' }).click()]);
  const svg = await readFile(await svgFile.path(), 'utf8');
  assert.match(svg, /<image [^>]*href="data:image\/png;base64,/, 'the canvas as pixels');
  const [pngFile] = await Promise.all([page.waitForEvent('download'), group.getByRole('button', { name: 'PNG' }).click()]);
  const png = await readFile(await pngFile.path());
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  assert.deepEqual(errors, []);
  await page.close();
});
