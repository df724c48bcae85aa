import { expect, test } from '@playwright/test';
import { asAdmin, createToken, defaults, setSettings, signInAsAdmin, signInAsAdminWithoutJs, watchConsole } from './helpers';

// A token's own page: where it was used from (address, user agent), how much, and its history.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

test("a token's page shows the address and user agent of a request just made with it", async ({ page, request }) => {
  const problems = watchConsole(page);
  const description = `Usage probe ${Date.now().toString(36)}`;
  const { tokenValue, tokenInfo } = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 86_400, description });
  const used = await request.get('/v4/people/current', {
    headers: { Authorization: `Bearer ${tokenValue}`, 'User-Agent': 'e2e-probe/1.0 (usage spec)' },
  });
  expect(used.status()).toBe(200);

  await signInAsAdmin(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole('row', { name: new RegExp(description) }).getByRole('link', { name: tokenInfo.tokenId }).click();
  await expect(page).toHaveURL(new RegExp(`/preferences/access-tokens/${tokenInfo.tokenId}$`));
  await expect(page.getByRole('heading', { name: description, level: 1 })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument), 'the island swapped the page in').toBe(true);

  const clients = page.getByRole('region', { name: 'Where it was used' });
  const client = clients.getByRole('row', { name: /127\.0\.0\.1/ });
  await expect(client).toContainText('e2e-probe/1.0 (usage spec)');
  await expect(client.locator('time')).toHaveCount(1);
  const uses = page.getByRole('region', { name: 'Uses, last 30 days' });
  await expect(uses).toContainText('1 use in the last 30 days');
  await expect(uses.getByRole('img')).toHaveAccessibleName(/1 use in the last 30 days/);
  await expect(uses.locator('rect')).toHaveCount(30);
  await expect(page.getByRole('region', { name: 'History' })).toContainText(/Token generated\s*by admin \(password\)/);
  await expect(page.getByText(tokenValue)).toHaveCount(0);
  // Its new address alert, switched on from here (a plain form; the page comes back).
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByRole('button', { name: 'Turn off' })).toBeVisible();
  await expect(page.getByRole('heading', { name: description, level: 1 })).toBeVisible();
  const info = await (await request.get(`/v4/apiAccessTokens/${tokenInfo.tokenId}`, { headers: asAdmin })).json();
  expect(info.alertOnNewIp).toBe(true);

  // Back to the list, as the breadcrumbs lead.
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Access Tokens' }).click();
  await expect(page.getByRole('heading', { name: 'Access Tokens', level: 1 })).toBeVisible();
  expect(problems).toEqual([]);
});

test("without JavaScript a token's page opens from its row's menu", async ({ browser, request }) => {
  const description = `No-script details ${Date.now().toString(36)}`;
  const { tokenValue, tokenInfo } = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 86_400, description });
  await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${tokenValue}`, 'User-Agent': 'no-script-probe/2' } });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAsAdminWithoutJs(page);
  await page.getByRole('button', { name: `Actions for token ${tokenInfo.tokenId}` }).click();
  await page.getByRole('link', { name: 'View Details' }).click();
  await expect(page.getByRole('heading', { name: description, level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Where it was used' })).toContainText('no-script-probe/2');
  await context.close();
});
