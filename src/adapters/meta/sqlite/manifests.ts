// Manifests with their reference index, written in the same transaction as the manifest itself, so "what uses
// this blob" and "what does this index hold" can never disagree with the stored manifests.
import type { Actor, DeletedManifests, Digest, ManifestSummary, NewManifest, PutManifestOutcome, StoredManifest } from '../../../core/index.ts';
import { audit, ensureRepo, liveRepo, liveRepoId, toRepository, type ReviewQueue } from './common.ts';
import type { Db } from './db.ts';

interface ManifestRow {
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject: string | null;
  annotations: string | null;
  size: number;
  pushed_at: number;
  last_pulled_at: number | null;
  body?: Uint8Array;
}

const SUMMARY_COLUMNS = 'm.digest, m.media_type, m.artifact_type, m.subject, m.annotations, m.size, m.pushed_at, m.last_pulled_at';
/** Referrer cascades are bounded so one delete can never run away; the rest is left to GC review. */
const MAX_CASCADE = 10_000;

function toSummary(row: ManifestRow): ManifestSummary {
  return {
    digest: row.digest as Digest, mediaType: row.media_type, artifactType: row.artifact_type, subject: row.subject as Digest | null,
    annotations: row.annotations ? (JSON.parse(row.annotations) as Record<string, string>) : null, size: row.size,
    pushedAt: new Date(row.pushed_at), lastPulledAt: row.last_pulled_at === null ? null : new Date(row.last_pulled_at),
  };
}

function missingReferences(db: Db, repoId: string | undefined, m: NewManifest): { blobs: Digest[]; manifests: Digest[] } {
  if (!repoId) return { blobs: [...m.blobs], manifests: [...m.children] };
  const hasBlob = db.q('SELECT 1 FROM repository_blobs WHERE repo_id = ? AND digest = ?');
  const hasManifest = db.q('SELECT 1 FROM manifests WHERE repo_id = ? AND digest = ?');
  return {
    blobs: m.blobs.filter((d) => !hasBlob.get(repoId, d)),
    manifests: m.children.filter((d) => d !== m.digest && !hasManifest.get(repoId, d)),
  };
}

