import { expect, test } from '@playwright/test';
import { asAdmin, createToken, defaults, hydrated, setSettings, signInAsAdmin, watchConsole } from './helpers';

// The pages are server HTML; the island's navigator follows links and posts forms without
// reloading, and the browser's Back and Forward buttons still go where they should.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

test('links, Back and Forward swap pages in without a reload, and the page swapped in works', async ({ page, request }) => {
  const problems = watchConsole(page);
  await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 86_400, description: 'Navigation token' });
  await signInAsAdmin(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Preferences' }).click();
  await expect(page).toHaveURL(/\/preferences$/);
  await expect(page.getByRole('heading', { name: 'Preferences', level: 1 })).toBeVisible();
  await expect(page).toHaveTitle('Preferences · Access Tokens');

  await page.goBack();
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();
  await page.goForward();
  await expect(page.getByRole('heading', { name: 'Preferences', level: 1 })).toBeVisible();
  await page.goBack();

  // The page that came back is alive: its times are local and ticking, its dialogs open.
  const row = page.getByRole('row', { name: /Navigation token/ });
  await expect(row.getByRole('cell').nth(5)).toContainText('in 23 hours');
  await expect(row.locator('time').first()).toHaveAttribute('data-local', '');
  const created = row.getByRole('cell').nth(4).locator('.relative');
  const hint = (await created.textContent())!;
  await expect(created).not.toHaveText(hint, { timeout: 5_000 });
  await row.getByRole('button', { name: /Actions for token/ }).click();
  await row.getByRole('link', { name: 'Delete Token…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Token' });
  await expect(confirm).toContainText('Navigation token');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  // Opened in place: the URL never asked for the dialog.
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);

  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(problems).toEqual([]);
});

test('a dialog a link asks for (?delete=) opens modal, and closing it takes the request out of the URL', async ({ page, request }) => {
  const problems = watchConsole(page);
  const token = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 86_400, description: 'Linked token' });
  await signInAsAdmin(page);
  await page.goto(`/preferences/access-tokens?delete=${token.tokenInfo.tokenId}`);
  await hydrated(page);
  const confirm = page.getByRole('dialog', { name: 'Delete Token' });
  await expect(confirm).toContainText('Linked token');
  // Modal: the rest of the page is inert until it closes.
  expect(await confirm.evaluate((dialog) => dialog.matches(':modal'))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await expect(page.getByRole('row', { name: /Linked token/ })).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('a form posts once through the navigator; its answer is swapped in and focus stays on the form', async ({ page }) => {
  const problems = watchConsole(page);
  await signInAsAdmin(page);
  await page.goto('/workspace/settings');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  let posts = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/workspace/settings') posts++;
  });
  await page.getByLabel('Maximum lifetime (days)').fill('0');
  // A double click: the button is busy until the answer is in, so the form is posted once.
  await page.getByRole('button', { name: 'Save' }).dblclick();
  await expect(page.getByRole('alert').filter({ hasText: 'maximum token lifetime' })).toBeVisible();
  expect(posts).toBe(1);
  await expect(page.getByRole('button', { name: 'Save' })).toBeFocused();
  await expect(page.getByLabel('Maximum lifetime (days)')).toHaveValue('0');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(problems).toEqual([]);
});
