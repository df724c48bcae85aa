import { expect, test } from '@playwright/test';
import { asAdmin, createToken, defaults, setSettings, signInAsAdmin, signInAsAdminWithoutJs, watchConsole } from './helpers';

// Tokens about to expire: a badge on their rows, and a warning on every page until dismissed.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

test('a token with a 3-day lifetime gets a badge and a warning on every page, which can be dismissed', async ({ page, request }) => {
  const problems = watchConsole(page);
  await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 3 * 86_400, description: 'Three-day token' });
  await signInAsAdmin(page);
  const row = page.getByRole('row', { name: /Three-day token/ });
  await expect(row.getByRole('cell').nth(5)).toContainText('Expires in 2 days');

  const warning = page.getByRole('region', { name: 'Tokens expiring soon' });
  await expect(warning).toContainText(/You have \d+ access tokens? that expires? within 7 days(: |, the first )in \d+ (days|hours)\./);
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Preferences' }).click();
  await expect(page.getByRole('heading', { name: 'Preferences', level: 1 })).toBeVisible();
  await expect(warning).toBeVisible();
  await warning.getByRole('link', { name: 'Review your access tokens' }).click();
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();

  await page.evaluate(() => ((window as any).__sameDocument = true));
  await warning.getByRole('button', { name: 'Dismiss' }).click();
  await expect(warning).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();
  await expect(warning).toHaveCount(0);

  // A token that comes into its last week after that brings it back.
  await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 600, description: 'Ten-minute token' });
  await page.reload();
  await expect(warning).toBeVisible();
  await expect(page.getByRole('row', { name: /Ten-minute token/ }).getByRole('cell').nth(5)).toContainText('Expires within a day');
  expect(problems).toEqual([]);
});

test('without JavaScript the warning shows and is dismissed too', async ({ browser, request }) => {
  await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 2 * 86_400, description: 'No-script expiring' });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAsAdminWithoutJs(page);
  const warning = page.getByRole('region', { name: 'Tokens expiring soon' });
  await expect(warning).toBeVisible();
  await warning.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await expect(warning).toHaveCount(0);
  await context.close();
});
