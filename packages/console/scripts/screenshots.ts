// `npm run console:screenshots`: a seeded demo day (embedded), then every console page in
// Chromium at 1280 px (and the overview on a phone), saved to docs/console/*.png.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, seedDemoDay } from '../test/harness.js';

const OUT = join(import.meta.dirname, '..', '..', '..', 'docs', 'console');

const PAGES: readonly [string, string][] = [
  ['overview', '#/overview'],
  ['payments', '#/payments'],
  ['review', '#/review'],
  ['escrows', '#/escrows'],
  ['providers', '#/providers'],
  ['ledger', '#/ledger'],
  ['infrastructure', '#/infrastructure'],
];

mkdirSync(OUT, { recursive: true });
const day = await seedDemoDay(300, 42);
const browser = await launchChromium();
try {
  const shoot = async (width: number, height: number, suffix: string, pages: readonly [string, string][]) => {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${day.url}/console/`);
    await page.getByLabel('API key').fill(day.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    for (const [name, hash] of pages) {
      await page.goto(`${day.url}/console/${hash}`);
      await page.locator('main .page').waitFor();
      await page.waitForTimeout(400); // charts draw on the next frame
      await page.screenshot({ path: join(OUT, `${name}${suffix}.png`), fullPage: true });
    }
    // One payment held in escrow (fraud reasons, escrow actions, journal, timeline), and the
    // review dialog as an operator sees it.
    if (suffix === '') {
      await page.goto(`${day.url}/console/#/escrows`);
      await page.locator('main .page').waitFor();
      await page.locator('main table td:nth-child(2) a').first().click();
      await page.getByRole('heading', { name: /^Payment/ }).waitFor();
      await page.screenshot({ path: join(OUT, 'payment.png'), fullPage: true });
      await page.goto(`${day.url}/console/#/review`);
      await page.locator('main .page').waitFor();
      await page
        .getByRole('button', { name: /^Approve / })
        .first()
        .click();
      await page
        .getByRole('dialog')
        .getByLabel('Note for the audit trail')
        .fill('Called the customer: genuine booking.');
      await page.screenshot({ path: join(OUT, 'review-dialog.png') });
      await page.keyboard.press('Escape');
    }
    await context.close();
  };
  await shoot(1280, 860, '', PAGES);
  await shoot(390, 844, '-phone', [PAGES[0]!]);
  process.stdout.write(`screenshots saved in ${OUT}\n`);
} finally {
  await browser.close();
  await day.stop();
}
