// H6.3: add a closure through the card (live workday count, a tag chip), see it in the table,
// see an API validation error next to its field, edit its tags inline, grey it out with the
// Today picker, delete it.
import { run, check } from './lib.mjs';

const rowOf = (page, text) => page.locator('#closures tbody tr', { hasText: text });

await run('closures', async (page) => {
  await page.goto(process.argv[2] + '/closures/ui');

  // H2.5 validation shown next to the field: end before start.
  await page.fill('#c-start_date', '2026-12-21');
  await page.fill('#c-end_date', '2026-12-18');
  await page.click('#add-closure button[type="submit"]');
  await page.locator('.field-error[data-field="end_date"]').filter({ hasText: 'invalid date range' }).waitFor();

  await page.fill('#c-end_date', '2026-12-25');
  check(await page.textContent('#workday-count') === '5', 'live workday count is 5');
  await page.click('.chip[data-tag="christmas"]');
  check(await page.inputValue('#c-tags') === 'christmas', 'chip adds its tag');
  await page.fill('#c-description', 'Browser test shutdown');
  await Promise.all([page.waitForEvent('load'), page.click('#add-closure button[type="submit"]')]);

  const row = rowOf(page, 'Browser test shutdown');
  await row.waitFor();
  check(await row.locator('td.num').textContent() === '5', 'table shows 5 workdays');
  check(await row.locator('.badge').allTextContents().then((t) => t.join(',')) === 'christmas', 'badge');

  await row.locator('button.edit').click();
  await row.locator('.inline-edit input[name="tags"]').fill('christmas, office');
  await Promise.all([page.waitForEvent('load'), row.locator('.inline-edit button.save').click()]);
  const edited = rowOf(page, 'Browser test shutdown');
  const badges = await edited.locator('.badge').allTextContents();
  check(badges.join(',') === 'christmas,office', 'tags edited inline: ' + badges);

  // The Today picker greys out closures that ended before it.
  await page.fill('#today', '2026-12-01');
  check(!(await edited.getAttribute('class') || '').includes('past'), 'not past yet');
  await page.fill('#today', '2027-01-04');
  check((await edited.getAttribute('class') || '').includes('past'), 'greyed out after Today moves');

  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForEvent('load'), edited.locator('button.delete').click()]);
  check(await rowOf(page, 'Browser test shutdown').count() === 0, 'row deleted');
});
