// The live run told in words for screen readers: a polite live region says what happens at a
// listener's pace, and the reader can turn it off (and it stays off on the next visit).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, start, stop } from './harness.mjs';

let server, browser;
before(async () => { [server, browser] = await start(); });
after(() => stop(server, browser));

const said = (page) => page.getByTestId('narration').textContent();

test('an election is told in the live region, a crash after it, and turning it off silences it', async () => {
  const { page, errors } = await open(browser, server.url + '?speed=0.5&seed=2');
  const region = page.getByTestId('narration');
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  await page.waitForFunction(() => /^n\d became leader of term \d+$/.test(document.querySelector('[data-testid=narration]').textContent), null, { timeout: 20000, polling: 100 });
  await page.getByRole('button', { name: 'Crash node' }).click();
  await page.waitForFunction(() => /^n\d crashed/.test(document.querySelector('[data-testid=narration]').textContent), null, { timeout: 20000, polling: 100 });
  const box = page.getByLabel('tell what happens, for screen readers');
  assert.ok(await box.isChecked());
  await box.uncheck();
  assert.equal(await said(page), '');
  // n0 comes back, and the run plays on a second: off, nothing is told.
  await page.getByRole('button', { name: 'Restart node' }).click();
  const clock = () => Number(document.querySelector('[data-testid=clock]').textContent.match(/([\d.]+)s/)[1]);
  const from = await page.evaluate(clock);
  await page.waitForFunction((f) => Number(document.querySelector('[data-testid=clock]').textContent.match(/([\d.]+)s/)[1]) > f + 1, from);
  assert.equal(await said(page), '', 'off, it says nothing');
  // The choice is kept for the next visit.
  await page.reload();
  await page.waitForSelector('svg.network g.node');
  assert.ok(!(await page.getByLabel('tell what happens, for screen readers').isChecked()));
  assert.deepEqual(errors, []);
  await page.close();
});
