import { expect, test } from '@playwright/test';
import { asAdmin, createToken, defaults, setSettings, signInAsAdmin, watchConsole } from './helpers';
import { baseURL } from '../playwright.config';

// Webhooks in Workspace Settings: added with the page, its secret shown once, its delivery log
// filled by the running server's own dispatcher.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

test('an admin adds a webhook, sees its secret once and its deliveries, and removes it', async ({ page, request }) => {
  const problems = watchConsole(page);
  await signInAsAdmin(page);
  await page.goto('/workspace/settings');
  const section = page.getByRole('region', { name: 'Webhooks' });
  // A URL that answers every POST with 405: each delivery is refused, and retried.
  const url = `${baseURL}/healthz?hook=${Date.now().toString(36)}`;
  const form = section.getByRole('form', { name: 'Add webhook' });
  await form.getByLabel('URL').fill(url);
  for (const event of ['token.generated', 'token.rotated', 'token.reported_leaked', 'token.expiring', 'token.inactivity_pending', 'token.used_from_new_ip']) {
    await form.getByRole('checkbox', { name: new RegExp(event.replace('.', '\\.')) }).uncheck();
  }
  await form.getByRole('button', { name: 'Add webhook' }).click();
  await expect(section.getByRole('status')).toContainText('Its secret, shown this once');
  await expect(section.locator('code.secret')).toHaveText(/^whsec_[A-Za-z0-9_-]{43}$/);
  const webhook = section.getByRole('article', { name: `Webhook to ${url}` });
  await expect(webhook).toContainText('token.revoked');

  const { tokenInfo } = await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 86_400, description: 'Webhook e2e' });
  expect((await request.delete(`/v4/apiAccessTokens/${tokenInfo.tokenId}`, { headers: asAdmin })).status()).toBe(204);
  // The dispatcher polls every 2 seconds.
  await expect(async () => {
    await page.goto('/workspace/settings');
    await expect(webhook.getByRole('row', { name: /token\.revoked/ })).toContainText('HTTP 405', { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(webhook.getByRole('row', { name: /token\.revoked/ })).toContainText('Retrying at');
  await expect(section.locator('code.secret')).toHaveCount(0);

  await webhook.getByRole('button', { name: `Remove the webhook to ${url}` }).click();
  await expect(section.getByRole('status')).toHaveText('Webhook removed.');
  await expect(webhook).toHaveCount(0);
  expect(problems).toEqual([]);
});
