// `cargo xtask bench`, browser half: page size, simulator throughput as wasm in Chromium, first
// render, per-frame work of the heavy Raft scene, and frame cost with ../shared/tools/measure.mjs
// (optionally RaftScope's too, in the same sitting). Medians over several runs.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { serve, launch, DIST } from './harness.mjs';
import { measureTool, frameCost } from './frame-cost.mjs';
import { pageSizes } from '../tools/sizes.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// 1. Size of what a visitor downloads, per page of the site (one bundle of labs each).
const size = await pageSizes(DIST);
console.log(JSON.stringify({ size }, null, 2));

const server = await serve();
const browser = await launch();

// 2. The 5-node Raft throughput workload (as `splitbrain bench --lab raft`) compiled to wasm, in the page.
const wasm = [];
for (let i = 0; i < RUNS; i++) {
  const page = await browser.newPage();
  await page.goto(server.url + '?bench=5');
  const text = await page.locator('[data-testid=bench]').textContent({ timeout: 120000 });
  wasm.push(JSON.parse(text));
  await page.close();
}
console.log(JSON.stringify({ wasm_raft_5_nodes: {
  runs: wasm.length,
  median_events_per_second: median(wasm.map((r) => r.events_per_second)),
  all: wasm.map((r) => r.events_per_second),
  trace_hash: wasm[0].trace_hash,
} }, null, 2));

// 3. First render: navigation to the first drawn cluster, on localhost.
const first = [];
for (let i = 0; i < RUNS; i++) {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('svg.network g.node')) { window.__firstCluster = performance.now(); obs.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(server.url);
  await page.waitForFunction(() => window.__firstCluster !== undefined);
  first.push(await page.evaluate(() => window.__firstCluster));
  await page.close();
}
console.log(JSON.stringify({ first_render_ms: { median: +median(first).toFixed(1), all: first.map((x) => +x.toFixed(1)) } }, null, 2));

// 4. The heavy Raft scene: 9 nodes at 10x with about 300 messages in flight (0.8-1.2 s links,
// elections 3-6 s so one leader stays). Per-frame work from requestAnimationFrame's start to
// the first task after the frame (script, style, layout and paint of that frame), p50 and p95.
const OPEN_DIAGRAM = "document.querySelector('[data-testid=diagram] summary').click()";
// Opens the diagram and plays until its worker's index holds 100,000 events (the heavy scene
// makes about 7,000 a second at 10x).
const HUNDRED_K = `${OPEN_DIAGRAM}; await new Promise((done) => { const t = setInterval(() => {
  if (Number(document.querySelector('.tsd-wrap')?.dataset.events ?? 0) >= 100000) { clearInterval(t); done(); } }, 200); });`;
const PAUSE = "; [...document.querySelectorAll('button')].find((b) => /Pause/.test(b.textContent))?.click();";
// Setup code that awaits, as the tool evaluates it.
const ASYNC = (js) => `(async () => { ${js} })()`;
// Runs `js` every `ms` with `i` counting up.
const EVERY = (ms, js) => `; let i = 0; setInterval(() => { ${js}; i++; }, ${ms});`;
const HEAVY = '?nodes=9&speed=10&seed=1&latency=0.8s..1.2s&param.election_min=%223s%22&param.election_max=%226s%22';
// Per-frame work of one scene over `RUNS` runs; `act` runs once the scene is up (e.g. a click).
const frameWork = async (scene, wait, act) => {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(() => {
      window.__work = [];
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (cb) => raf((ts) => {
        const t0 = performance.now();
        cb(ts);
        setTimeout(() => window.__work.push(performance.now() - t0), 0);
      });
    });
    await page.goto(server.url + scene);
    await page.waitForSelector(wait);
    if (act) await act(page);
    await page.waitForTimeout(4000);
    await page.evaluate(() => { window.__work = []; });
    const inflight = [];
    for (let k = 0; k < 10; k++) {
      inflight.push(Number((await page.locator('.legend').textContent()).match(/(\d+) in flight/)[1]));
      await page.waitForTimeout(300);
    }
    const work = await page.evaluate(() => window.__work);
    const q = (p) => { const s = [...work].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
    runs.push({ in_flight: median(inflight), frames: work.length, p50: q(0.5), p95: q(0.95) });
    await page.close();
  }
  return {
    scene, runs: runs.length,
    in_flight_median: median(runs.map((h) => h.in_flight)),
    p50: +median(runs.map((h) => h.p50)).toFixed(2),
    p95: +median(runs.map((h) => h.p95)).toFixed(2),
    all_p95: runs.map((h) => +h.p95.toFixed(2)),
  };
};
console.log(JSON.stringify({ heavy_raft_scene_frame_work_ms: await frameWork(HEAVY, 'svg.network g.msg') }, null, 2));

