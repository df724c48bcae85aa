import { expect, test, type Browser } from '@playwright/test';
import { addMember, asAdmin, basic, createToken, defaults, hydrated, setSettings, signIn, signInAsAdmin, watchConsole } from './helpers';

// What workspace admins do: the Workspace Settings page, and the All members view of tokens.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

async function newPage(browser: Browser) {
  const context = await browser.newContext();
  return context.newPage();
}

test('a member without permission cannot generate; an admin enables it on Workspace Settings, then the member can', async ({ browser, request }) => {
  const member = await addMember(request, 'Mia Member');
  const memberPage = await newPage(browser);
  const memberProblems = watchConsole(memberPage);
  await signIn(memberPage, member.username, member.password);
  await memberPage.goto('/preferences/access-tokens');
  await expect(memberPage.getByRole('note')).toContainText('Only workspace admins can generate access tokens');
  await expect(memberPage.getByRole('button', { name: 'Generate New Token' })).toHaveCount(0);
  // Members see no admin pages.
  await expect(memberPage.getByRole('link', { name: 'All members' })).toHaveCount(0);

  const adminPage = await newPage(browser);
  const adminProblems = watchConsole(adminPage);
  await signInAsAdmin(adminPage);
  await adminPage.getByRole('button', { name: /Administrator/ }).click();
  await adminPage.getByRole('navigation', { name: 'User menu' }).getByRole('link', { name: 'Workspace Settings' }).click();
  await expect(adminPage.getByRole('heading', { name: 'Workspace Settings', level: 1 })).toBeVisible();
  const allow = adminPage.getByLabel('Members may generate tokens');
  await expect(allow).not.toBeChecked();
  await expect(adminPage.getByLabel('Access tokens enabled')).toBeChecked();
  await allow.check();
  await adminPage.getByRole('button', { name: 'Save' }).click();
  await expect(adminPage.getByRole('status')).toHaveText('Saved.');

  await memberPage.reload();
  await memberPage.getByRole('button', { name: 'Generate New Token' }).click();
  const generate = memberPage.getByRole('dialog', { name: 'Generate New Token' });
  await generate.getByLabel('Description (optional)').fill('Mia’s script');
  await generate.getByRole('button', { name: 'Generate' }).click();
  const myToken = memberPage.getByRole('dialog', { name: 'My Token' });
  const value = await myToken.getByLabel('Token').inputValue();
  expect(value).toMatch(/^atk_/);
  const me = await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${value}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).username).toBe(member.username);
  await myToken.getByRole('button', { name: 'Close' }).click();
  await expect(memberPage.getByRole('row', { name: /Mia’s script/ })).toContainText('Active');

  expect(memberProblems).toEqual([]);
  expect(adminProblems).toEqual([]);
});

test('a refused maximum lifetime shows its message and keeps what was typed', async ({ page }) => {
  const problems = watchConsole(page);
  await signInAsAdmin(page);
  await page.goto('/workspace/settings');
  await page.getByLabel('Maximum lifetime (days)').fill('0');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'maximum token lifetime' })).toContainText('or -1 for unlimited');
  await expect(page.getByLabel('Maximum lifetime (days)')).toHaveValue('0');
  expect(problems).toEqual([]);
});

test('-1 is refused while the workspace has a maximum lifetime, and allowed once it has none', async ({ page, request }) => {
  const problems = watchConsole(page);
  await setSettings(request, { maxTokenLifetimeDays: 30 });
  await signInAsAdmin(page);
  await page.goto('/preferences/access-tokens');
  await page.getByRole('button', { name: 'Generate New Token' }).click();
  const generate = page.getByRole('dialog', { name: 'Generate New Token' });
  await expect(generate).toContainText('from 1 to 30');
  await generate.getByLabel('Lifetime (days)').fill('-1');
  await generate.getByLabel('Description (optional)').fill('Forever, refused');
  await generate.getByRole('button', { name: 'Generate' }).click();
  await expect(generate.getByRole('alert').first()).toContainText('does not allow tokens that never expire');
  await generate.getByLabel('Lifetime (days)').fill('31');
  await generate.getByRole('button', { name: 'Generate' }).click();
  await expect(generate.getByRole('alert').first()).toContainText('at most 30 days');
  await generate.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('row', { name: /Forever, refused/ })).toHaveCount(0);

  await page.goto('/workspace/settings');
  await page.getByLabel('Maximum lifetime (days)').fill('-1');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  await page.goto('/preferences/access-tokens');
  await page.getByRole('button', { name: 'Generate New Token' }).click();
  await expect(generate).toContainText('-1 for a token that never expires');
  await generate.getByLabel('Lifetime (days)').fill('-1');
  await generate.getByLabel('Description (optional)').fill('Forever, allowed');
  await generate.getByRole('button', { name: 'Generate' }).click();
  await page.getByRole('dialog', { name: 'My Token' }).getByRole('button', { name: 'Close' }).click();
  const row = page.getByRole('row', { name: /Forever, allowed/ });
  await expect(row.getByRole('cell').nth(5)).toHaveText('Never');
  await expect(row).toContainText('Active');
  expect(problems).toEqual([]);
});

test('an admin deletes another member’s token from the All members view', async ({ page, request }) => {
  const problems = watchConsole(page);
  await setSettings(request, { allowMembersToGenerateTokens: true });
  const member = await addMember(request, 'Otto Owner');
  const token = await createToken(request, basic(member.username, member.password), { lifetimeSeconds: 86_400, description: 'Otto’s CI job' });

  await signInAsAdmin(page);
  await page.goto('/preferences/access-tokens');
  // The admin's own list does not hold it; All members does, with its owner.
  await expect(page.getByRole('row', { name: /Otto’s CI job/ })).toHaveCount(0);
  await page.getByRole('link', { name: 'All members' }).click();
  await expect(page.getByRole('link', { name: 'All members' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('columnheader', { name: 'Owner' })).toBeVisible();
  const row = page.getByRole('row', { name: /Otto’s CI job/ });
  await expect(row).toContainText('Otto Owner');
  await expect(row).toContainText(token.tokenInfo.tokenId);

  await row.getByRole('button', { name: /Actions for token/ }).click();
  await row.getByRole('link', { name: 'Delete Token…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Token' });
  await expect(confirm).toContainText('of Otto Owner');
  await confirm.getByRole('button', { name: 'Delete Token' }).click();
  await expect(page.getByRole('row', { name: /Otto’s CI job/ })).toHaveCount(0);

  const after = await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${token.tokenValue}` } });
  expect(after.status()).toBe(401);
  expect(problems).toEqual([]);
});

test('a token with a one-second lifetime turns Expired on the open page, without a reload', async ({ page, request }) => {
  const problems = watchConsole(page);
  const token = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 1, description: 'One second' });
  const createdAt = new Date(token.tokenInfo.createdAt);
  // The browser's clock is under the test's control: it starts just before the token was
  // created, so the page shows it Active, whatever the server's clock said when it rendered.
  await page.clock.install({ time: new Date(createdAt.getTime() - 60_000) });
  await signInAsAdmin(page);
  await page.goto('/preferences/access-tokens');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.clock.pauseAt(createdAt);
  const row = page.getByRole('row', { name: /One second/ });
  await expect(row.getByRole('cell').nth(3)).toHaveText('Active');
  await expect(row.getByRole('cell').nth(5)).toContainText('in 1 second');

  await page.clock.runFor(2_000);
  await expect(row.getByRole('cell').nth(3)).toHaveText('Expired');
  await expect(row.getByRole('cell').nth(5)).toContainText('1 second ago');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(problems).toEqual([]);
});
