import { expect, test } from '@playwright/test';
import {
  addMember,
  asAdmin,
  basic,
  createToken,
  defaults,
  hydrated,
  setSettings,
  signIn,
  signInAsAdmin,
  signInAsAdminWithoutJs,
  watchConsole,
} from './helpers';

// The audit trail in a real browser, and the Content-Security-Policy on every page: hydration
// works under it, and nothing it refuses shows up in the console.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

test('the Audit Log lists what a scripted session just did, and filters it, with and without JavaScript', async ({ page, browser, request }) => {
  const problems = watchConsole(page);
  const description = `Audit me ${Date.now().toString(36)}`;
  // A script: a token generated with a password, then deleted with a token.
  const made = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 3600, description });
  const deleted = await request.delete(`/v4/apiAccessTokens/${made.tokenInfo.tokenId}`, {
    headers: { Authorization: `Bearer ${made.tokenValue}`, 'User-Agent': 'audit-spec-script/1.0' },
  });
  expect(deleted.status()).toBe(204);

  await signInAsAdmin(page);
  await page.getByRole('button', { name: /Administrator/ }).click();
  await page.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Audit Log' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole('heading', { name: 'Audit Log' })).toBeVisible();

  const tokenId = `code[data-id="${made.tokenInfo.tokenId}"]`;
  const generatedRow = page.getByRole('row', { name: new RegExp(`Token generated.*${description}`) });
  await expect(generatedRow.locator(tokenId)).toHaveText(`${made.tokenInfo.tokenId.slice(0, 8)}…`);
  await expect(generatedRow.getByRole('cell', { name: 'password', exact: true })).toBeVisible();
  // Deleted with the token itself: the Via column names it, the Subject column too.
  const deletedRow = page.getByRole('row').filter({ hasText: 'Token deleted' }).filter({ has: page.locator(tokenId) }).first();
  await expect(deletedRow.locator(tokenId)).toHaveCount(2);
  await expect(deletedRow).toContainText('audit-spec-script/1.0');
  // This browser's own sign-in is there, with its user agent.
  await expect(page.getByRole('row').filter({ hasText: 'Signed in' }).first()).toContainText('Chrome');

  // Filter by event kind: the form reloads the page with the filter in its URL.
  await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Token deleted' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=token\.deleted/);
  await hydrated(page);
  await expect(page.locator('tbody tr .event-kind').first()).toHaveText('Token deleted');
  expect(new Set(await page.locator('tbody tr .event-kind').allTextContents())).toEqual(new Set(['Token deleted']));
  expect(problems).toEqual([]);

  // Without JavaScript, the filter form and the list work the same.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await signInAsAdminWithoutJs(plain);
  await plain.goto('/audit');
  await plain.getByLabel('Event', { exact: true }).selectOption({ label: 'Token generated' });
  await plain.getByRole('button', { name: 'Filter' }).click();
  await expect(plain).toHaveURL(/kind=token\.generated/);
  await expect(plain.getByRole('row', { name: new RegExp(`Token generated.*${description}`) })).toBeVisible();
  expect(new Set(await plain.locator('tbody tr .event-kind').allTextContents())).toEqual(new Set(['Token generated']));
  await context.close();
});

test('a member reads their own activity under Preferences, not the Audit Log', async ({ browser, request }) => {
  const member = await addMember(request, 'Ada Activity');
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await signIn(page, member.username, member.password);
  await page.goto('/preferences');
  await page.getByRole('link', { name: 'Your activity' }).click();
  await expect(page).toHaveURL(/\/preferences\/activity$/);
  await expect(page.getByRole('row').filter({ hasText: 'Person added' })).toContainText('admin');
  await expect(page.getByRole('row').filter({ hasText: 'Signed in' }).first()).toContainText(member.username);
  await page.goto('/audit');
  await expect(page.getByText('Only workspace admins read the audit log')).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});

test('every page hydrates under the Content-Security-Policy with nothing in the console', async ({ page, request }) => {
  const problems = watchConsole(page);
  await setSettings(request, { allowMembersToGenerateTokens: true });
  const member = await addMember(request, 'Csp Checker');
  await createToken(request, basic(member.username, member.password), { lifetimeSeconds: 3600, description: 'CSP' });
  const signInPage = await page.goto('/signin');
  expect(signInPage!.headers()['content-security-policy']).toContain("script-src 'self' 'nonce-");
  await hydrated(page);
  await signInAsAdmin(page);
  for (const path of ['/preferences', '/preferences/access-tokens', '/preferences/access-tokens?view=all', '/users', '/workspace/settings', '/audit', '/preferences/activity']) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(200);
    expect(response!.headers()['content-security-policy'], path).toContain("frame-ancestors 'none'");
    await hydrated(page);
  }
  expect(problems).toEqual([]);
});
