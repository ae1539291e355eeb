// Enforces the layout rules of docs/DESIGN.md and docs/CONVENTIONS.md (arrows point toward core; a "why" comment on
// top of every file; small files), so the architecture cannot erode one convenient import at a time. Every
// violation is listed with its file, the import and the rule it breaks.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');

interface Source {
  rel: string;
  text: string;
}
interface Import {
  spec: string;
  line: number;
  typeOnly: boolean;
}

const toPosix = (p: string): string => p.split(sep).join('/');
const isTest = (rel: string): boolean => rel.endsWith('.test.ts');
/** Code that exists only to test other code: shared suites, fixtures, anything under test/. */
const isTestHelper = (rel: string): boolean =>
  rel.startsWith('test/') || rel.endsWith('.conformance.ts') || rel.includes('/fixtures/') || /(^|\/)test-helpers?(\/|\.ts$)/.test(rel);

function walk(dir: string, ext = '.ts'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

/** Static imports and re-exports (multi-line too), side-effect imports, dynamic import() and require(). */
export function importsOf(text: string): Import[] {
  const out: Import[] = [];
  const lineAt = (index: number): number => text.slice(0, index).split('\n').length;
  const staticRe = /^[ \t]*(?:import|export)[ \t]+(type[ \t]+)?(?:[^'";=()]*?\bfrom[ \t]*)?['"]([^'"\n]+)['"]/gm;
  for (const m of text.matchAll(staticRe)) out.push({ spec: m[2]!, line: lineAt(m.index), typeOnly: m[1] !== undefined });
  const callRe = /\b(?:import|require)\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;
  for (const m of text.matchAll(callRe)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const before = text.slice(lineStart, m.index).trimStart();
    if (before.startsWith('//') || before.startsWith('*')) continue; // prose in a comment, not code
    out.push({ spec: m[1]!, line: lineAt(m.index), typeOnly: false });
  }
  return out;
}

/** Folders of an adapter family that hold code shared by its adapters (the metadata store's one query layer). */
const FAMILY_SHARED = new Set(['sql', 'queries']);

/**
 * Where a file under src/ sits: 'main', 'core', 'auth', 'config', 'cli', 'http' (src/http/*.ts),
 * 'http/<dialect>' (incl. 'http/common'), 'adapters' (src/adapters/*.ts), 'adapters/<family>' (a family's
 * shared files) or 'adapters/<family>/<impl>'; any other top-level folder is its own area.
 */
export function areaOf(rel: string): string {
  const parts = rel.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  if (parts.length === 2) return parts[1]!.replace(/\.ts$/, '');
  if (parts[1] === 'http') return parts.length === 3 ? 'http' : `http/${parts[2]}`;
  if (parts[1] === 'adapters') {
    if (parts.length === 3) return 'adapters';
    // A family's shared code (the metadata query layer: sql/, queries/) belongs to the family, not to an adapter.
    if (parts.length === 4 || FAMILY_SHARED.has(parts[3]!)) return `adapters/${parts[2]}`;
    return `adapters/${parts[2]}/${parts[3]}`;
  }
  return parts[1]!;
}

const CORE_LIBS = 'node:crypto (and `import type` from node:stream)';
const TEST_LIBS = new Set(['node:test', 'node:assert', 'node:assert/strict']);

/** Why `from` may not import `to` (both areas), or null when it may. */
function forbidden(from: string, to: string, _toRel: string): string | null {
  if (from === to || to === 'core') return null;
  if (from === 'main' || from === 'cli') return null; // the wiring: may import anything
  if (from === 'core') return 'core imports only core';
  if (from === 'auth' || from === 'config') return `${from} imports only core`;
  if (from === 'adapters') return to.startsWith('adapters/') ? null : 'adapters import only core and adapters';
  if (from.startsWith('adapters/')) {
    const family = from.split('/').slice(0, 2).join('/');
    if (to === family) return null;
    return `an adapter imports only core, its own folder and the shared files of ${family}/*.ts`;
  }
  // src/gc is the in-server GC timer (the passes are use cases in core); the server and the berth API drive it.
  if (from === 'http')
    return to.startsWith('http/') || to === 'auth' || to === 'config' || to === 'gc' ? null : 'http imports only core, http/*, auth, config and gc';
  if (from.startsWith('http/')) {
    if (to === 'http/common' || to === 'auth' || to === 'config' || to === 'gc') return null;
    if (to.startsWith('http/') || to === 'http') return from === 'http/common' ? 'http/common imports no dialect' : 'a dialect never imports another dialect';
    return 'a dialect imports only core, http/common, auth, config and gc';
  }
  return `${from} imports only core`;
}

/** Every import-rule violation in `files` (repo-relative paths), one line each. */
export function importViolations(files: Source[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const from = areaOf(f.rel);
    for (const imp of importsOf(f.text)) {
      const where = `${f.rel}:${imp.line} imports "${imp.spec}"`;
      if (!imp.spec.startsWith('.')) {
        if (from !== 'core') continue; // outside core any installed library or built-in is fine
        if (imp.spec === 'node:crypto' || (imp.spec === 'node:stream' && imp.typeOnly)) continue;
        if (isTest(f.rel) && TEST_LIBS.has(imp.spec)) continue;
        bad.push(`${where}: core may import only ${CORE_LIBS}${imp.spec === 'node:stream' ? ' — use `import type`' : ''}`);
        continue;
      }
      const toRel = toPosix(relative(ROOT, resolve(dirname(join(ROOT, f.rel)), imp.spec)));
      if (isTest(f.rel) && isTestHelper(toRel)) continue;
      if (!toRel.startsWith('src/')) {
        bad.push(`${where}: code under src/ imports only src/ (${toRel} is outside)`);
        continue;
      }
      const why = forbidden(from, areaOf(toRel), toRel);
      if (why) bad.push(`${where}: ${from} -> ${areaOf(toRel)}: ${why}`);
    }
  }
  return bad;
}

/** The one module the console loads from outside its folder: Preact + htm, served from node_modules (src/http/ui). */
const CONSOLE_VENDOR = 'console/vendor/preact.js';

/**
 * The web console (console/*.js) runs in the browser and talks to the server only over HTTP: it imports only its own
 * files (that exist) and the vendored Preact, never src/ or a bare package name (the browser could not resolve it).
 */
export function consoleViolations(files: Source[], exists: (rel: string) => boolean): string[] {
  const bad: string[] = [];
  for (const f of files) {
    for (const imp of importsOf(f.text)) {
      const where = `${f.rel}:${imp.line} imports "${imp.spec}"`;
      if (!imp.spec.startsWith('.')) {
        // Its unit tests (*.test.js, never served) run in node:test and may use Node's built-ins.
        if (f.rel.endsWith('.test.js') && imp.spec.startsWith('node:')) continue;
        bad.push(`${where}: the console imports only relative paths (a browser cannot resolve a package name)`);
        continue;
      }
      const toRel = toPosix(relative(ROOT, resolve(dirname(join(ROOT, f.rel)), imp.spec)));
      if (!toRel.startsWith('console/')) bad.push(`${where}: the console imports only console/ (${toRel} is outside)`);
      else if (toRel !== CONSOLE_VENDOR && !exists(toRel)) bad.push(`${where}: no such file ${toRel}`);
    }
  }
  return bad;
}

/**
 * Every method the ports declare (src/core/ports/*.ts), by name. The rule below needs each one sorted into reads,
 * writes or lifecycle, so a method added to a port without a decision fails this test instead of slipping through.
 */
export function portMethods(files: Source[]): Map<string, string> {
  const methods = new Map<string, string>();
  for (const f of files.filter((s) => /^src\/core\/ports\/[^/]+\.ts$/.test(s.rel) && !isTest(s.rel))) {
    for (const m of f.text.matchAll(/^[ \t]+(?:readonly[ \t]+)?(\w+)\??[ \t]*\(/gm)) methods.set(m[1]!, f.rel);
  }
  return methods;
}

/** Port methods that only read: HTTP, CLI and main may call these straight on the store. */
const READ_METHODS = new Set([
  'now',
  'stat',
  'open',
  'openFile',
  'read',
  'list',
  'downloadUrl',
  'readUpload',
  'listUploads',
  'listStrays',
  'findRepository',
  'listRepositories',
  'findBlob',
  'getManifest',
  'listReferrers',
  'listTags',
  'getUpload',
  'listIdleUploads',
  'listAbandonedUploads',
  'findAccessKey',
  'listAccessKeys',
  'listAudit',
  'listPins',
  'findPin',
  'listDeletedTags',
  'dueManifests',
  'dueTrash',
  'dueBlobs',
  'gcStats',
  'forecastBlobs',
  'listBlobRecords',
  'blobState',
  'integrityIssues',
  'listManifestBodies',
  'findNamespace',
  'listNamespaces',
  'listRepositorySummaries',
  'repositorySummary',
  'repositorySummaries',
  'findRepositoryById',
  'listTagDetails',
  'findTagDetail',
  'searchRepositoryNames',
  'repositoryUsage',
  'searchTags',
  'listManifestDigests',
  'manifestFacts',
  'pinsProtecting',
  'deletePreviewFacts',
  'listDeletedManifests',
  'repositoryExtras',
  'repositoryPolicy',
  'repositoryPolicies',
  'repositoriesWithExtras',
  'listImages',
  'findImages',
  'indexParents',
  'findLifecyclePolicy',
  'listLifecyclePolicies',
  'listLifecycleImages',
  'lifecycleProtection',
  'pullsRecordedSince',
  'findLifecyclePreview',
  'listLifecycleRemovals',
  'findGcPass',
  'listGcPasses',
  'lastDoneGcPass',
  'gcReclaimedByDay',
]);
/** Opening, probing and closing a store is wiring, not a change of registry state. */
const LIFECYCLE_METHODS = new Set(['ping', 'onLockWait', 'close']);
/** Port methods that change state (ownsPurges renews leases; useNonce and the client-token claims record use). */
export const WRITE_METHODS = new Set([
  'remove',
  'createUpload',
  'appendUpload',
  'commitUpload',
  'commitBytes',
  'removeUpload',
  'removeStray',
  'deleteRepository',
  'linkBlob',
  'mountBlob',
  'unlinkBlob',
  'putManifest',
  'deleteManifest',
  'deleteTag',
  'putLifecyclePolicy',
  'deleteLifecyclePolicy',
  'markLifecycleEvaluated',
  'saveLifecyclePreview',
  'deleteLifecyclePreview',
  'recordLifecycleRemovals',
  'startGcPass',
  'progressGcPass',
  'finishGcPass',
  'recordPulls',
  'advanceUpload',
  'deleteUpload',
  'claimUploadDigest',
  'adoptUpload',
  'expireAbandonedUpload',
  'renewProcessLease',
  'endProcessLease',
  'createAccessKey',
  'deleteAccessKey',
  'createPin',
  'deletePin',
  'replacePinSet',
  'restore',
  'collectManifest',
  'purgeTrash',
  'purgeDeletedRepositories',
  'expirePins',
  'beginBlobPurge',
  'beginOrphanPurge',
  'ownsPurges',
  'removeMany',
  'endBlobPurge',
  'takeOverPurges',
  'createNamespace',
  'deleteNamespace',
  'createRepository',
  'updateRepository',
  'claimClientToken',
  'completeClientToken',
  'releaseClientToken',
  'useNonce',
  'pruneRequestLedger',
]);

/** The driving side: it may read ports directly, but every write goes through a use case in src/core/usecases. */
const isDriver = (rel: string): boolean => rel.startsWith('src/http/') || rel.startsWith('src/cli/') || rel === 'src/main.ts';

/** Every `.write(` call (on any receiver, `?.` too) outside comments in the driving side, one line each. */
export function writeViolations(files: Source[]): string[] {
  const bad: string[] = [];
  for (const f of files.filter((s) => isDriver(s.rel) && !isTest(s.rel) && !isTestHelper(s.rel))) {
    for (const [i, line] of f.text.split('\n').entries()) {
      const code = line.trimStart();
      if (code.startsWith('//') || code.startsWith('*')) continue;
      for (const m of line.matchAll(/\??\.\s*(\w+)\s*\(/g)) {
        if (WRITE_METHODS.has(m[1]!)) bad.push(`${f.rel}:${i + 1} calls .${m[1]}(): a port write; call a use case in src/core/usecases instead`);
      }
    }
  }
  return bad;
}

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const sources: Source[] = walk(join(ROOT, 'src')).map((abs) => ({ rel: toPosix(relative(ROOT, abs)), text: readFileSync(abs, 'utf8') }));
const nonTest = sources.filter((f) => !isTest(f.rel));
const consoleSources: Source[] = walk(join(ROOT, 'console'), '.js').map((abs) => ({ rel: toPosix(relative(ROOT, abs)), text: readFileSync(abs, 'utf8') }));
/** Production code: the size rules are about it; shared test suites (*.conformance.ts) are tests, however long. */
const production = nonTest.filter((f) => !isTestHelper(f.rel));

describe('architecture', () => {
  it('the checker itself flags each kind of violation (so this test can fail)', () => {
    const file = (rel: string, text: string): Source => ({ rel, text });
    const found = importViolations([
      file(
        'src/core/a.ts',
        "import { readFile } from 'node:fs';\nimport { Readable } from 'node:stream';\nimport type { Readable as R } from 'node:stream';\nimport { x } from '../http/oci/routes.ts';\n",
      ),
      file('src/core/a.test.ts', "import test from 'node:test';\nimport { y } from '../../test/e2e/fixtures/oci-layout.ts';\n"),
      file(
        'src/adapters/blob/s3/x.ts',
        "import { a } from '../fs/y.ts';\nimport { b } from '../family.ts';\nimport {\n  c,\n} from '../../meta/sqlite/index.ts';\nexport * from './z.ts';\n",
      ),
      file('src/adapters/blob/family.ts', "import { a } from './fs/index.ts';\n"),
      file(
        'src/http/ecr/routes.ts',
        "import type { A } from '../oci/errors.ts';\nimport { s } from '../common/body.ts';\nconst m = await import('../../adapters/factory.ts');\n",
      ),
      file('src/auth/k.ts', "import { c } from '../config/index.ts';\n"),
      file('src/cli/m.ts', "import { main } from '../main.ts';\nimport { f } from '../adapters/factory.ts';\n"),
      file('src/main.ts', "import { f } from './adapters/factory.ts';\nimport { r } from './http/oci/routes.ts';\n"),
    ]);
    assert.deepEqual(found, [
      'src/core/a.ts:1 imports "node:fs": core may import only node:crypto (and `import type` from node:stream)',
      'src/core/a.ts:2 imports "node:stream": core may import only node:crypto (and `import type` from node:stream) — use `import type`',
      'src/core/a.ts:4 imports "../http/oci/routes.ts": core -> http/oci: core imports only core',
      'src/adapters/blob/s3/x.ts:1 imports "../fs/y.ts": adapters/blob/s3 -> adapters/blob/fs: an adapter imports only core, its own folder and the shared files of adapters/blob/*.ts',
      'src/adapters/blob/s3/x.ts:3 imports "../../meta/sqlite/index.ts": adapters/blob/s3 -> adapters/meta/sqlite: an adapter imports only core, its own folder and the shared files of adapters/blob/*.ts',
      'src/adapters/blob/family.ts:1 imports "./fs/index.ts": adapters/blob -> adapters/blob/fs: an adapter imports only core, its own folder and the shared files of adapters/blob/*.ts',
      'src/http/ecr/routes.ts:1 imports "../oci/errors.ts": http/ecr -> http/oci: a dialect never imports another dialect',
      'src/http/ecr/routes.ts:3 imports "../../adapters/factory.ts": http/ecr -> adapters: a dialect imports only core, http/common, auth, config and gc',
      'src/auth/k.ts:1 imports "../config/index.ts": auth -> config: auth imports only core',
    ]);
  });

  it('imports point toward core: core, adapters, auth, config and each dialect import only what they may', () => {
    const bad = importViolations(sources);
    assert.equal(bad.length, 0, `${bad.length} import rule violation(s):\n  ${bad.join('\n  ')}`);
  });

  it('the console imports nothing from src/ (nor packages), and src/ nothing from the console', () => {
    const file = (rel: string, text: string): Source => ({ rel, text });
    const found = consoleViolations(
      [
        file('console/pages/a.js', "import { x } from '../../src/core/index.ts';\nimport { h } from 'preact';\nimport { html } from '../vendor/preact.js';\n"),
        file('console/app.js', "import { y } from './lib/gone.js';\nconst p = import('./pages/a.js');\nimport { z } from 'node:fs';\n"),
        file('console/lib/a.test.js', "import { it } from 'node:test';\n"),
      ],
      (rel) => rel === 'console/pages/a.js',
    );
    assert.deepEqual(found, [
      'console/pages/a.js:1 imports "../../src/core/index.ts": the console imports only console/ (src/core/index.ts is outside)',
      'console/pages/a.js:2 imports "preact": the console imports only relative paths (a browser cannot resolve a package name)',
      'console/app.js:1 imports "./lib/gone.js": no such file console/lib/gone.js',
      'console/app.js:3 imports "node:fs": the console imports only relative paths (a browser cannot resolve a package name)',
    ]);
    assert.deepEqual(importViolations([file('src/http/ui/x.ts', "import { a } from '../../../console/lib/api.js';\n")]), [
      'src/http/ui/x.ts:1 imports "../../../console/lib/api.js": code under src/ imports only src/ (console/lib/api.js is outside)',
    ]);
    assert.ok(consoleSources.length > 5, 'the console has its files');
    const bad = consoleViolations(consoleSources, (rel) => existsSync(join(ROOT, rel)));
    assert.equal(bad.length, 0, bad.join('\n'));
    const missing = consoleSources.filter((f) => !/^\/\/ ?\S/.test(f.text)).map((f) => f.rel);
    assert.equal(missing.length, 0, `console files without a leading why-comment: ${missing.join(', ')}`);
  });

  it('the write checker flags a port write called from http, cli or main, and nothing else', () => {
    const file = (rel: string, text: string): Source => ({ rel, text });
    const found = writeViolations([
      file('src/http/ecr/ops/x.ts', 'const a = await deps.meta.findRepository(n);\nawait ctx.deps.meta?.deleteTag(r, t);\n// meta.deleteManifest( in prose\n'),
      file('src/cli/commands/k.ts', 'await r.deps.meta.deleteAccessKey(id);\n'),
      file('src/main.ts', 'await meta.close();\nawait deps.meta.pruneRequestLedger(b, 1);\n'),
      file('src/core/usecases/d.ts', 'await deps.meta.deleteManifest(r, d);\n'),
      file('src/http/ecr/ops/x.test.ts', 'await deps.meta.putManifest(m);\n'),
    ]);
    assert.deepEqual(found, [
      'src/http/ecr/ops/x.ts:2 calls .deleteTag(): a port write; call a use case in src/core/usecases instead',
      'src/cli/commands/k.ts:1 calls .deleteAccessKey(): a port write; call a use case in src/core/usecases instead',
      'src/main.ts:2 calls .pruneRequestLedger(): a port write; call a use case in src/core/usecases instead',
    ]);
  });

  it('every port method is classified as a read, a write or lifecycle (so a new write cannot be forgotten)', () => {
    const unsorted: string[] = [];
    for (const [name, rel] of portMethods(sources)) {
      const kinds = [READ_METHODS, WRITE_METHODS, LIFECYCLE_METHODS].filter((k) => k.has(name)).length;
      if (kinds !== 1) unsorted.push(`${rel}: ${name} is in ${kinds} of READ_METHODS, WRITE_METHODS, LIFECYCLE_METHODS (must be exactly 1)`);
    }
    const declared = portMethods(sources);
    for (const k of [READ_METHODS, WRITE_METHODS, LIFECYCLE_METHODS])
      for (const name of k) if (!declared.has(name)) unsorted.push(`${name} is listed but no port declares it`);
    assert.equal(unsorted.length, 0, unsorted.join('\n'));
  });

  it('http, cli and main read ports directly but change state only through use cases in src/core/usecases', () => {
    const bad = writeViolations(sources);
    assert.equal(bad.length, 0, `${bad.length} port write(s) outside a use case:\n  ${bad.join('\n  ')}`);
  });

  it('every non-test source file starts with a `//` comment saying why it exists', () => {
    const missing = nonTest.filter((f) => !/^\/\/ ?\S/.test(f.text)).map((f) => `${f.rel}: first line is "${f.text.split('\n')[0]}"`);
    assert.equal(missing.length, 0, `files without a leading why-comment:\n  ${missing.join('\n  ')}`);
  });

  it('files stay small: no non-test file over 400 lines, median under 150', () => {
    const sizes = production.map((f) => ({ rel: f.rel, lines: lineCount(f.text) }));
    const big = sizes.filter((s) => s.lines > 400).map((s) => `${s.rel}: ${s.lines} lines`);
    assert.equal(big.length, 0, `files over 400 lines:\n  ${big.join('\n  ')}`);
    const m = median(sizes.map((s) => s.lines));
    const largest = [...sizes]
      .sort((a, b) => b.lines - a.lines)
      .slice(0, 5)
      .map((s) => `${s.rel} (${s.lines})`)
      .join(', ');
    assert.ok(m < 150, `median non-test file length is ${m} lines (must be under 150); largest: ${largest}`);
  });

  it('each dialect error map covers every error code (a Record<ErrorCode, ...>)', () => {
    const maps = nonTest.filter((f) => /^src\/http\/[^/]+\/errors\.ts$/.test(f.rel));
    const loose = maps.filter((m) => !/Record<ErrorCode,/.test(m.text)).map((m) => m.rel);
    assert.equal(loose.length, 0, `error maps that are not Record<ErrorCode, ...>: ${loose.join(', ')}`);
  });
});
