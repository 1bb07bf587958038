// What a visitor downloads for each page of the site in dist/: its wasm and JavaScript, as sent,
// gzipped and brotli-compressed (the two encodings hosts use). `cargo xtask dist` prints it;
// `cargo xtask bench` reports it as JSON. Node's zlib only, so it runs without npm packages.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const DIST = resolve(new URL('../../dist', import.meta.url).pathname);

/** The site's pages: [name, folder under dist/]. Mirrors BUNDLES in crates/xtask/src/site.rs. */
export const PAGES = [['root (raft)', ''], ['broadcast/', 'broadcast'], ['hashing/', 'hashing'],
  ['paxos/', 'paxos'], ['balance/ (with uPlot)', 'balance'], ['quorum/', 'quorum']];

/** Per page: each wasm and JS file's bytes, gzip -9 and brotli -11, and the page's totals. */
export async function pageSizes(dist = DIST) {
  const size = {};
  for (const [page, dir] of PAGES) {
    const one = {};
    // The embed snippet and its example sit beside the root page but are not part of it, nor
    // are the workers: the bug hunt's loads when a hunt starts, the diagram's when the diagram
    // is first opened (each reported on its own).
    const files = (await readdir(join(dist, dir))).filter((f) => /\.(wasm|js)$/.test(f) && !f.startsWith('embed'));
    const workers = { hunt_worker: 'hunt-worker', diagram_worker: 'diagram-worker' };
    const inWorker = (f) => Object.values(workers).some((w) => f.startsWith(w));
    for (const f of files.filter((f) => !inWorker(f))) {
      const body = await readFile(join(dist, dir, f));
      one[f] = {
        bytes: body.length,
        gzip: gzipSync(body, { level: 9 }).length,
        brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      };
    }
    const sized = Object.values(one);
    one.total_gzip = sized.reduce((a, x) => a + x.gzip, 0);
    one.total_brotli = sized.reduce((a, x) => a + x.brotli, 0);
    for (const [key, prefix] of Object.entries(workers)) {
      const worker = files.filter((f) => f.startsWith(prefix));
      if (!worker.length) continue;
      const bodies = await Promise.all(worker.map((f) => readFile(join(dist, dir, f))));
      one[key] = {
        bytes: bodies.reduce((a, b) => a + b.length, 0),
        gzip: bodies.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0),
        brotli: bodies.reduce((a, b) => a + brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0),
      };
    }
    size[page] = one;
  }
  return size;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kb = (n) => (n / 1000).toFixed(1).padStart(8) + ' KB';
  console.log('    page                     as sent       gzip     brotli');
  for (const [page, files] of Object.entries(await pageSizes(process.argv[2] ?? DIST))) {
    const { hunt_worker: hunt, diagram_worker: diagram, ...own } = files;
    const raw = Object.values(own).filter((x) => typeof x === 'object').reduce((a, x) => a + x.bytes, 0);
    console.log(`    ${page.padEnd(22)} ${kb(raw)} ${kb(files.total_gzip)} ${kb(files.total_brotli)}`);
    if (hunt) console.log(`      + its hunt worker, loaded on Hunt ${kb(hunt.bytes)} ${kb(hunt.gzip)} ${kb(hunt.brotli)}`);
    if (diagram) console.log(`      + the diagram's worker, on opening ${kb(diagram.bytes)} ${kb(diagram.gzip)} ${kb(diagram.brotli)}`);
  }
}
