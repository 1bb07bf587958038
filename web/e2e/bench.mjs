// `cargo xtask bench`, browser half: page size, simulator throughput as wasm in Chromium, and
// frame cost of the default scene (../shared/tools/measure.mjs). Medians over several runs.
import { readdir, readFile, access } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
const run = promisify(execFile);
import { join, resolve } from 'node:path';
import { serve, launch, DIST } from './harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// 1. Size of what a visitor downloads.
const files = await readdir(DIST);
const size = {};
for (const f of files.filter((f) => /\.(wasm|js)$/.test(f))) {
  const body = await readFile(join(DIST, f));
  size[f.endsWith('.wasm') ? 'wasm' : 'js'] = { bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
}
size.total_gzip = (size.wasm?.gzip ?? 0) + (size.js?.gzip ?? 0);
console.log(JSON.stringify({ size }, null, 2));

const server = await serve();
const browser = await launch();

// 2. The 5-node throughput workload compiled to wasm, in the page.
const wasm = [];
for (let i = 0; i < RUNS; i++) {
  const page = await browser.newPage();
  await page.goto(server.url + '?bench=5');
  const text = await page.locator('[data-testid=bench]').textContent({ timeout: 120000 });
  wasm.push(JSON.parse(text));
  await page.close();
}
console.log(JSON.stringify({ wasm_5_nodes: {
  runs: wasm.length,
  median_events_per_second: median(wasm.map((r) => r.events_per_second)),
  all: wasm.map((r) => r.events_per_second),
  trace_hash: wasm[0].trace_hash,
} }, null, 2));
await browser.close();

// 3. Frame cost of the default scene (5 nodes, client traffic on) with the shared tool.
const tools = resolve(new URL('../../../shared/tools', import.meta.url).pathname);
const measure = join(tools, 'measure.mjs');
try {
  await access(measure);
  try { await access(join(tools, 'node_modules/playwright-core')); } catch {
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: tools, stdio: 'inherit' });
  }
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    // Asynchronous: this process also serves the page being measured.
    const { stdout } = await run('node', [measure, '--url', server.url, '--seconds', '5', '--warm', '2', '--wait', 'svg.network g.msg'],
      { encoding: 'utf8' });
    runs.push(JSON.parse(stdout));
  }
  const pick = (f) => median(runs.map(f));
  console.log(JSON.stringify({ frame_cost_default_scene: {
    runs: runs.length,
    task_ms_per_frame: pick((r) => r.main_thread_ms_per_frame.task),
    all_task_ms: runs.map((r) => r.main_thread_ms_per_frame.task),
    fps: pick((r) => r.fps),
    interval_p95_ms: pick((r) => r.interval_ms.p95),
    console_errors: runs.flatMap((r) => r.console_errors ?? r.errors ?? []),
  } }, null, 2));
} catch (e) {
  console.log(`frame cost skipped: ${e.message}`);
}
await server.close();
