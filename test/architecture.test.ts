// Enforces the layout rules of DESIGN.md (arrows point toward core) and the file-size and "why comment" habits,
// so the architecture cannot erode one convenient import at a time.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const files = walk(SRC).map((abs) => ({ abs, rel: relative(ROOT, abs), text: readFileSync(abs, 'utf8') }));
const isTest = (rel: string): boolean => rel.endsWith('.test.ts');

interface Import { spec: string; target: string | null; typeOnly: boolean }

function importsOf(file: { abs: string; text: string }): Import[] {
  const out: Import[] = [];
  const re = /^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of file.text.matchAll(re)) {
    const spec = m[2]!;
    out.push({ spec, typeOnly: m[1] !== undefined, target: spec.startsWith('.') ? relative(ROOT, resolve(dirname(file.abs), spec)) : null });
  }
  return out;
}

/** Which top-level area a repo-relative path belongs to: core, adapters/<family>, http/<dialect>, auth, ... */
function area(rel: string): string {
  const parts = rel.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  if (parts.length === 2) return parts[1]!.replace(/\.ts$/, '');
  if (parts[1] === 'adapters' || parts[1] === 'http') return parts.length > 3 ? `${parts[1]}/${parts[2]}` : parts[1];
  return parts[1]!;
}

function violations(): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const from = area(f.rel);
    for (const imp of importsOf(f)) {
      if (imp.target === null) {
        const lib = imp.spec;
        if (from === 'core' && !(lib === 'node:crypto' || (imp.typeOnly && lib === 'node:stream')) && !isTest(f.rel)) {
          bad.push(`${f.rel}: core may import only node:crypto (and types of node:stream), not "${lib}"`);
        }
        continue;
      }
      const to = area(imp.target);
      if (to === from || to === 'core' || isTest(f.rel) && imp.target.startsWith('test/')) continue;
      const allowed =
        from === 'main' ||
        (from === 'cli' && (to === 'main' || to === 'config' || to === 'auth')) ||
        (from === 'adapters' && to.startsWith('adapters/')) || // the factory picks adapters by name
        (from.startsWith('adapters/') && f.rel.split('/').length > 4 && imp.target.startsWith(`src/${from}/`) ) ||
        (from.startsWith('http/') && (to === 'http/shared' || to === 'auth')) ||
        (from === 'http' && to.startsWith('http/'));
      if (!allowed) bad.push(`${f.rel}: ${from} must not import ${to} (${imp.spec})`);
    }
  }
  return bad;
}

describe('architecture', () => {
  it('imports point toward core: no dialect imports another, adapters and auth see only core', () => {
    assert.deepEqual(violations(), []);
  });

  it('every source file starts with a one-line "why" comment', () => {
    const missing = files.filter((f) => !isTest(f.rel) && !f.text.startsWith('//')).map((f) => f.rel);
    assert.deepEqual(missing, []);
  });

  it('files stay small: none over 400 lines, median under 150', () => {
    const sizes = files.filter((f) => !isTest(f.rel)).map((f) => ({ rel: f.rel, lines: f.text.split('\n').length }));
    assert.deepEqual(sizes.filter((s) => s.lines > 400).map((s) => `${s.rel} (${s.lines})`), []);
    const sorted = sizes.map((s) => s.lines).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    assert.ok(median < 150, `median file length ${median} lines`);
  });

  it('each dialect maps every error code (Record<ErrorCode, ...>)', () => {
    const maps = files.filter((f) => /^src\/http\/[^/]+\/errors\.ts$/.test(f.rel));
    assert.ok(maps.length >= 1);
    for (const m of maps) assert.match(m.text, /Record<ErrorCode,/, `${m.rel} must be a Record<ErrorCode, ...>`);
  });
});
