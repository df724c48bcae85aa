import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { addMember, asAdmin, basic, createToken, defaults, setSettings, screenshotPath, signInAsAdmin, watchConsole } from './helpers';

// The page with the keyboard alone, an axe-core scan, and screenshots in light and dark.

test.beforeEach(async ({ request }) => setSettings(request, defaults));

/** Presses Tab until `name` has focus, as a keyboard user would. */
async function tabTo(page: Page, name: string) {
  for (let presses = 0; presses < 30; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const focusedLabel = (page: Page) => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? '');

test('generate a token and close the dialogs with the keyboard alone', async ({ page }) => {
  const problems = watchConsole(page);
  await signInAsAdmin(page);
  await page.goto('/preferences/access-tokens');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });

  await tabTo(page, 'Generate New Token');
  await page.keyboard.press('Enter');
  const generate = page.getByRole('dialog', { name: 'Generate New Token' });
  await expect(generate).toBeVisible();
  // Focus moved into the dialog, to its first field; Esc closes it and focus comes back.
  expect(await focusedLabel(page)).toBe('Lifetime (days)');
  await page.keyboard.press('Escape');
  await expect(generate).toBeHidden();
  expect(await focusedText(page)).toBe('Generate New Token');

  await page.keyboard.press('Enter');
  await expect(generate).toBeVisible();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('7');
  await page.keyboard.press('Tab');
  expect(await focusedLabel(page)).toBe('Description (optional)');
  await page.keyboard.type('Keyboard token');
  await page.keyboard.press('Enter');

  const myToken = page.getByRole('dialog', { name: 'My Token' });
  await expect(myToken).toBeVisible();
  await expect(generate).toBeHidden();
  expect(await focusedLabel(page)).toBe('Token');
  await page.keyboard.press('Escape');
  await expect(myToken).toBeHidden();
  expect(await focusedText(page)).toBe('Generate New Token');
  await expect(page.getByRole('row', { name: /Keyboard token/ })).toContainText('in 6 days');

  // The row menu and the delete dialog: Cancel gives focus back to the row's menu button.
  const row = page.getByRole('row', { name: /Keyboard token/ });
  await row.getByRole('button', { name: /Actions for token/ }).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  expect(await focusedText(page)).toBe('View Details');
  await page.keyboard.press('Tab');
  expect(await focusedText(page)).toBe('Rotate Token…');
  await page.keyboard.press('Tab');
  expect(await focusedText(page)).toBe('Delete Token…');
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Delete Token' });
  await expect(confirm).toBeVisible();
  expect(await focusedText(page)).toBe('Cancel');
  await page.keyboard.press('Enter');
  await expect(confirm).toBeHidden();
  expect(await focusedText(page)).toBe('⋯');
  expect(problems).toEqual([]);
});

test('hydration shifts nothing on the page: cumulative layout shift stays 0', async ({ page, request }) => {
  const problems = watchConsole(page);
  for (const days of [1, 30, 400]) {
    await createToken(request, asAdmin.Authorization, { lifetimeSeconds: days * 86_400, description: `Layout ${days}` });
  }
  await signInAsAdmin(page);
  // Counts every layout shift from the first paint, through hydration and the switch of times to
  // the browser's locale, to a few ticks of the clock.
  await page.addInitScript(() => {
    (window as any).__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as any[]) if (!entry.hadRecentInput) (window as any).__shift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto('/preferences/access-tokens');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await expect(page.getByRole('row', { name: /Layout 400/ })).toContainText('in 399 days');
  await page.waitForTimeout(2_500);
  expect(await page.evaluate(() => (window as any).__shift)).toBeLessThan(0.01);
  expect(problems).toEqual([]);
});

async function expectNoSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${what}: ${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
  expect(serious).toEqual([]);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-core finds no serious violations, and screenshots are written (${colorScheme})`, async ({ page, request }) => {
    const problems = watchConsole(page);
    await page.emulateMedia({ colorScheme });
    await setSettings(request, { allowMembersToGenerateTokens: true });
    const member = await addMember(request, 'Sam Screenshot');
    await createToken(request, basic(member.username, member.password), { lifetimeSeconds: 30 * 86_400, description: 'Deploy bot' });
    await createToken(request, asAdmin.Authorization, { lifetimeSeconds: 90 * 86_400, description: 'Grafana dashboard' });
    await createToken(request, asAdmin.Authorization, { lifetimeSeconds: -1, description: 'Nightly backup' });

    await signInAsAdmin(page);
    await page.goto('/preferences/access-tokens');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await expectNoSeriousViolations(page, 'Access Tokens');
    await page.screenshot({ path: screenshotPath(`access-tokens-${colorScheme}`), fullPage: true });

    await page.getByRole('button', { name: 'Generate New Token' }).click();
    const generate = page.getByRole('dialog', { name: 'Generate New Token' });
    await generate.getByLabel('Description (optional)').fill('Screenshot token');
    await expectNoSeriousViolations(page, 'Generate New Token');
    await page.screenshot({ path: screenshotPath(`generate-dialog-${colorScheme}`) });
    await generate.getByRole('button', { name: 'Generate' }).click();
    const myToken = page.getByRole('dialog', { name: 'My Token' });
    await expect(myToken).toBeVisible();
    await expectNoSeriousViolations(page, 'My Token');
    await page.screenshot({ path: screenshotPath(`my-token-dialog-${colorScheme}`) });
    await myToken.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('link', { name: 'All members' }).click();
    await expect(page.getByRole('columnheader', { name: 'Owner' })).toBeVisible();
    await expectNoSeriousViolations(page, 'All members');
    await page.screenshot({ path: screenshotPath(`all-members-${colorScheme}`), fullPage: true });

    await page.goto('/workspace/settings');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await expectNoSeriousViolations(page, 'Workspace Settings');
    await page.screenshot({ path: screenshotPath(`workspace-settings-${colorScheme}`), fullPage: true });

    await page.goto('/audit');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await expect(page.getByRole('row').filter({ hasText: 'Token generated' }).first()).toBeVisible();
    await expectNoSeriousViolations(page, 'Audit Log');
    await page.screenshot({ path: screenshotPath(`audit-log-${colorScheme}`), fullPage: true });

    // At phone width the user menu shows the avatar alone: its name must still name it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/preferences/access-tokens');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await expect(page.getByRole('button', { name: /Administrator/ })).toBeVisible();
    await expectNoSeriousViolations(page, 'Access Tokens (phone)');
    await page.screenshot({ path: screenshotPath(`access-tokens-phone-${colorScheme}`), fullPage: true });
    expect(problems).toEqual([]);
  });
}
