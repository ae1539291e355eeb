// A clone of this repository must stand on its own: no tracked file may point at anything beside it (the design
// document that once lived in a `shared` folder next to the checkout is docs/DESIGN.md now). Each finding names
// the file and line, so a new outside reference fails here instead of in someone else's fresh clone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');

/** Built from parts so that this file does not match its own patterns. */
const SHARED = ['sha', 'red'].join('');
const RELATIVE_SHARED = new RegExp(String.raw`(?:\.\./)+${SHARED}(?:/[\w.@-]+)*`, 'g');
const NAMED_OUTSIDE = new RegExp(String.raw`(?<!\.\./)\b${SHARED}/(?:DESIGN\.md|reference/|seeds/)|/work/${SHARED}\b`, 'g');

interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

/**
 * Every outside reference in the given files (repo-relative paths with their text). The repository keeps no folder of
 * that name (HTTP plumbing lives in src/http/common), so every relative mention of one is a finding.
 */
export function outsideReferences(files: { rel: string; text: string }[]): Finding[] {
  const found: Finding[] = [];
  for (const { rel, text } of files) {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(NAMED_OUTSIDE)) {
        found.push({ file: rel, line: i + 1, text: m[0], why: 'names a file outside the repository' });
      }
      for (const m of line.matchAll(RELATIVE_SHARED)) {
        const target = relative(ROOT, resolve(ROOT, dirname(rel), m[0]))
          .split(sep)
          .join('/');
        const why = target.startsWith('..') ? 'resolves outside the repository' : `resolves to ${target}, which the repository does not have`;
        found.push({ file: rel, line: i + 1, text: m[0], why });
      }
    });
  }
  return found;
}

function trackedTextFiles(): { rel: string; text: string }[] {
  const names = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  return names
    .filter((rel) => rel !== 'package-lock.json' && existsSync(join(ROOT, rel)))
    .map((rel) => ({ rel, text: readFileSync(join(ROOT, rel), 'utf8') }))
    .filter((f) => !f.text.includes('\0'));
}

describe('the repository stands on its own', () => {
  it('the check finds each kind of outside reference (so it can fail)', () => {
    const up = `../${SHARED}`;
    const found = outsideReferences([
      { rel: 'README.md', text: `See [design](${up}/DESIGN.md).` },
      { rel: 'docs/X.md', text: `Read \`${up}/DESIGN.md\`.\nand ${SHARED}/reference/cloud-apis.md` },
      { rel: 'src/http/oci/x.ts', text: `import { a } from '${up}/access.ts';` },
      { rel: 'scripts/x.sh', text: `cat /work/${SHARED}/seeds/a.json` },
    ]);
    assert.deepEqual(
      found.map((f) => `${f.file}:${f.line} ${f.text}: ${f.why}`),
      [
        `README.md:1 ${up}/DESIGN.md: resolves outside the repository`,
        `docs/X.md:1 ${up}/DESIGN.md: resolves to ${SHARED}/DESIGN.md, which the repository does not have`,
        `docs/X.md:2 ${SHARED}/reference/: names a file outside the repository`,
        `src/http/oci/x.ts:1 ${up}/access.ts: resolves to src/http/${SHARED}/access.ts, which the repository does not have`,
        `scripts/x.sh:1 /work/${SHARED}: names a file outside the repository`,
      ],
    );
  });

  it('no tracked file refers to anything outside the repository', () => {
    const files = trackedTextFiles();
    assert.ok(files.length > 100, `git ls-files listed only ${files.length} files`);
    const found = outsideReferences(files).map((f) => `${f.file}:${f.line} ${f.text}: ${f.why}`);
    assert.equal(found.length, 0, `outside references (point them at docs/DESIGN.md or copy the file in):\n  ${found.join('\n  ')}`);
  });
});
