import { expect, test, type Page } from '@playwright/test';
import { admin } from '../playwright.config';

// The Access Tokens page, as the product document describes it.

async function signInAsAdmin(page: Page) {
  await page.goto('/signin');
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/preferences$/);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 15_000 });
}

test('generate a token, copy it to the clipboard, use it, then delete it and see it refused', async ({ page, context, request }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    // A refused form answers 400 on purpose; Chromium logs every 4xx it fetches.
    if (message.text().startsWith('Failed to load resource: the server responded with a status of 4')) return;
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signInAsAdmin(page);

  await page.getByRole('button', { name: /Administrator/ }).click();
  await page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Access Tokens', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();

  await page.getByRole('button', { name: 'Generate New Token' }).click();
  const generate = page.getByRole('dialog', { name: 'Generate New Token' });
  await expect(generate).toBeVisible();
  await generate.getByLabel('Lifetime (days)').fill('0');
  await generate.getByRole('button', { name: 'Generate' }).click();
  await expect(generate.getByRole('alert').first()).toContainText('at least 1 day');

  await generate.getByLabel('Lifetime (days)').fill('30');
  await generate.getByLabel('Description (optional)').fill('Playwright token');
  await generate.getByRole('button', { name: 'Generate' }).click();

  const myToken = page.getByRole('dialog', { name: 'My Token' });
  await expect(myToken).toBeVisible();
  await expect(myToken).toContainText('cannot be shown again');
  await myToken.getByRole('button', { name: 'Copy Token to clipboard' }).click();
  await expect(myToken.getByRole('status')).toHaveText('Copied');
  const value = await page.evaluate(() => navigator.clipboard.readText());
  expect(value).toMatch(/^atk_[A-Za-z0-9]{49}$/);
  await expect(myToken.getByLabel('Token')).toHaveValue(value);

  const me = await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${value}` } });
  expect(me.status()).toBe(200);

  await myToken.getByRole('button', { name: 'Close' }).click();
  await expect(myToken).toBeHidden();
  const row = page.getByRole('row', { name: /Playwright token/ });
  await expect(row).toContainText('Active');

  await row.getByRole('button', { name: /Actions for token/ }).click();
  await row.getByRole('button', { name: 'Delete Token…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Token' });
  await expect(confirm).toContainText('cannot be undone');
  await confirm.getByRole('button', { name: 'Delete Token' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('row', { name: /Playwright token/ })).toHaveCount(0);

  const after = await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${value}` } });
  expect(after.status()).toBe(401);
  expect(problems).toEqual([]);
});
