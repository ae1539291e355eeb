// Point operations on one manifest, and a repository's trash pages, must probe the indexes, never walk a repository:
// without table statistics SQLite walked a repository's whole key for an ORDER BY it could skip, or for a covering
// primary key with one equal column (schema 16). Every statement these operations prepare is run through EXPLAIN
// QUERY PLAN on the real schema.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { MetadataStore } from '../../../core/index.ts';
import { actor, at, d, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from '../metadata-store.fixtures.ts';
import { createSqliteMetadataStore } from './index.ts';

/**
 * A search on repo_id alone reads a whole repository: every table keyed by repository has it first. A scan of one of
 * those tables (by name, or by the aliases the queries give them; plans name a table by its alias) reads more.
 */
const WALKS = [/^SEARCH \w+ .*\(repo_id=\?\)$/, /^SCAN (tags|deleted_tags|manifests|manifest_children|manifest_blobs|repository_blobs|pins|t|m|c|mb|rb|dt)\b/];

/** The statements prepared while `work` runs (each text once). */
async function prepared(work: () => Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  const original = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    seen.add(source);
    return original.call(this, source);
  } as typeof original;
  try {
    await work();
  } finally {
    Database.prototype.prepare = original;
  }
  return [...seen];
}

/** The plan's steps; parameters are bound to null (positional or numbered, as the engine prepared them). */
function plan(db: Database.Database, sql: string): string[] {
  const explain = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const numbered = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  if (numbered.length > 0) return explain.all(Object.fromEntries(numbered.map((n) => [n, null]))).map((r) => (r as { detail: string }).detail);
  for (let n = 0; ; n++) {
    try {
      return explain.all(...Array.from({ length: n }, () => null)).map((r) => (r as { detail: string }).detail);
    } catch (e) {
      if (n > 20 || !/Too few parameter/.test(String(e))) throw e;
    }
  }
}

test('one-manifest operations and trash pages probe indexes and never walk a repository (SQLite plans)', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-plans-')), 'meta.db');
  const s: MetadataStore = createSqliteMetadataStore({ file });
  const r = 'plans/app';
  const layer = d('plans-layer');
  await s.linkBlob(r, { digest: layer, size: 5 }, actor, at);
  const [image, child, subject] = [
    manifest(r, 'plans-image', { tag: 'v1', blobs: [layer] }),
    manifest(r, 'plans-child', { blobs: [layer] }),
    manifest(r, 'plans-subject', { tag: 'subj' }),
  ];
  const index = manifest(r, 'plans-index', { mediaType: INDEX, children: [child.digest], tag: 'multi' });
  const referrer = manifest(r, 'plans-sig', { subject: subject.digest });
  for (const m of [image, child, subject, index, referrer]) assert.equal((await s.putManifest(m)).kind, 'stored');

  const statements = await prepared(async () => {
    await s.listReferrers(r, subject.digest);
    await s.indexParents(r, child.digest);
    await s.deletePreviewFacts(r, { digest: child.digest }, { policy: RESPECT_PINS, at: later(1), restorableSince: at, limit: 10, detail: true, bytes: true });
    assert.equal((await s.deleteManifest(r, child.digest, actor, later(1), RESPECT_PINS)).kind, 'deleted');
    assert.equal((await s.deleteManifest(r, subject.digest, actor, later(2), RESPECT_PINS)).kind, 'deleted');
    assert.equal((await s.deleteTag(r, 'v1', actor, later(3), TAG_ONLY)).kind, 'deleted');
    await s.listDeletedManifests(r, at, { limit: 10 });
    await s.listDeletedTags(r, at, 10);
    await s.restore(r, { digest: subject.digest }, at, actor, later(4));
    await s.unlinkBlob(r, layer, actor, later(5));
  });
  const db = new Database(file, { readonly: true });
  try {
    const walks = statements.flatMap((sql) =>
      plan(db, sql)
        .filter((step) => WALKS.some((walk) => walk.test(step)))
        .map((step) => `${step}\n    in: ${sql.replace(/\s+/g, ' ').slice(0, 200)}`),
    );
    assert.ok(statements.length > 20, `the operations prepared ${statements.length} statements`);
    assert.deepEqual(walks, [], 'statements that read a whole repository');
  } finally {
    db.close();
    await s.close();
  }
});
