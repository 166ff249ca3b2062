import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Db } from '../../db/connection.ts';
import type { UserRole } from '../../db/schema/index.ts';
import { buildUser, TEST_PASSWORD } from './factories.ts';
import { UI_DIST } from '../../server/http-app.ts';
import { startTestPlatform, type TestPlatform } from './test-platform.ts';

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

/**
 * What an end-to-end suite shares: its platform and browser (started before its tests, stopped after
 * them), the simulator phones' sockets it opened (closed at the end), and its pages' uncaught errors.
 */
export type ConsoleSuite = {
  platform: TestPlatform;
  browser: Browser;
  sockets: Socket[];
  pageErrors: string[];
  /** Content-Security-Policy violations any page of the suite's browser reported; each test must leave it empty. */
  cspViolations: string[];
  /** `signIn` into this suite's platform and browser. */
  signIn(role: UserRole, displayName: string, options?: BrowserContextOptions): Promise<Page>;
};

/** Sets up an end-to-end suite (call it at the top of the file): platform env overrides in `env`. */
export function consoleSuite(env: Record<string, string> = {}): ConsoleSuite {
  const suite = {
    sockets: [] as Socket[],
    pageErrors: [] as string[],
    cspViolations: [] as string[],
    signIn: (role: UserRole, displayName: string, options?: BrowserContextOptions) =>
      signIn({ browser: suite.browser, baseUrl: suite.platform.url, db: suite.platform.services.db, pageErrors: suite.pageErrors }, role, displayName, options),
  } as ConsoleSuite;
  beforeAll(async () => {
    suite.platform = await startTestPlatform(env);
    suite.browser = watchContentSecurityPolicy(await launchBrowser(), suite.cspViolations);
  });
  afterEach(() => {
    expect(suite.cspViolations.splice(0), 'Content Security Policy violations').toEqual([]);
  });
  afterAll(async () => {
    for (const socket of suite.sockets) socket.close();
    await suite.browser?.close();
    await suite.platform?.close();
  });
  return suite;
}

/**
 * Every page of every context of `browser` reports what the Content-Security-Policy refused (Chromium
 * says so in a console error) into `violations`: the built console must satisfy the server's policy.
 */
function watchContentSecurityPolicy(browser: Browser, violations: string[]): Browser {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) violations.push(`${message.location().url}: ${message.text()}`);
    });
    return context;
  };
  return browser;
}
