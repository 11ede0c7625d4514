// H6.4: create an override from the form, see its state, edit its limit, delete it.
import { run, check } from './lib.mjs';

const EMAIL = 'olivia.bennett@harbourfinch.example';

await run('overrides', async (page) => {
  await page.goto(process.argv[2] + '/capacity_overrides/ui');
  const mine = () => page.locator('#overrides tbody tr[data-date="2099-01-07"]');

  // A limit out of range is refused by the API and shown next to the field.
  await page.selectOption('#o-adviser_email', EMAIL);
  await page.fill('#o-effective_date', '2099-01-07');
  await page.fill('#o-client_limit_monthly', '500');
  await page.click('#override-submit');
  await page.locator('.field-error[data-field="client_limit_monthly"]').filter({ hasText: /\w/ }).waitFor();

  await page.fill('#o-client_limit_monthly', '4');
  await page.selectOption('#o-pod_type', 'Team Pod');
  await Promise.all([page.waitForEvent('load'), page.click('#override-submit')]);
  await mine().waitFor();
  check(await mine().locator('.state').textContent() === 'scheduled', 'a future override is scheduled');
  check(await mine().getAttribute('data-email') === EMAIL, 'adviser');

  await mine().locator('button.edit').click();
  await page.fill('#o-client_limit_monthly', '6');
  await Promise.all([page.waitForEvent('load'), page.click('#override-submit')]);
  check(await mine().getAttribute('data-limit') === '6', 'limit edited');

  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForEvent('load'), mine().locator('button.delete').click()]);
  check(await mine().count() === 0, 'override deleted');
});
