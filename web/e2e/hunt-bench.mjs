// `cargo xtask bench`, the bug hunt's half: seeds per second in the page's Web Worker, how long
// each shipped variant takes to be found and shrunk on its page, and the page's frame cost
// (../shared/tools/measure.mjs) while a hunt runs, against the same scene without one.
// Medians over several runs; the numbers go into the README.
import { serve, launch } from './harness.mjs';
import { measureTool, frameCost } from './frame-cost.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const server = await serve();
const browser = await launch();

// One hunt in a fresh page; the panel's final line, and the hunt's own numbers from it.
async function hunt(path, variant, count, { pause = false } = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + path);
  if (pause) await page.getByRole('button', { name: /Pause/ }).click();
  await page.locator('[data-testid=hunt] summary').click();
  await page.getByTestId('hunt-variant').selectOption(variant);
  await page.getByTestId('hunt-count').selectOption(String(count));
  await page.getByTestId('hunt-start').click();
  await page.waitForFunction(() => /^(Found at|No violation)/.test(
    document.querySelector('[data-testid=hunt-status]')?.textContent ?? ''), null, { timeout: 600000 });
  const status = await page.getByTestId('hunt-status').textContent();
  await page.close();
  const none = status.match(/^No violation in ([\d,]+) seeds \(([\d.]+) s, ([\d,]+) events\)/);
  if (none) {
    const [seeds, s, events] = [Number(none[1].replace(/,/g, '')), Number(none[2]), Number(none[3].replace(/,/g, ''))];
    return { status, seeds, s, events };
  }
  const f = status.match(/^Found at seed (\d+) after ([\d,]+) seeds? \(([\d.]+) s\); shrunk from (\d+) actions to (\d+) in ([\d.]+) s/);
  return { status, seed: Number(f[1]), found_s: Number(f[3]), from: Number(f[4]), to: Number(f[5]), shrink_s: Number(f[6]) };
}

// 1. The worker's rate: 1,000 seeds of the correct Raft (the page's run: 5 nodes, 10-20 ms
// links, 30 s each, random faults), as `splitbrain sweep raft --seeds 1..1000 --jobs 1
// --latency 10ms..20ms` plays them natively. With the page paused (the worker takes its core)
// and playing (on fewer than 4 cores the worker pauses as long as it works, crates/hunt-worker
// pace.rs).
for (const pause of [true, false]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await hunt('?seed=1', 'correct', 1000, { pause }));
  const s = median(runs.map((r) => r.s));
  console.log(JSON.stringify({ [`worker_raft_1000_seeds_page_${pause ? 'paused' : 'playing'}`]: {
    median_s: s, all_s: runs.map((r) => r.s), seeds_per_s: Math.round(1000 / s),
    events: runs[0].events, events_per_s: Math.round(runs[0].events / s),
  } }, null, 2));
}

// 2. Every shipped variant on its page, the page playing: where it is found, and how long
// finding and shrinking take (the target: shrinking under 5 s in the page).
{
  const variants = [
    ['', 'commit-previous-term'], ['', 'no-log-check'], ['', 'volatile-voted-for'],
    ['paxos/?lab=paxos&', 'ignore-promised-values'], ['paxos/?lab=paxos&', 'forget-promise'],
    ['paxos/?lab=paxos&', 'shared-ballots'],
    ['paxos/?lab=paxos&param.mode=%22single%22&', 'ignore-promised-values'],
    ['hashing/?lab=hashing&', 'release-early'], ['broadcast/?lab=broadcast&', 'volatile'],
  ];
  const out = {};
  for (const [page, variant] of variants) {
    const path = (page || '?') + 'seed=1';
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await hunt(path, variant, 10000));
    out[`${path} ${variant}`] = {
      seed: runs[0].seed, from: runs[0].from, to: runs[0].to,
      found_s: median(runs.map((r) => r.found_s ?? Infinity)), shrink_s: median(runs.map((r) => r.shrink_s ?? Infinity)),
      all_shrink_s: runs.map((r) => r.shrink_s), status: runs[0].status,
    };
  }
  console.log(JSON.stringify({ hunts_in_the_page: out }, null, 2));
}
await browser.close();

// 3. Frame cost of the Raft page at 0.1x, alone and while a 10,000-seed hunt of the correct
// algorithm runs in the worker (started by the setup, so the measurement covers the hunt).
const { tool, why } = await measureTool();
if (!tool) {
  console.log(`(frame cost skipped: ${why})`);
  await server.close();
  process.exit(0);
}
const startHunt = `(async () => {
  document.querySelector('[data-testid=hunt] summary').click();
  await new Promise((ok) => setTimeout(ok, 100));
  const pick = (id, v) => { const s = document.querySelector('[data-testid=' + id + ']'); s.value = v;
    s.dispatchEvent(new Event('change', { bubbles: true })); };
  pick('hunt-variant', 'correct'); pick('hunt-count', '10000');
  await new Promise((ok) => setTimeout(ok, 100));
  document.querySelector('[data-testid=hunt-start]').click();
  await new Promise((ok) => setTimeout(ok, 1500));
})()`;
const frame = {};
for (const [name, setup] of [['raft_0.1x_alone', ''], ['raft_0.1x_while_hunting', startHunt]]) {
  frame[name] = await frameCost(tool, { url: server.url + '?speed=0.1', wait: 'svg.network g.msg', setup, runs: RUNS });
}
frame.ratio = +(frame['raft_0.1x_while_hunting'].task_ms_per_frame / frame['raft_0.1x_alone'].task_ms_per_frame).toFixed(2);
console.log(JSON.stringify({ frame_cost_while_hunting: frame }, null, 2));
await server.close();
