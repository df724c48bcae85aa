import { expect, test, type Page } from '@playwright/test';
import { addMember, asAdmin, defaults, hydrated, setSettings, signIn, signInAsAdmin, watchConsole } from './helpers';

// Least privilege in a real browser: read-only tokens, rotation from the row menu, and an admin
// containing a member's account.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

/** Generates a token in the dialog and returns its value, copied to the clipboard. */
async function generateInDialog(page: Page, description: string, access?: 'Read-only' | 'Read and write') {
  await page.getByRole('button', { name: 'Generate New Token' }).click();
  const generate = page.getByRole('dialog', { name: 'Generate New Token' });
  await generate.getByLabel('Description (optional)').fill(description);
  if (access) await generate.getByRole('radio', { name: new RegExp(`^${access}`) }).check();
  await generate.getByRole('button', { name: 'Generate' }).click();
  const myToken = page.getByRole('dialog', { name: 'My Token' });
  await myToken.getByRole('button', { name: 'Copy Token to clipboard' }).click();
  await expect(myToken.getByRole('status')).toHaveText('Copied');
  const value = await page.evaluate(() => navigator.clipboard.readText());
  expect(value).toMatch(/^atk_/);
  await myToken.getByRole('button', { name: 'Close' }).click();
  return value;
}

test('a read-only token generated in the dialog reads with GET and is refused a DELETE with 403', async ({ page, context, request }) => {
  const problems = watchConsole(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signInAsAdmin(page);

  await page.getByRole('button', { name: 'Generate New Token' }).click();
  const generate = page.getByRole('dialog', { name: 'Generate New Token' });
  // Read and write is preselected; the admin scope is offered to admins, unticked.
  await expect(generate.getByRole('radio', { name: /^Read and write/ })).toBeChecked();
  await expect(generate.getByRole('checkbox', { name: /^Admin/ })).not.toBeChecked();
  await expect(generate).toContainText('people, workspace settings and every member');
  await generate.getByRole('button', { name: 'Cancel' }).click();

  const value = await generateInDialog(page, 'Read-only dashboard', 'Read-only');
  const row = page.getByRole('row', { name: /Read-only dashboard/ });
  await expect(row.locator('.scopes')).toHaveText('read_api');

  const bearer = { Authorization: `Bearer ${value}` };
  const read = await request.get('/v4/apiAccessTokens', { headers: bearer });
  expect(read.status()).toBe(200);
  const tokenId = (await row.locator('code.token-id').getAttribute('title'))!;
  const refused = await request.delete(`/v4/apiAccessTokens/${tokenId}`, { headers: bearer });
  expect(refused.status()).toBe(403);
  expect(refused.headers()['www-authenticate']).toContain('error="insufficient_scope", scope="api"');
  expect((await refused.json()).exception.message).toContain('api scope');
  // Still there, still working.
  expect((await request.get(`/v4/apiAccessTokens/${tokenId}`, { headers: bearer })).status()).toBe(200);
  expect(problems).toEqual([]);
});

test('rotating a token from the row menu shows the new value once; the old one is refused, the new one accepted', async ({ page, context, request }) => {
  const problems = watchConsole(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signInAsAdmin(page);
  const old = await generateInDialog(page, 'Nightly deploy');

  const row = page.getByRole('row', { name: /Nightly deploy/ });
  await row.getByRole('button', { name: /Actions for token/ }).click();
  await row.getByRole('link', { name: 'Rotate Token…' }).click();
  const rotate = page.getByRole('dialog', { name: 'Rotate Token' });
  await expect(rotate).toContainText('Nightly deploy');
  await expect(rotate.getByRole('radio', { name: /^Now/ })).toBeChecked();
  await expect(rotate).toContainText("At the new token's first use, or in an hour at the latest");
  await rotate.getByRole('button', { name: 'Rotate Token' }).click();

  const myToken = page.getByRole('dialog', { name: 'My Token' });
  await expect(myToken).toBeVisible();
  await expect(rotate).toBeHidden();
  await myToken.getByRole('button', { name: 'Copy Token to clipboard' }).click();
  const rotated = await page.evaluate(() => navigator.clipboard.readText());
  expect(rotated).toMatch(/^atk_/);
  expect(rotated).not.toBe(old);
  await myToken.getByRole('button', { name: 'Close' }).click();
  expect(await page.content()).not.toContain(rotated);

  // One row for the description: the new token took the old one's place.
  await expect(page.getByRole('row', { name: /Nightly deploy/ })).toHaveCount(1);
  expect((await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${old}` } })).status()).toBe(401);
  expect((await request.get('/v4/people/current', { headers: { Authorization: `Bearer ${rotated}` } })).status()).toBe(200);
  expect(problems).toEqual([]);
});

test('an admin disables a member on the Users page, and the member’s open session is signed out', async ({ page, browser, request }) => {
  const problems = watchConsole(page);
  const member = await addMember(request, 'Dee Disabled');
  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  await signIn(memberPage, member.username, member.password);
  await memberPage.goto('/preferences');
  await expect(memberPage.getByRole('heading', { name: 'Preferences' })).toBeVisible();

  await signInAsAdmin(page);
  await page.goto('/users');
  await hydrated(page);
  const row = page.getByRole('row', { name: new RegExp(member.username) });
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: `Disable: ${member.username}` }).click();
  await expect(row).toContainText('Disabled');
  await expect(row.getByRole('button', { name: `Enable: ${member.username}` })).toBeVisible();

  // The member's next step finds them signed out, and signing in again is refused.
  await memberPage.reload();
  await expect(memberPage).toHaveURL(/\/signin$/);
  await memberPage.getByLabel('Username').fill(member.username);
  await memberPage.getByLabel('Password').fill(member.password);
  await memberPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(memberPage.getByRole('alert')).toContainText('disabled');
  await memberContext.close();

  const person = (await (await request.get('/v4/people?limit=500', { headers: asAdmin })).json()).data.find(
    (p: { username: string }) => p.username === member.username,
  );
  expect(person.disabled).toBe(true);
  expect(problems).toEqual([]);
});
