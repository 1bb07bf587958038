// Screenshots of the main states, for a person to look at: `node shots.mjs [outdir]`.
import { serve, launch, open } from './harness.mjs';
const out = process.argv[2] ?? '/tmp/shots';
const server = await serve();
const browser = await launch();
const shot = async (name, url, act, viewport) => {
  const { page, errors } = await open(browser, server.url + url, viewport);
  if (act) await act(page);
  await page.screenshot({ path: `${out}/${name}.png` });
  if (errors.length) console.log(name, 'console errors:', errors);
  await page.close();
};
await shot('raft', '?speed=0.1', (p) => p.waitForTimeout(4000));
await shot('drops', '?speed=0.05&latency=40ms..80ms', async (p) => {
  await p.waitForTimeout(3000);
  await p.getByLabel('loss percent').fill('30'); await p.getByLabel('loss percent').dispatchEvent('change');
  await p.getByLabel('duplication percent').fill('30'); await p.getByLabel('duplication percent').dispatchEvent('change');
  await p.waitForTimeout(1500);
});
await shot('partition-tool', '', async (p) => {
  await p.waitForTimeout(2500);
  await p.keyboard.press('p');
  await p.locator('.pgroup[data-node="0"]').click();
  await p.locator('.pgroup[data-node="1"]').click();
});
await shot('help', '', async (p) => { await p.keyboard.press('?'); });
await shot('narrow', '', (p) => p.waitForTimeout(2000), { width: 360, height: 740 });
await shot('small-frame', '', (p) => p.waitForTimeout(2000), { width: 800, height: 500 });
await shot('panic', '?selftest=panic', (p) => p.waitForSelector('[data-testid=crash]'));
await browser.close();
await server.close();
