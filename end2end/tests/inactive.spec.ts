import { expect, test } from '@playwright/test';
import { asAdmin, createToken, defaults, setSettings, signInAsAdmin, signInAsAdminWithoutJs, watchConsole } from './helpers';

// Revoked and expired tokens are not forgotten: the Inactive tab says when, why and by whom.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

test('a token reported leaked shows as Inactive with the reason', async ({ page, request }) => {
  const problems = watchConsole(page);
  const description = `Leaked ${Date.now().toString(36)}`;
  const { tokenValue, tokenInfo } = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 86_400, description });
  const report = await request.post('/v4/apiAccessTokens/revoke', { data: { tokenValue } });
  expect(report.status()).toBe(202);
  // The report is acted on after its answer.
  await expect
    .poll(async () => {
      const inactive = await (await request.get('/v4/apiAccessTokens?status=inactive&limit=1000', { headers: asAdmin })).json();
      return inactive.data.some((token: { tokenId: string }) => token.tokenId === tokenInfo.tokenId);
    })
    .toBe(true);

  await signInAsAdmin(page);
  // Its owner is told on every page, until they dismiss it.
  const notifications = page.getByRole('region', { name: 'Notifications' });
  await expect(notifications.getByRole('listitem').first()).toContainText(
    `Your access token ${description} (${tokenInfo.tokenId}) was reported leaked and has been revoked.`,
  );
  await notifications.getByRole('button', { name: 'Dismiss' }).click();
  // Back to the page it was dismissed on (leptos adds an empty query to the way back).
  await expect(page).toHaveURL(/\/preferences\/access-tokens\??$/);
  await expect(notifications).toHaveCount(0);
  await expect(page.getByRole('row', { name: new RegExp(description) })).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Which tokens' }).getByRole('link', { name: 'Inactive' }).click();
  await expect(page).toHaveURL(/\/preferences\/access-tokens\?status=inactive$/);
  const row = page.getByRole('row', { name: new RegExp(description) });
  await expect(row.getByRole('cell').nth(2)).toHaveText('Revoked');
  await expect(row.getByRole('cell').nth(5)).toHaveText('Reported leaked');
  await expect(row.getByRole('cell').nth(6)).toHaveText('—');
  await expect(row.getByRole('link')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('without JavaScript the Inactive tab lists a deleted token, who deleted it and when', async ({ browser, request }) => {
  const description = `Deleted no-script ${Date.now().toString(36)}`;
  const { tokenInfo } = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 86_400, description });
  const deleted = await request.delete(`/v4/apiAccessTokens/${tokenInfo.tokenId}`, { headers: asAdmin });
  expect(deleted.status()).toBe(204);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAsAdminWithoutJs(page);
  await page.getByRole('navigation', { name: 'Which tokens' }).getByRole('link', { name: 'Inactive' }).click();
  const row = page.getByRole('row', { name: new RegExp(description) });
  await expect(row.getByRole('cell').nth(5)).toHaveText('Deleted by its owner');
  await expect(row.getByRole('cell').nth(6)).toHaveText('admin');
  await expect(row.getByRole('cell').nth(4).locator('time')).toHaveCount(1);
  await page.getByRole('navigation', { name: 'Which tokens' }).getByRole('link', { name: 'Tokens' }).click();
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await context.close();
});
