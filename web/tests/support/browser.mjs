// Debian's headless Chromium driven by playwright-core (never a downloaded browser), one fresh profile per user.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export const screenshotDir = resolve(new URL('../../../artifacts/screenshots', import.meta.url).pathname);

export async function openBrowser(baseUrl) {
  const profile = mkdtempSync(join(tmpdir(), 'agentim-web-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    baseURL: baseUrl,
    viewport: { width: 1180, height: 760 },
    // Only the hub under test is reachable: anything else the page asks for fails the test.
  });
  const outside = [];
  await context.route((url) => !url.href.startsWith(baseUrl) && !url.href.startsWith(baseUrl.replace('http', 'ws'))
    && !url.protocol.startsWith('blob') && !url.protocol.startsWith('data'), (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return {
    context,
    page,
    errors,
    outside,
    async screenshot(name) {
      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function signInThroughUi(page, username, password) {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.conn[data-state="online"]').waitFor({ timeout: 20_000 });
}
