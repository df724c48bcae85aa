import { expect, test } from '@playwright/test';
import { defaults, setSettings, signInAsAdmin, signInAsAdminWithoutJs, watchConsole } from './helpers';

// The Access Tokens page, as the product document describes it.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

test('generate a token, copy it to the clipboard, use it, see Last Used change, then delete it and see it refused', async ({ page, context, request }) => {
  const problems = watchConsole(page);
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

  await myToken.getByRole('button', { name: 'Close' }).click();
  await expect(myToken).toBeHidden();
  // Closed for good: the value is nowhere on the page any more.
  expect(await page.content()).not.toContain(value);
  const row = page.getByRole('row', { name: /Playwright token/ });
  await expect(row).toContainText('Active');
  // The id on one line, shortened, whole on hover and in the copy.
  const id = row.locator('code.token-id');
  const tokenId = (await id.getAttribute('title'))!;
  expect(tokenId).toMatch(/^[0-9a-f-]{36}$/);
  await expect(id).toHaveText(tokenId);
  const idBox = (await id.boundingBox())!;
  expect(idBox.height).toBeLessThan(30);
  expect(await id.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  await row.getByRole('button', { name: `Copy token ID ${tokenId}` }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(tokenId);
  await expect(row.getByRole('cell').nth(5)).toContainText('in 29 days');
  await expect(row.getByRole('cell').nth(6)).toHaveText('Never');

  const me = await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${value}` } });
  expect(me.status()).toBe(200);

  // Last Used: the page lists the tokens again when it is shown again (here: reloaded).
  await page.reload();
  const lastUsed = page.getByRole('row', { name: /Playwright token/ }).getByRole('cell').nth(6);
  await expect(lastUsed.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
  await expect(lastUsed).toContainText(/now|seconds? ago/);

  const used = page.getByRole('row', { name: /Playwright token/ });
  await used.getByRole('button', { name: /Actions for token/ }).click();
  await used.getByRole('link', { name: 'Delete Token…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Token' });
  await expect(confirm).toContainText('cannot be undone');
  await expect(confirm).toContainText('stops working');
  await confirm.getByRole('button', { name: 'Delete Token' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('row', { name: /Playwright token/ })).toHaveCount(0);

  const after = await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${value}` } });
  expect(after.status()).toBe(401);
  expect(problems).toEqual([]);
});

test('without JavaScript the page still lists, generates (showing the value once) and deletes tokens', async ({ browser, request }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAsAdminWithoutJs(page);

  // The browser opens the dialog by itself (`command="show-modal"`); the form posts to the page.
  await page.getByRole('button', { name: 'Generate New Token' }).click();
  const generate = page.getByRole('dialog', { name: 'Generate New Token' });
  await generate.getByLabel('Lifetime (days)').fill('0');
  await generate.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('dialog', { name: 'Generate New Token' }).getByRole('alert').first()).toContainText('at least 1 day');
  await page.getByRole('dialog', { name: 'Generate New Token' }).getByLabel('Lifetime (days)').fill('7');
  await page.getByRole('dialog', { name: 'Generate New Token' }).getByLabel('Description (optional)').fill('No script');
  await page.getByRole('dialog', { name: 'Generate New Token' }).getByRole('button', { name: 'Generate' }).click();

  const myToken = page.getByRole('dialog', { name: 'My Token' });
  await expect(myToken).toBeVisible();
  // No script, no clipboard: the dialog says what to do instead of offering a button that cannot work.
  await expect(myToken.getByRole('button', { name: 'Copy Token to clipboard' })).toBeHidden();
  await expect(myToken).toContainText('Select the token and copy it');
  const value = await myToken.getByLabel('Token').inputValue();
  expect(value).toMatch(/^atk_[A-Za-z0-9]{49}$/);
  expect((await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${value}` } })).status()).toBe(200);
  await myToken.getByRole('button', { name: 'Close' }).click();
  await expect(myToken).toBeHidden();

  const row = page.getByRole('row', { name: /No script/ });
  await row.getByRole('button', { name: /Actions for token/ }).click();
  await row.getByRole('link', { name: 'Delete Token…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Token' });
  await expect(confirm).toContainText('No script');
  await confirm.getByRole('button', { name: 'Delete Token' }).click();
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await expect(page.getByRole('row', { name: /No script/ })).toHaveCount(0);
  expect((await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${value}` } })).status()).toBe(401);
  await context.close();
});
