import { describe, expect, it } from 'vitest';
import { buildCampaign, buildSimulatorChannel } from '../harness/factories.ts';
import { consoleSuite } from '../harness/browser.ts';

// Every suite fails a test whose pages report a Content-Security-Policy violation (see consoleSuite).
const suite = consoleSuite();

describe('the Content-Security-Policy in a real browser', () => {
  it('lets the console and the phone simulator load, talk to the API and hold their live sockets', async () => {
    const { db } = suite.platform.services;
    const channel = await buildSimulatorChannel(db, { name: 'CSP line' });
    await buildCampaign(db, { name: 'CSP', channelIds: [channel.id], greetingMessage: 'Hello from behind the policy' });

    // signIn waits for the live socket to connect.
    const page = await suite.signIn('admin', 'Cleo Admin');
    for (const name of ['monitor', 'campaigns', 'members', 'channels', 'bot-flows', 'broadcasts', 'inbox']) {
      await page.click(`[data-testid=nav-${name}]`);
      await page.locator(`[data-testid=nav-${name}][aria-current=page]`).waitFor();
    }

    const phone = await (await suite.browser.newContext({ viewport: { width: 420, height: 800 } })).newPage();
    phone.on('pageerror', (error) => suite.pageErrors.push(error.message));
    await phone.goto(`${suite.platform.url}/simulator`);
    await phone.fill('[data-testid=sim-number]', '099 555 321');
    await phone.click('[data-testid=sim-start]');
    await phone.fill('[data-testid=sim-input]', 'Hi');
    await phone.click('[data-testid=sim-send]');
    await phone.locator('[data-testid=sim-message][data-direction=in]').getByText('Hello from behind the policy').waitFor();
    expect(suite.pageErrors).toEqual([]);
  });

  it('refuses an injected inline script and a frame of the console, and the suite hears of it', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await page.goto(suite.platform.url);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.head.append(script);
    });
    expect(await page.evaluate(() => (window as { injected?: boolean }).injected)).toBeUndefined();
    await expect.poll(() => suite.cspViolations.join('\n')).toMatch(/script-src/);

    const framer = await context.newPage();
    await framer.setContent(`<iframe src="${suite.platform.url}/"></iframe>`);
    await expect.poll(() => suite.cspViolations.join('\n')).toMatch(/frame-ancestors/);
    // Expected here: the suite's check after each test would otherwise fail this one.
    suite.cspViolations.splice(0);
    await context.close();
  });
});
