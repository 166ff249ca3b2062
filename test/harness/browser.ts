import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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
