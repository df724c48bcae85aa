import { expect, test, type Browser, type Page } from '@playwright/test';
import { addMember, basic, createToken, defaults, hydrated, setSettings, signIn, watchConsole } from './helpers';

// Paging through a long list: 250 tokens, 100 a page. Forward with "Older →" and back with
// "← Newer", each token shows exactly once per pass, in the same order both ways, with and without
// JavaScript.

const TOKENS = 250;

async function memberWithTokens(browser: Browser) {
  const context = await browser.newContext();
  const request = context.request;
  await setSettings(request, { allowMembersToGenerateTokens: true });
  const member = await addMember(request, 'Pat Pager');
  const first = await createToken(request, basic(member.username, member.password), { lifetimeSeconds: 86_400, description: 'paging 0' });
  const ids = [first.tokenInfo.tokenId];
  for (let index = 1; index < TOKENS; index++) {
    const made = await createToken(request, `Bearer ${first.tokenValue}`, { lifetimeSeconds: 3600, description: `paging ${index}` });
    ids.push(made.tokenInfo.tokenId);
  }
  await setSettings(request, defaults);
  await context.close();
  return { member, ids };
}

/** The token ids the table shows, top to bottom. */
async function idsOnPage(page: Page) {
  return page.locator('table.tokens tbody tr code.token-id').allTextContents();
}

async function pass(page: Page, rel: 'next' | 'prev', hydrate: boolean) {
  const seen: string[][] = [await idsOnPage(page)];
  for (;;) {
    const link = page.locator(`nav.pager a[rel="${rel}"]`);
    if ((await link.count()) === 0) return seen;
    const before = seen[seen.length - 1][0];
    await link.click();
    // The next page is in place once its first row differs.
    await expect(page.locator('table.tokens tbody tr code.token-id').first()).not.toHaveText(before);
    if (hydrate) await hydrated(page);
    seen.push(await idsOnPage(page));
    expect(seen.length).toBeLessThan(10);
  }
}

function checkPasses(forward: string[][], backward: string[][], ids: string[]) {
  expect(forward.map((ids) => ids.length)).toEqual([100, 100, 50]);
  const all = forward.flat();
  expect(new Set(all).size).toBe(TOKENS);
  expect([...all].sort()).toEqual([...ids].sort());
  // Back to the first page, through the same pages.
  expect(backward.reverse()).toEqual(forward);
}

test('paging forward and back through 250 tokens shows each exactly once', async ({ browser, page }) => {
  const { member, ids } = await memberWithTokens(browser);
  const problems = watchConsole(page);
  await signIn(page, member.username, member.password);
  await expect(page.locator('nav.pager')).toContainText(`Tokens 1–100 of ${TOKENS}`);
  const forward = await pass(page, 'next', true);
  await expect(page.locator('nav.pager')).toContainText(`Tokens 201–250 of ${TOKENS}`);
  const backward = await pass(page, 'prev', true);
  await expect(page.locator('nav.pager')).toContainText(`Tokens 1–100 of ${TOKENS}`);
  checkPasses(forward, backward, ids);
  expect(problems).toEqual([]);
});

test('paging works without JavaScript too', async ({ browser }) => {
  const { member, ids } = await memberWithTokens(browser);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/signin');
  await page.getByLabel('Username').fill(member.username);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/preferences\/access-tokens$/);
  const forward = await pass(page, 'next', false);
  await expect(page).toHaveURL(/after=.*&at=201$/);
  const backward = await pass(page, 'prev', false);
  checkPasses(forward, backward, ids);
  await context.close();
});
