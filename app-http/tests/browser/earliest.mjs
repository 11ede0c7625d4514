// H6.5: compute earliest availability from the form and see the table and the SVG chart.
import { run, check } from './lib.mjs';

await run('earliest', async (page) => {
  await page.goto(process.argv[2] + '/availability/earliest');
  check(await page.locator('#earliest-chart').count() === 0, 'nothing computed before Compute');
  await page.fill('input[name="agreement_start_date"]', '2026-11-25');
  await Promise.all([page.waitForURL('**compute=1**'), page.click('#earliest-form button[type="submit"]')]);
  await page.locator('#earliest-chart').waitFor();
  const rows = await page.locator('#earliest tbody tr').count();
  check(rows > 0, 'advisers listed');
  check(await page.locator('#earliest-chart rect.bar').count() > 0, 'chart has bars');
});
