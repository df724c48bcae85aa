import { expect, type APIRequestContext, type Page } from '@playwright/test';
import * as path from 'node:path';
import { admin } from '../playwright.config';

// What several browser tests share: signing in, waiting for hydration, watching the console, and
// setting up people, settings and tokens through the REST API as a script would.

/** Collects console errors and warnings (hydration warnings among them) and page errors. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    // A refused form answers 4xx on purpose; Chromium logs every 4xx it fetches.
    if (message.text().startsWith('Failed to load resource: the server responded with a status of 4')) return;
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

/** Resolves once the wasm bundle has hydrated the page. */
export async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 15_000 });
}

export async function signIn(page: Page, username: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The start page is the Access Tokens page.
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  await hydrated(page);
}

export const signInAsAdmin = (page: Page) => signIn(page, admin.username, admin.password);

/** Signs the admin in with the form alone, for a browser without JavaScript (nothing hydrates). */
export async function signInAsAdminWithoutJs(page: Page) {
  await page.goto('/signin');
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
}

export function basic(username: string, password: string) {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

export const asAdmin = { Authorization: basic(admin.username, admin.password) };

/** A new member (not an admin) with a unique username. */
export async function addMember(request: APIRequestContext, name: string) {
  const username = `${name.toLowerCase().replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
  const password = 'member-password-123';
  const response = await request.post('/v4/people', {
    headers: asAdmin,
    data: { username, name, password, isAdmin: false },
  });
  expect(response.status()).toBe(201);
  return { username, name, password };
}

export interface Settings {
  accessTokensEnabled?: boolean;
  allowMembersToGenerateTokens?: boolean;
  maxTokenLifetimeDays?: number;
}

export async function setSettings(request: APIRequestContext, changes: Settings) {
  const response = await request.patch('/v4/workspaces/current/settings', { headers: asAdmin, data: changes });
  expect(response.status()).toBe(200);
}

/** The product's defaults: tokens on, admins only, no maximum. */
export const defaults: Settings = { accessTokensEnabled: true, allowMembersToGenerateTokens: false, maxTokenLifetimeDays: -1 };

export async function createToken(
  request: APIRequestContext,
  authorization: string,
  data: { lifetimeSeconds: number; description: string },
) {
  const response = await request.post('/v4/apiAccessTokens', { headers: { Authorization: authorization }, data });
  expect(response.status()).toBe(201);
  return (await response.json()) as { tokenValue: string; tokenInfo: { tokenId: string; createdAt: string; expiredAt: string | null } };
}

/** Where the run writes screenshots (not committed). */
export function screenshotPath(name: string) {
  return path.resolve(__dirname, '..', 'screenshots', `${name}.png`);
}
