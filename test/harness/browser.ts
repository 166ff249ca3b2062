import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Db } from '../../db/connection.ts';
import type { UserRole } from '../../db/schema/index.ts';
import { buildUser, TEST_PASSWORD } from './factories.ts';
import { UI_DIST } from '../../server/http-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve('test-results', 'e2e');

/** Debian's headless Chromium for console tests, once the console is built (npm test builds it first). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(path.join(UI_DIST, 'index.html'))) throw new Error('The console is not built: run `npm run build` (npm test does it first).');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it).`);
  await fs.mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A full-page screenshot in test-results/e2e/, to look at after the run. */
export const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/**
 * A new user of `role` signed in to the console in a browser context of their own; uncaught page
 * errors go to `pageErrors`, which tests expect to stay empty.
 */
export async function signIn(
  target: { browser: Browser; baseUrl: string; db: Db; pageErrors: string[] },
  role: UserRole,
  displayName: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const user = await buildUser(target.db, { role, displayName });
  const context = await target.browser.newContext({ viewport: { width: 1280, height: 1000 }, ...options });
  // Well under a test's timeout, so a step that never happens names itself.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => target.pageErrors.push(error.message));
  await page.goto(target.baseUrl);
  await page.fill('input[name=username]', user.username);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=me]').getByText(displayName).waitFor();
  await page.locator('[data-testid=connection][data-state=connected]').waitFor();
  return page;
}
