// `cargo xtask bench`, the timeline's part: seeks in a 10-minute Raft run natively (`splitbrain
// bench --seek`) and through the page's scrubber in Chromium, the memory that run's checkpoints
// and trace take in the page, and what scrubbing costs per frame against playing at 0.1×.
// Prints one JSON object; medians of `RUNS` page loads. Needs the release CLI and dist/.
import { execFileSync } from 'node:child_process';
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

// The native half prints the benchmark's run as a link description (a 10-minute Raft run with
// automatic traffic, a crash and a partition every minute); the page opens it at 10 min.
const cli = new URL('../../target/release/splitbrain', import.meta.url).pathname;
const native = JSON.parse(execFileSync(cli, ['bench', '--seek', '100', '--runs', '3', '--with-run'], { maxBuffer: 64 << 20 }).toString());
const link = `?run=${encodeURIComponent(JSON.stringify(native.link_run))}&t=600s`;

const seeks = [];
let after = null;
for (let i = 0; i < RUNS; i++) {
  const p = await page(link);
  await p.waitForSelector('[data-testid=timeline]');
  await p.waitForFunction(() => document.querySelector('[data-testid=clock]').textContent === 't = 600s', null, { timeout: 60000 });
  // 100 seeks through the scrubber to instants from a fixed sequence; each is timed from the
  // input event to the page redrawn for it (Yew handles the event synchronously).
  const times = await p.evaluate(async () => {
    const input = document.querySelector('[aria-label="time in the run"]');
    const clock = document.querySelector('[data-testid=clock]');
    // The page handles a message in a microtask after the event: wait for the next task.
    const channel = new MessageChannel();
    const nextTask = () => new Promise((done) => { channel.port1.onmessage = done; channel.port2.postMessage(0); });
    let x = 12345;
    const out = [];
    for (let k = 0; k < 100; k++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const s = Math.floor((x / 2147483648) * 600);
      const t0 = performance.now();
      input.value = String(s * 1_000_000);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await nextTask();
      out.push(performance.now() - t0);
      if (clock.textContent !== `t = ${s}s`) throw new Error(`seek to ${s}s shows ${clock.textContent}`);
    }
    return out;
  });
  seeks.push({ median: median(times), worst: Math.max(...times) });
  after = await memory(p);
  await p.close();
}
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
    // The 10-minute run, opened paused at its end; the thumb is dragged across it, 2 s of the
    // run per frame, back and forth: every frame is a seek and a redraw.
    await p.waitForFunction(() => document.querySelector('[data-testid=clock]').textContent === 't = 600s', null, { timeout: 60000 });
    await p.evaluate(() => {
      const input = document.querySelector('[aria-label="time in the run"]');
      let i = 0;
      const step = () => {
        const t = Math.abs(((i++ * 2_000_000) % 1_200_000_000) - 600_000_000);
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
  scrub.push(await frameCost(link, true));
}
const pick = (rows, key) => median(rows.map((r) => r[key]));
console.log(JSON.stringify({
  seek_native: {
    events: native.events, checkpoints: native.checkpoints, trace_hash: native.trace_hash,
    play_ms: native.play_ms_median, seek_ms_median: native.seek_ms_median, seek_ms_worst: native.seek_ms_worst_median,
  },
  seek_chromium_through_the_page: {
    seek_ms_median: median(seeks.map((s) => s.median)), seek_ms_worst: median(seeks.map((s) => s.worst)),
  },
  memory_mb: { fresh_page: base, after_10_minutes_and_100_seeks: after },
  frame_cost: {
    play_0_1x: { task_ms: pick(play, 'task_ms_per_frame'), fps: pick(play, 'fps'), p95_ms: pick(play, 'interval_p95_ms') },
    scrubbing_the_10_minute_run: { task_ms: pick(scrub, 'task_ms_per_frame'), fps: pick(scrub, 'fps'), p95_ms: pick(scrub, 'interval_p95_ms') },
  },
}, null, 2));
await browser.close();
await server.close();
