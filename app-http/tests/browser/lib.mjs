// Shared set-up of the browser checks: Debian's Chromium driven by playwright-core (no browser
// download), a sign-in through the real /admin/login form, and a runner that exits non-zero on
// the first failed check. Usage of every script: `node <script>.mjs <base URL>`, with
// ALLOT_ADMIN and ALLOT_ADMIN_PASSWORD in the environment.
import { chromium } from 'playwright-core';

export const base = process.argv[2];

export function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

async function signIn(page) {
  await page.goto(base + '/admin/login?next=/closures/ui');
  await page.fill('input[name="login"]', process.env.ALLOT_ADMIN);
  await page.fill('input[name="password"]', process.env.ALLOT_ADMIN_PASSWORD);
  await Promise.all([page.waitForURL('**/closures/ui'), page.click('button[type="submit"], input[type="submit"]')]);
}

// Runs `body(page)` in a fresh signed-in browser; any failure (including a CSP violation or a
// page error reported by the browser) fails the script.
export async function run(name, body) {
  check(base, 'base URL argument');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(15000);
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      // HTTP error statuses (the favicon, an expected 400) are not page faults; CSP refusals are.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        problems.push('console error: ' + m.text());
      }
    });
    await signIn(page);
    await body(page);
    check(problems.length === 0, problems.join('; '));
    console.log('PASS ' + name);
  } catch (e) {
    console.error('FAIL ' + name + ': ' + (e && e.stack ? e.stack : e));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
