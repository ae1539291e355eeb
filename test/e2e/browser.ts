// The web console's browser tests drive Debian's chromium (scripts/test.sh installs it; no browser is downloaded) with
// playwright-core: a fresh profile per run, axe-core injected into the page, and screenshots kept as test artefacts.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.BERTH_TEST_CHROMIUM ?? '/usr/bin/chromium';
/** Why the browser tests skip (scripts/test.sh fails the run under CI=true when chromium is missing). */
export const NO_CHROMIUM: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium; scripts/test.sh does)`;
/** Screenshots of each step (gitignored); the README shows two of them, copied to docs/img/. */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/console');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  newPage(width?: number): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh chromium profile (its own --user-data-dir), removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'berth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: FLAGS,
    headless: true,
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    async newPage(width = 1200) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      // A page error or a CSP violation is a test failure, not a log line nobody reads.
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(`console: ${m.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Page errors and CSP refusals seen by any page of any browser launched here. */
export const errors: string[] = [];

let axeSource: string | undefined;
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays as strict as served). */
export async function axeViolations(page: Page, impacts: readonly string[] = ['serious', 'critical']): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const found = (await page.evaluate(
    `(async () => { ${axeSource}; const r = await axe.run(document, { resultTypes: ['violations'] }); return r.violations; })()`,
  )) as AxeViolation[];
  return found.filter((v) => impacts.includes(v.impact ?? ''));
}

export const axeText = (vs: AxeViolation[]): string =>
  vs.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');

/** Saves a screenshot as test-artifacts/console/<name>.png: the whole page, or the window (a modal dialog's backdrop). */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
