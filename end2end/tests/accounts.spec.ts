import { expect, test, type Page } from '@playwright/test';
import { admin } from '../playwright.config';

// Fails the test on hydration warnings or errors in the browser console.
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

async function signIn(page: Page, username: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Resolves once the wasm bundle has hydrated the page. */
async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 15_000 });
}

test('the first admin signs in and the page is hydrated: the user menu opens without a reload', async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, admin.username, admin.password);
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();
  await hydrated(page);

  // A marker on window survives only if the page is not reloaded.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const menuButton = page.getByRole('button', { name: /Administrator/ });
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Preferences' })).toBeHidden();
  await menuButton.click();
  await expect(menuButton).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Users' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
  await expect(menuButton).toBeFocused();

  // Choosing an entry closes the menu; the header's title leads back to the Access Tokens page.
  await menuButton.click();
  await page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Preferences' }).click();
  await expect(page.getByRole('heading', { name: 'Preferences' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Users' })).toBeHidden();
  await page.getByRole('banner').getByRole('link', { name: 'Access Tokens' }).click();
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(problems).toEqual([]);
});

test('wrong credentials get one generic message', async ({ page }) => {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The username or password is incorrect.');
  await expect(page).toHaveURL(/\/signin$/);
});

test('an admin adds a member on the Users page, who then signs in and out', async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, admin.username, admin.password);
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await hydrated(page);
  await page.getByRole('button', { name: /Administrator/ }).click();
  await page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();

  await page.evaluate(() => ((window as any).__sameDocument = true));
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Add person' }) });
  await form.getByLabel('Username').fill('e2e-member');
  await form.getByLabel('Name', { exact: true }).fill('Member Example');
  await form.getByLabel('Password').fill('member-password');
  await form.getByRole('button', { name: 'Add person' }).click();
  await expect(page.getByRole('status')).toHaveText('Added e2e-member.');
  await expect(page.getByRole('row', { name: /Member Example/ })).toContainText('Member');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.getByRole('button', { name: /Administrator/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);

  await signIn(page, 'e2e-member', 'member-password');
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();
  await page.goto('/preferences');
  await expect(page.locator('.facts')).toContainText('Member');
  expect(problems).toEqual([]);
});

test('without JavaScript, signing in still works, and wrong credentials get the same message', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, admin.username, 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('The username or password is incorrect.');
  await signIn(page, admin.username, admin.password);
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();

  // The user menu is a popover: it opens without a script too.
  const users = page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Users' });
  await expect(users).toBeHidden();
  await page.getByRole('button', { name: /Administrator/ }).click();
  await users.click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await context.close();
});
