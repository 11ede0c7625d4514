// H6.7 / H6.8: open a decision from the history and expand an adviser section.
import { run, check } from './lib.mjs';

await run('history', async (page) => {
  await page.goto(process.argv[2] + '/allocations/history');
  const first = page.locator('#history tbody tr a').first();
  await Promise.all([page.waitForURL('**/allocations/history/*'), first.click()]);
  check((await page.textContent('h1')).includes('Allocation decision'), 'detail page');
  const section = page.locator('details.adviser').first();
  await section.locator('summary').click();
  check(await section.evaluate((d) => d.open), 'adviser section expands');
  check(await section.locator('table').first().isVisible(), 'week table visible');
});
