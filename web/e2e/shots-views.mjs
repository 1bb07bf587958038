// Screenshots of each lab's picture for a person to look at: `node shots-views.mjs [outdir]`.
import { serve, launch, open } from './harness.mjs';
const out = process.argv[2] ?? '/tmp/shots';
const server = await serve();
const browser = await launch();
const shot = async (name, url, act, viewport = { width: 1280, height: 900 }) => {
  const { page, errors } = await open(browser, server.url + url, viewport);
  if (act) await act(page);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: viewport.width < 500 ? false : true });
  if (errors.length) console.log(name, 'console errors:', errors);
  await page.close();
};
const leaderThenStale = async (p) => {
  await p.waitForSelector('g.node.role-leader', { timeout: 20000 });
  const old = await p.locator('g.node.role-leader').first().getAttribute('data-node');
  await p.keyboard.press(old);
  await p.keyboard.press('i');
  await p.waitForSelector('g.node.role-stale-leader', { timeout: 30000 });
  await p.waitForTimeout(1500);
};
for (const [w, h] of [[1280, 900], [375, 740]]) {
  await shot(`raft-${w}`, '?speed=0.05', (p) => p.waitForTimeout(2500), { width: w, height: h });
  await shot(`raft-stale-${w}`, '?speed=0.3', leaderThenStale, { width: w, height: h });
  await shot(`balance-${w}`, 'balance/?lab=balance', (p) => p.waitForTimeout(2500), { width: w, height: h });
  await shot(`hashing-${w}`, 'hashing/?lab=hashing', (p) => p.waitForTimeout(2500), { width: w, height: h });
  await shot(`paxos-${w}`, 'paxos/?lab=paxos', (p) => p.waitForTimeout(3000), { width: w, height: h });
}
await shot('balance-compare', 'balance/?lab=balance&param.compare=p2c', (p) => p.waitForTimeout(2500));
await shot('hashing-81', 'hashing/?lab=hashing&nodes=81', (p) => p.waitForTimeout(2500));
await browser.close();
await server.close();