export function putManifest(db: Db, queue: ReviewQueue, m: NewManifest): PutManifestOutcome {
  return db.tx((): PutManifestOutcome => {
    const existing = liveRepo(db, m.repository);
    const missing = missingReferences(db, existing?.id, m);
    if (missing.blobs.length > 0 || missing.manifests.length > 0) return { kind: 'missing', ...missing };
    const repo = existing ?? ensureRepo(db, m.repository, m.at);
    const previous = m.tag === null ? undefined
      : (db.q('SELECT digest FROM tags WHERE repo_id = ? AND name = ?').get(repo.id, m.tag) as { digest: Digest } | undefined)?.digest;
    if (m.tag !== null && previous !== undefined && previous !== m.digest && repo.tag_mutability === 'IMMUTABLE') {
      return { kind: 'tag-immutable', tag: m.tag, current: previous };
    }
    const at = m.at.getTime();
    // Same digest means same bytes, hence the same references: a re-push only needs the tag.
    const inserted = db.q(`INSERT INTO manifests (repo_id, digest, media_type, artifact_type, subject, annotations, size, body, pushed_at)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, digest) DO NOTHING`)
      .run(repo.id, m.digest, m.mediaType, m.artifactType, m.subject, m.annotations ? JSON.stringify(m.annotations) : null,
        m.body.byteLength, m.body, at).changes === 1;
    if (inserted) {
      const addBlob = db.q('INSERT INTO manifest_blobs (repo_id, manifest_digest, blob_digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      for (const b of m.blobs) addBlob.run(repo.id, m.digest, b);
      const addChild = db.q('INSERT INTO manifest_children (repo_id, parent_digest, child_digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      for (const c of m.children) addChild.run(repo.id, m.digest, c);
    }
    queue.remove('manifest', repo.id, m.digest);
    for (const b of m.blobs) queue.remove('blob', '', b);
    for (const c of m.children) queue.remove('manifest', repo.id, c);
    if (m.tag !== null && previous !== m.digest) {
      db.q(`INSERT INTO tags (repo_id, name, digest, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (repo_id, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at`).run(repo.id, m.tag, m.digest, at);
      if (previous !== undefined) queue.add('manifest', repo.id, previous, m.at);
    }
    audit(db, m.actor, m.at, 'manifest.put', m.repository, m.digest, m.tag === null ? undefined : { tag: m.tag, previous: previous ?? null });
    return { kind: 'stored', repository: toRepository(repo) };
  });
}

export function getManifest(db: Db, repository: string, ref: { tag: string } | { digest: Digest }): StoredManifest | null {
  const row = ('tag' in ref
    ? db.q(`SELECT ${SUMMARY_COLUMNS}, m.body FROM repositories r JOIN tags t ON t.repo_id = r.id AND t.name = ?
            JOIN manifests m ON m.repo_id = r.id AND m.digest = t.digest WHERE r.name = ? AND r.deleted_at IS NULL`).get(ref.tag, repository)
    : db.q(`SELECT ${SUMMARY_COLUMNS}, m.body FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.digest = ?
            WHERE r.name = ? AND r.deleted_at IS NULL`).get(ref.digest, repository)) as ManifestRow | undefined;
  return row ? { ...toSummary(row), body: row.body! } : null;
}

export function listReferrers(db: Db, repository: string, subject: Digest): ManifestSummary[] {
  return (db.q(`SELECT ${SUMMARY_COLUMNS} FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.subject = ?
                WHERE r.name = ? AND r.deleted_at IS NULL ORDER BY m.digest`).all(subject, repository) as ManifestRow[]).map(toSummary);
}

export function deleteManifest(db: Db, queue: ReviewQueue, repository: string, digest: Digest, actor: Actor, at: Date): DeletedManifests | null {
  return db.tx(() => {
    const repoId = liveRepoId(db, repository);
    if (!repoId || !db.q('SELECT 1 FROM manifests WHERE repo_id = ? AND digest = ?').get(repoId, digest)) return null;
    // The manifest and, transitively, the referrers whose subject it is (signatures, SBOMs of a deleted image).
    const doomed: Digest[] = [digest];
    const seen = new Set<Digest>(doomed);
    const referrers = db.q('SELECT digest FROM manifests WHERE repo_id = ? AND subject = ?');
    for (let i = 0; i < doomed.length && doomed.length < MAX_CASCADE; i++) {
      for (const r of referrers.all(repoId, doomed[i]) as Array<{ digest: Digest }>) {
        if (!seen.has(r.digest)) {
          seen.add(r.digest);
          doomed.push(r.digest);
        }
      }
    }
    const tags: string[] = [];
    for (const d of doomed) {
      for (const t of db.q('SELECT name FROM tags WHERE repo_id = ? AND digest = ? ORDER BY name').all(repoId, d) as Array<{ name: string }>) tags.push(t.name);
      db.q('DELETE FROM tags WHERE repo_id = ? AND digest = ?').run(repoId, d);
      for (const b of db.q('SELECT blob_digest AS d FROM manifest_blobs WHERE repo_id = ? AND manifest_digest = ?').all(repoId, d) as Array<{ d: string }>) {
        queue.add('blob', '', b.d, at);
      }
      for (const c of db.q('SELECT child_digest AS d FROM manifest_children WHERE repo_id = ? AND parent_digest = ?').all(repoId, d) as Array<{ d: string }>) {
        queue.add('manifest', repoId, c.d, at);
      }
      db.q('DELETE FROM manifest_blobs WHERE repo_id = ? AND manifest_digest = ?').run(repoId, d);
      db.q('DELETE FROM manifest_children WHERE repo_id = ? AND parent_digest = ?').run(repoId, d);
      db.q('DELETE FROM manifests WHERE repo_id = ? AND digest = ?').run(repoId, d);
      queue.remove('manifest', repoId, d);
    }
    audit(db, actor, at, 'manifest.delete', repository, digest, { manifests: doomed, tags });
    return { manifests: doomed, tags };
  });
}

export function deleteTag(db: Db, queue: ReviewQueue, repository: string, tag: string, actor: Actor, at: Date): Digest | null {
  return db.tx(() => {
    const repoId = liveRepoId(db, repository);
    const row = repoId ? db.q('SELECT digest FROM tags WHERE repo_id = ? AND name = ?').get(repoId, tag) as { digest: Digest } | undefined : undefined;
    if (!repoId || !row) return null;
    db.q('DELETE FROM tags WHERE repo_id = ? AND name = ?').run(repoId, tag);
    queue.add('manifest', repoId, row.digest, at);
    audit(db, actor, at, 'tag.delete', repository, tag, { digest: row.digest });
    return row.digest;
  });
}

export function listTags(db: Db, repository: string, after: string | undefined, limit: number): string[] | null {
  const repoId = liveRepoId(db, repository);
  if (!repoId) return null;
  if (limit <= 0) return [];
  return (db.q('SELECT name FROM tags WHERE repo_id = ? AND name > ? ORDER BY name LIMIT ?').all(repoId, after ?? '', limit) as Array<{ name: string }>)
    .map((r) => r.name);
}

export function recordPulls(db: Db, pulls: ReadonlyArray<{ repository: string; digest: Digest; at: Date }>): void {
  db.tx(() => {
    const update = db.q(`UPDATE manifests SET last_pulled_at = ?
                         WHERE digest = ? AND repo_id = (SELECT id FROM repositories WHERE name = ? AND deleted_at IS NULL)`);
    for (const p of pulls) update.run(p.at.getTime(), p.digest, p.repository);
  });
}
