// `cargo xtask bench`, the timeline's part: seeks in a 10-minute Raft run as wasm in Chromium
// (the same workload as `splitbrain bench --seek`), the memory that run's checkpoints and trace
// take, and what scrubbing costs per frame. Prints one JSON object; medians of `RUNS` page loads.
import { serve, launch } from './harness.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const server = await serve();
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Opens `query` with the wasm memory reachable as `window.__memory`. */
async function page(query) {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await p.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__memory = e.detail.wasm.memory; }));
  await p.goto(server.url + query);
  return p;
}
const memory = (p) => p.evaluate(() => ({
  wasm_mb: window.__memory.buffer.byteLength / 1048576,
  js_heap_mb: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null,
}));

const seeks = [];
for (let i = 0; i < RUNS; i++) {
  const p = await page('?bench=seek');
  await p.waitForSelector('[data-testid=bench]', { timeout: 120000 });
  const r = JSON.parse(await p.locator('[data-testid=bench]').textContent());
  r.memory_after = await memory(p);
  seeks.push(r);
  await p.close();
}
// A fresh page at t = 0 for the memory baseline, and the page after a 10-minute jump.
const fresh = await page('?seed=1');
await fresh.waitForSelector('svg.network g.node');
await fresh.keyboard.press(' ');
const base = await memory(fresh);
await fresh.close();

// Scrubbing: a 60-s run, then the slider swept back and forth one step per frame for 5 s,
// counting frames and main-thread time as measure.mjs does (Performance.getMetrics).
async function frameCost(query, scrub) {
  const p = await page(query);
  await p.waitForSelector('svg.network g.node');
  if (scrub) {
    await p.keyboard.press(' ');
    await p.getByLabel('time in the run').fill('60000000');
    await p.evaluate(() => {
      const input = document.querySelector('[aria-label="time in the run"]');
      let i = 0;
      const step = () => {
        const t = Math.round(Math.abs(((i++ * 250_000) % 120_000_000) - 60_000_000));
        input.value = String(t);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
  }
  await p.waitForTimeout(2000);
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Performance.enable');
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metric();
  const intervals = await p.evaluate(() => new Promise((done) => {
    const ts = []; const tick = (t) => { ts.push(t); if (ts.length < 300) requestAnimationFrame(tick); else done(ts); };
    requestAnimationFrame(tick);
  }));
  const after = await metric();
  const frames = intervals.length - 1;
  const gaps = intervals.slice(1).map((t, i) => t - intervals[i]).sort((a, b) => a - b);
  const out = {
    task_ms_per_frame: ((after.TaskDuration - before.TaskDuration) * 1000) / frames,
    fps: frames / ((intervals[frames] - intervals[0]) / 1000),
    interval_p95_ms: gaps[Math.floor(gaps.length * 0.95)],
    clock: await p.getByTestId('clock').textContent(),
  };
  await p.close();
  return out;
}
const play = [], scrub = [];
for (let i = 0; i < RUNS; i++) {
  play.push(await frameCost('?seed=1&speed=0.1', false));
  scrub.push(await frameCost('?seed=1&speed=1', true));
}
const pick = (rows, key) => median(rows.map((r) => r[key]));
console.log(JSON.stringify({
  seek_wasm: {
    events: seeks[0].events, checkpoints: seeks[0].checkpoints, trace_hash: seeks[0].trace_hash,
    play_ms: median(seeks.map((s) => s.play_ms)),
    seek_ms_median: median(seeks.map((s) => s.seek_ms_median)),
    seek_ms_worst: median(seeks.map((s) => s.seek_ms_worst)),
  },
  memory_mb: { fresh_page: base, after_the_10_minute_bench: seeks.map((s) => s.memory_after) },
  frame_cost: {
    play_0_1x: { task_ms: pick(play, 'task_ms_per_frame'), fps: pick(play, 'fps'), p95_ms: pick(play, 'interval_p95_ms') },
    scrubbing: { task_ms: pick(scrub, 'task_ms_per_frame'), fps: pick(scrub, 'fps'), p95_ms: pick(scrub, 'interval_p95_ms') },
  },
}, null, 2));
await browser.close();
await server.close();