// 5. The hashing scene of issue 4: 64 servers x 100 vnodes, 2,000 drawn keys, at 1x with 200
// requests/s, and one server added as the measurement starts (the circle redraws, keys migrate).
const HASHING = 'hashing/?lab=hashing&nodes=67&param.servers=64&param.sample=2000&param.rate=200&speed=1';
const addServer = (page) => page.getByTestId('add-server').click();
console.log(JSON.stringify({ hashing_scene_frame_work_ms: await frameWork(HASHING, '[data-testid=ring-ring]', addServer) }, null, 2));

// The load-balancing scene of issue 5: 20 backends at 1,000 requests/s of simulated traffic
// (exponential 10 ms service, load 0.5), at 1x.
const BALANCE = 'balance/?lab=balance&nodes=21&param.arrival=%22poisson:1000/s%22&param.service=%22exp:10ms%22&speed=1';
console.log(JSON.stringify({ balance_scene_frame_work_ms: await frameWork(BALANCE, '[data-testid=latency-chart] canvas') }, null, 2));

// 6. Embedding: what the snippet costs a host page before its frame loads, what the first
// embed downloads and what a second one adds (hashed assets cached as immutable), and the time
// from the script tag to the first drawn cluster. Sizes as sent uncompressed and gzipped.
{
  const cached = await serve(DIST);
  const snippet = await readFile(join(DIST, 'embed.js'));
  const firstCluster = [], firstBytes = [], secondBytes = [], secondCluster = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(cached.url + 'no-such-page'); // an empty page of the same origin
    const before = cached.served();
    // A bare host page: a timestamp, then the one-line snippet.
    await page.setContent(`<!doctype html><body><script>window.t0 = performance.now();</script>
      <script src="${cached.url}embed.js" data-lab="raft" data-seed="3" data-lazy="false"></script></body>`);
    const drawn = () => page.evaluate(() => new Promise((ok) => {
      const frames = [...document.querySelectorAll('iframe')];
      const f = frames[frames.length - 1];
      const poll = () => f.contentDocument?.querySelector('svg.network g.node') ? ok(performance.now()) : requestAnimationFrame(poll);
      poll();
    }));
    const t1 = await drawn();
    firstCluster.push(t1 - await page.evaluate(() => window.t0));
    firstBytes.push(cached.served() - before);
    const mid = cached.served();
    const t2 = await page.evaluate(() => { const d = document.createElement('div'); document.body.append(d);
      Splitbrain.embed(d, { lab: 'raft', seed: '9', lazy: 'false' }); return performance.now(); });
    secondCluster.push(await drawn() - t2);
    secondBytes.push(cached.served() - mid);
    await context.close();
  }
  console.log(JSON.stringify({ embedding: {
    snippet_bytes: snippet.length, snippet_gzip: gzipSync(snippet, { level: 9 }).length,
    first_embed_bytes_served: median(firstBytes), second_embed_bytes_served: median(secondBytes),
    first_embed_gzip_estimate: size['root (raft)'].total_gzip + gzipSync(snippet, { level: 9 }).length,
    script_tag_to_first_cluster_ms: { median: +median(firstCluster).toFixed(1), all: firstCluster.map((x) => +x.toFixed(1)) },
    second_embed_to_first_cluster_ms: +median(secondCluster).toFixed(1),
  } }, null, 2));
  await cached.close();
}
// 6b. The diagram's causal highlight with 100,000 events in its worker's index: Raft 9 nodes at
// 10x (short links, so a zoomed window has arrows of its own), paused, zoomed in until arrows
// are drawn one by one; from the click on an arrow to the words naming its past and future
// (the worker's search, the seek to the send, and the picture back), median of 7.
{
  const page = await browser.newPage({ viewport: { width: 1280, height: 1700 } });
  await page.goto(server.url + '?nodes=9&speed=10&seed=1');
  await page.waitForSelector('svg.network g.node');
  await page.evaluate(OPEN_DIAGRAM);
  await page.waitForFunction(() => Number(document.querySelector('.tsd-wrap')?.dataset.events ?? 0) >= 100000, null, { timeout: 120000, polling: 500 });
  await page.evaluate(PAUSE);
  for (let k = 0; k < 8 && (await page.locator('svg.tsd g.arr:not(.bulk)').count()) < 5; k++) {
    await page.evaluate(() => document.querySelector('.tsd-bar [aria-label="zoom in"]').click());
    await page.waitForTimeout(300);
  }
  const times = [];
  for (let k = 0; k < 7; k++) {
    times.push(await page.evaluate((k) => new Promise((done) => {
      const words = document.querySelector('[data-testid=diagram-words]');
      const before = words.textContent;
      const arrows = [...document.querySelectorAll('svg.tsd g.arr:not(.bulk)')];
      const t0 = performance.now();
      const mo = new MutationObserver(() => {
        if (/happened before this/.test(words.textContent) && words.textContent !== before) { mo.disconnect(); done(performance.now() - t0); }
      });
      mo.observe(words, { childList: true, subtree: true, characterData: true });
      arrows[(k * 3) % arrows.length].querySelector('line.hit').dispatchEvent(new MouseEvent('click', { bubbles: true }));
      setTimeout(() => { mo.disconnect(); done(NaN); }, 5000);
    }), k));
    await page.waitForTimeout(300);
  }
  console.log(JSON.stringify({ diagram_causal_click_ms_100k_events: { median: +median(times).toFixed(1), all: times.map((x) => +x.toFixed(1)) } }, null, 2));
  await page.close();
}

