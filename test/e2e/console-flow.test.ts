// The web console in a real browser (Debian's chromium through playwright-core) against a real berth with real pushed
// images and short windows: the "done means" flow, keyboard only where it deletes and restores, axe-core on
// every main page, 400px and dark mode, and a pull-only key that sees one namespace and no delete buttons.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createPin } from './berth-api-helpers.ts';
import { axeText, axeViolations, type Browser, errors, launchBrowser, NO_CHROMIUM, screenshot } from './browser.ts';
import { seedRepositories } from './console-seed.ts';
import { createKey, type Key, type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import { type PushedImage, pushImage } from './oci-helpers.ts';

const REPO = 'shop/web';
const SEEDED = 1000;
/** BERTH_GC_GRACE below. */
const GC_GRACE_MS = 2000;
const seedName = (i: number): string => `fleet${i % 10}/svc-${String(i).padStart(4, '0')}`;
const MARKUP = '<img src=x onerror="window.pwned=1"><b>canary</b>';
const blobBytes = (img: PushedImage): number => img.config.size + img.layers.reduce((a, l) => a + l.size, 0);

async function assertAccessible(page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  assert.equal(found.length, 0, `${what}: axe-core found serious or critical violations:\n${axeText(found)}`);
}

async function login(page: Page, url: string, key: Key): Promise<void> {
  await page.goto(`${url}/ui/`);
  await page.waitForURL(/\/ui\/login/);
  await page.getByLabel('Access key id').fill(key.accessKeyId);
  await page.getByLabel('Secret').fill(key.secretAccessKey);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /^Repositories/ }).waitFor();
}

/** The delete button of a row, focused and pressed with Enter (keyboard only), then the preview dialog. */
async function openDelete(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: label, exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.locator('dialog[open]').waitFor();
}

/** The steps build on each other: after the first failure the rest skip instead of each waiting out its timeouts. */
let failed: string | null = null;
/** The page a failing step leaves behind is saved too (test-artifacts/console/failed.png), to see what went wrong. */
let onScreen: Page | undefined;
function step(name: string, fn: () => Promise<void> | void): void {
  it(name, async (t) => {
    if (failed) return t.skip(`an earlier step failed: ${failed}`);
    try {
      await fn();
    } catch (e) {
      failed = name;
      if (onScreen) await screenshot(onScreen, 'failed').catch(() => undefined);
      throw e;
    }
  });
}

