// Frame cost as the README quotes it: ../shared/tools/measure.mjs run several times on one scene,
// with medians of main-thread busy time per frame, fps and frame intervals. The tool imports
// playwright-core, so a copy beside this file runs it, where ours resolves.
import { access, mkdir, copyFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';

const run = promisify(execFile);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** The runnable copy of the shared tool, or null (with the reason) when it is not here. */
export async function measureTool() {
  const shared = join(resolve(new URL('../../../shared/tools', import.meta.url).pathname), 'measure.mjs');
  const local = new URL('./.measure/measure.mjs', import.meta.url).pathname;
  try {
    await access(shared);
  } catch {
    return { tool: null, why: `${shared} is not here` };
  }
  await mkdir(dirname(local), { recursive: true });
  await copyFile(shared, local);
  return { tool: local };
}

/** `runs` measurements of one scene; `setup` is evaluated in the page first, `extra` are more
 * arguments of the tool. Asynchronous: the calling process also serves the page measured. */
export async function frameCost(tool, { url, wait, setup = '', extra = [], runs = 5 }) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const args = [tool, '--url', url, '--seconds', '5', '--warm', '2', '--wait', wait];
    if (setup) args.push('--setup', setup);
    args.push(...extra);
    const { stdout } = await run('node', args, { encoding: 'utf8' });
    all.push(JSON.parse(stdout));
  }
  const pick = (f) => median(all.map(f));
  return {
    task_ms_per_frame: pick((r) => r.main_thread_ms_per_frame.task),
    all_task_ms: all.map((r) => r.main_thread_ms_per_frame.task),
    fps: pick((r) => r.fps),
    interval_p50_ms: pick((r) => r.interval_ms.p50),
    interval_p95_ms: pick((r) => r.interval_ms.p95),
    ready_ms: pick((r) => r.ready_ms),
    console_errors: [...new Set(all.flatMap((r) => r.console_errors ?? []))],
  };
}