// 6c. A tour's Back: from the click to the card on the step before with its run restored,
// within a chapter (a checkpoint restore) and across chapters (the earlier chapter's run
// rebuilt from its link), Raft tour, median of each.
{
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + '?tour=raft&step=22');
  await page.waitForFunction(() => document.querySelector('[data-testid=tour]')?.dataset.step === '22', null, { timeout: 60000, polling: 100 });
  const back = () => page.evaluate(() => new Promise((done) => {
    const card = document.querySelector('[data-testid=tour]');
    const from = card.dataset.step;
    const t0 = performance.now();
    const mo = new MutationObserver(() => {
      const now = document.querySelector('[data-testid=tour]');
      if (now && now.dataset.step !== from) { mo.disconnect(); done([from, performance.now() - t0]); }
    });
    mo.observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-step'] });
    document.querySelector('[data-testid=tour-back]').click();
    setTimeout(() => { mo.disconnect(); done([from, NaN]); }, 5000);
  }));
  const within = [], across = [];
  for (let k = 0; k < 21; k++) {
    const [from, ms] = await back();
    // Step 19 opens the Figure 8 chapter: back from it rebuilds the split-network chapter's run.
    (from === '19' ? across : within).push(ms);
    await page.waitForTimeout(100);
  }
  for (let k = 0; k < 4; k++) {
    await page.goto(server.url + '?tour=raft&step=19');
    await page.waitForFunction(() => document.querySelector('[data-testid=tour]')?.dataset.step === '19', null, { timeout: 60000, polling: 100 });
    across.push((await back())[1]);
  }
  console.log(JSON.stringify({ tour_back_step_ms: {
    within_a_chapter: { median: +median(within).toFixed(1), max: +Math.max(...within).toFixed(1), n: within.length },
    across_chapters: { median: +median(across).toFixed(1), all: across.map((x) => +x.toFixed(1)) },
  } }, null, 2));
  await page.close();
}

await browser.close();