describe('the web console in chromium', { skip: NO_CHROMIUM }, () => {
  let k: KeyedBerth;
  let browser: Browser;
  let page: Page;
  let url: string;
  let pinned: PushedImage;
  let second: PushedImage;
  let third: PushedImage;
  let reclaimAt = 0;
  before(async () => {
    // Deletes restorable for 4 s, GC grace 2 s, no scheduled passes: the test runs the only pass, from the console.
    k = await startKeyedBerth('console-admin', { env: { BERTH_DELETION_RESTORE_WINDOW: '4s', BERTH_GC_GRACE: '2s', BERTH_GC_INTERVAL: '0' } });
    url = k.berth.url;
    const started = Date.now();
    await seedRepositories(k.oci, SEEDED, seedName);
    process.stdout.write(`# seeded ${SEEDED} repositories through /v2 in ${Date.now() - started} ms\n`);
    pinned = await pushImage(k.oci, REPO, 'v1', { layers: 2, layerSize: 40_000 });
    await pushImage(k.oci, REPO, undefined, {
      emptyConfig: true,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      subject: pinned.descriptor,
      layerSize: 700,
    });
    second = await pushImage(k.oci, REPO, 'v2', { layers: 2, layerSize: 300_000 });
    third = await pushImage(k.oci, REPO, 'v3', { layers: 1, layerSize: 700_000 });
    await createPin(k.oci, REPO, 'v1', 'production: checkout runs this', { owner: 'team-shop' });
    browser = await launchBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    onScreen = page;
  });
  after(async () => {
    await browser?.close();
    await k?.dispose();
  });

  step('logs in with an access key (login page accessible; page weight of the first load measured)', async () => {
    const served = await page.goto(`${url}/ui/`);
    assert.match(String(served?.headers()['content-security-policy']), /^default-src 'none'; script-src 'self';/);
    await page.waitForURL(/\/ui\/login/);
    await page.getByLabel('Access key id').waitFor();
    const weight = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].reduce(
        (a, e) => a + ((e as PerformanceResourceTiming).transferSize ?? 0),
        0,
      ),
    );
    process.stdout.write(`# first load of the login page: ${weight} bytes transferred\n`);
    await assertAccessible(page, 'login');
    await screenshot(page, '01-login');
    await login(page, url, k.admin);
    assert.equal(await page.evaluate(() => document.cookie), '', 'no cookies');
  });

  step('shows the first rows within 1 s and finds a repository by search among 1,000', async () => {
    const t0 = Date.now();
    await page.goto(`${url}/ui/`);
    await page.locator('table.repos tbody tr').first().waitFor();
    const ms = Date.now() - t0;
    process.stdout.write(`# repositories page, first rows on screen after ${ms} ms\n`);
    assert.ok(ms < 1000, `first rows after ${ms} ms`);
    assert.equal(await page.locator('table.repos tbody tr').count(), 50);
    await assertAccessible(page, 'repositories');
    await page.getByLabel('Search repositories').fill('web');
    await page.waitForURL(/q=web/);
    await page.locator('table.repos tbody tr').first().getByRole('link', { name: REPO }).waitFor();
    assert.equal(await page.locator('table.repos tbody tr').count(), 1);
    await screenshot(page, '02-search');
  });

  step('opens the repository: tags, the signature under its subject, platforms and the pin', async () => {
    await page.getByRole('link', { name: REPO }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: REPO }).waitFor();
    const v1 = page.locator('table.images tr[data-tag="v1"]');
    await v1.waitFor();
    assert.match(String(await v1.textContent()), /linux\/amd64/);
    assert.match(String(await v1.textContent()), /production: checkout runs this.*owner team-shop/s);
    assert.match(String(await page.locator('table.images tr[data-tag="v1"] + tr.referrer').textContent()), /cosign/);
    await assertAccessible(page, 'repository');
    await screenshot(page, '03-repository');
  });

  step('a pinned image shows why it cannot be deleted; Escape closes and focus returns', async () => {
    const label = `Delete image ${pinned.digest.slice(0, 19)} (v1)`;
    await openDelete(page, label);
    const blocked = page.locator('dialog .blocked');
    await blocked.waitFor();
    assert.match(String(await blocked.textContent()), /production: checkout runs this/);
    assert.equal(await page.getByLabel(/Break this pin/).count(), 1, 'an admin is offered the explicit override');
    assert.equal(await page.locator('dialog button.danger').isDisabled(), true);
    await assertAccessible(page, 'delete dialog (pinned)');
    await screenshot(page, '04-pinned', { fullPage: false });
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), label);
  });

  step('deletes an unpinned image with the preview showing the bytes GC will free, then restores it (keyboard only)', async () => {
    await openDelete(page, `Delete image ${second.digest.slice(0, 19)} (v2)`);
    const bytes = page.locator('dialog .reclaim data');
    await bytes.waitFor();
    assert.equal(Number(await bytes.getAttribute('value')), blobBytes(second));
    await screenshot(page, '05-delete-preview', { fullPage: false });
    await page.keyboard.press('Tab'); // from Cancel (focused first) to Delete
    await page.keyboard.press('Enter');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    await page.locator('table.images tr[data-tag="v2"]').waitFor({ state: 'detached' });
    const trashed = page.locator(`.trash tr[data-digest="${second.digest}"]`);
    await trashed.waitFor();
    await screenshot(page, '06-deleted');
    await assertAccessible(page, 'repository with trash');
    await trashed.getByRole('button', { name: /^Restore/ }).focus();
    await page.keyboard.press('Enter');
    await page.locator('table.images tr[data-tag="v2"]').waitFor();
    assert.match(String(await page.getByRole('status').first().textContent()), /Restored/);
    await screenshot(page, '07-restored');
  });

  step('deletes a second image and leaves it; GC run from the console after the window frees exactly the previewed bytes from the previewed time', async () => {
    await openDelete(page, `Delete image ${third.digest.slice(0, 19)} (v3)`);
    const bytes = page.locator('dialog .reclaim data');
    await bytes.waitFor();
    const previewed = Number(await bytes.getAttribute('value'));
    assert.equal(previewed, blobBytes(third));
    reclaimAt = Date.parse(String(await page.locator('dialog .reclaim time').getAttribute('datetime')));
    const restorableUntil = Date.parse(String(await page.locator('dialog .restorable time').getAttribute('datetime')));
    await page.locator('dialog button.danger').click();
    await page.locator('table.images tr[data-tag="v3"]').waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Garbage collection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Garbage collection' }).waitFor();
    // As docs/DELETION.md ("From when") has it: the preview's time is the restore window plus the grace period, and
    // the first pass from then purges the trash and sweeps its blobs, exactly the bytes previewed.
    assert.ok(Math.abs(reclaimAt - restorableUntil - GC_GRACE_MS) < 1000, 'the bytes come back a grace period after the restore window');
    await page.waitForTimeout(Math.max(0, reclaimAt - Date.now() + 300));
    await page.getByRole('button', { name: 'Run garbage collection' }).click();
    const run = page.locator('.run');
    await run.locator('.reclaimed data').waitFor({ timeout: 30_000 });
    const freed = Number(await run.locator('.reclaimed data').getAttribute('value'));
    assert.equal(freed, previewed, `the one pass after the preview's time freed ${freed} of the ${previewed} bytes previewed`);
    await page.locator('table.passes tbody tr').first().waitFor();
    await assertAccessible(page, 'gc');
    await screenshot(page, '08-gc');
  });

  step('pins, keys and audit pages are accessible too; markup in data stays text', async () => {
    // Data is text: markup in a pin's reason must show as written and never run.
    await createPin(k.oci, REPO, 'v1', MARKUP, { owner: 'canary' });
    for (const [name, file] of [
      ['Pins', '09-pins'],
      ['Access keys', '10-keys'],
      ['Audit log', '11-audit'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.locator('table.list tbody tr').first().waitFor();
      await assertAccessible(page, name);
      await screenshot(page, file);
      if (name === 'Pins') {
        const row = page.locator('table.list tbody tr', { hasText: 'canary' });
        assert.ok(String(await row.textContent()).includes(MARKUP), 'the reason shows as written');
        assert.equal(await row.locator('img, b').count(), 0, 'no element made from data');
        assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
      }
    }
  });

  step('works at 400px in dark mode without sideways scrolling', async () => {
    const narrow = await browser.newPage(400);
    await narrow.emulateMedia({ colorScheme: 'dark' });
    await login(narrow, url, k.admin);
    await narrow.goto(`${url}/ui/repositories/${REPO}`);
    await narrow.locator('table.images tr[data-tag="v1"]').waitFor();
    assert.ok((await narrow.evaluate(() => document.documentElement.scrollWidth)) <= 400, 'no horizontal overflow at 400px');
    await assertAccessible(narrow, 'repository at 400px, dark');
    await screenshot(narrow, '12-narrow-dark');
    await narrow.close();
  });

  step('a key with pull rights on one namespace sees only that namespace and no delete buttons', async () => {
    const viewer = await createKey(k.berth, '--name', 'viewer', '--grant', 'fleet3/*:pull');
    const p = await browser.newPage();
    await login(p, url, viewer);
    await p.locator('table.repos tbody tr').first().waitFor();
    const names = await p.locator('table.repos tbody th a').allTextContents();
    assert.ok(names.length === 50 && names.every((n) => n.startsWith('fleet3/')), names.join(', '));
    // The namespace list is a request of its own: wait for it before reading it whole.
    await p.locator('nav.namespaces li a', { hasText: 'fleet3' }).waitFor();
    assert.deepEqual(await p.locator('nav.namespaces li a').allTextContents(), ['All', 'fleet3']);
    assert.equal(await p.getByRole('link', { name: 'Garbage collection' }).count(), 0);
    await p.locator('table.repos tbody th a').first().click();
    await p.locator('table.images tbody tr').first().waitFor();
    await p.getByRole('heading', { level: 2, name: 'Trash' }).waitFor();
    assert.equal(await p.getByRole('button', { name: /^Delete/ }).count(), 0);
    await screenshot(p, '13-pull-only');
    await p.close();
  });

  step('saw no page error and no Content-Security-Policy refusal', () => {
    assert.deepEqual(errors, []);
  });
});