// 7. Frame cost with the shared tool (../shared/tools/measure.mjs): our scenes, and RaftScope's
// in the same sitting when RAFTSCOPE_DIR points at a copy of it (index.html, and index9.html
// with NUM_SERVERS = 9).
const scenes = [
  ['raft_5_nodes_0.1x', server.url + '?speed=0.1', 'svg.network g.msg', ''],
  // The Raft tour's step 9: the same cluster at 0.1x with client traffic, the tour's card open
  // and its ending checked after every frame (the step plays 20 s of the reader's time).
  ['raft_tour_step_9_0.1x', server.url + '?tour=raft&step=9', 'svg.network g.msg', ''],
  // Three client processes instead of the page's traffic: their squares, the client history
  // under the panel and the Linearizable check on every rebuild of the panel.
  ['raft_5_nodes_3_clients_0.1x', server.url + '?speed=0.1&param.clients=3', 'svg.network g.msg', ''],
  ['raft_9_nodes_0.1x', server.url + '?speed=0.1&nodes=9', 'svg.network g.msg', ''],
  // An exercise open: the same run with its goals checked after every event and the card.
  ['raft_exercise_open_0.1x', server.url + '?exercise=raft-depose&speed=0.1', 'svg.network g.msg', ''],
  ['raft_9_nodes_10x_heavy', server.url + HEAVY, 'svg.network g.msg', ''],
  // The time-space diagram open under the timeline, in a window tall enough to paint it.
  ['raft_5_nodes_0.1x_tall', server.url + '?speed=0.1', 'svg.network g.msg', '', ['--width', '1280', '--height', '1700']],
  ['raft_5_nodes_0.1x_tall_diagram_open', server.url + '?speed=0.1', 'svg.network g.msg', OPEN_DIAGRAM, ['--width', '1280', '--height', '1700']],
  ['raft_9_nodes_10x_heavy_tall_diagram_open', server.url + HEAVY, 'svg.network g.node', OPEN_DIAGRAM, ['--width', '1280', '--height', '1700']],
  // The diagram's worker holding 100,000 events of the heavy scene: playing on (following),
  // then paused while the window is zoomed and moved four times a second, then while the
  // panel is closed and opened again once a second.
  ['raft_heavy_diagram_100k_events_playing', server.url + HEAVY, 'svg.network g.node', ASYNC(HUNDRED_K), ['--width', '1280', '--height', '1700']],
  ['raft_heavy_diagram_100k_events_zoom_and_pan', server.url + HEAVY, 'svg.network g.node',
    ASYNC(HUNDRED_K + PAUSE + EVERY(250, "document.querySelector('.tsd-bar [aria-label=\"' + ['zoom out', 'later', 'zoom in', 'earlier'][i % 4] + '\"]').click()")),
    ['--width', '1280', '--height', '1700']],
  ['raft_heavy_diagram_100k_events_reopening', server.url + HEAVY, 'svg.network g.node',
    ASYNC(HUNDRED_K + PAUSE + EVERY(1000, "document.querySelector('[data-testid=diagram] summary').click()")),
    ['--width', '1280', '--height', '1700']],
  ['broadcast_5_nodes', server.url + 'broadcast/?lab=broadcast', 'svg.network g.msg', ''],
  ['paxos_5_nodes_0.1x', server.url + 'paxos/?lab=paxos&speed=0.1', '.px-slots td.chosen', ''],
  // The quorum page as it opens: 5 servers, 3 clients, its table, requests and the history.
  ['quorum_5_servers_3_clients', server.url + 'quorum/?lab=quorum', 'svg.network g.msg', ''],
  ['hashing_64_servers_100_vnodes_2000_keys', server.url + HASHING, '[data-testid=ring-ring]',
    "document.querySelector('[data-testid=add-server]').click()"],
  ['balance_20_backends_1000_requests_per_s', server.url + BALANCE, '[data-testid=latency-chart] canvas', ''],
  // The docs example page with its four embeds loaded and playing, all in view (a tall window:
  // Chromium stops painting frames scrolled out of view).
  ['embed_example_4_embeds_playing', server.url + 'embed-example.html', 'iframe[src]',
    'Splitbrain.players.forEach(function (p) { if (!p.frame.src) p.frame.src = p.src; })',
    ['--width', '900', '--height', '4400']],
];
let raftscope = null;
if (process.env.RAFTSCOPE_DIR) {
  raftscope = await serve(resolve(process.env.RAFTSCOPE_DIR));
  const setup = "$('#speed').slider('setValue', 1); playback.resume();";
  scenes.push(['raftscope_5_servers_0.1x', raftscope.url + 'index.html', '#servers .server', setup]);
  scenes.push(['raftscope_9_servers_0.1x', raftscope.url + 'index9.html', '#servers .server', setup]);
}
const { tool, why } = await measureTool();
if (tool) {
  const frame = {};
  for (const [name, url, wait, setup, extra] of scenes) {
    frame[name] = await frameCost(tool, { url, wait, setup, extra, runs: RUNS });
  }
  console.log(JSON.stringify({ frame_cost: frame }, null, 2));
} else {
  console.log(`frame cost skipped: ${why}`);
}
await raftscope?.close();
await server.close();
