// Manifests with their reference index, written in the same transaction as the manifest itself, so "what uses
// this blob" and "what does this index hold" can never disagree with the stored manifests.
import {
  type Digest,
  HELM_CONFIG,
  type ManifestSummary,
  type NewManifest,
  type PutManifestOutcome,
  type StoredManifest,
  type TagStatus,
} from '../../../core/index.ts';
import { all, get, type Q, run, textList, traits } from '../sql/query.ts';
import { audit } from './audit.ts';
import { ensureRepo, liveRepo, tagIsImmutable, toRepository } from './repo-rows.ts';
import * as queue from './review-queue.ts';
import { lockMoreDigests, lockTouched } from './row-locks.ts';
import { byDigest } from './tag-names.ts';
import { pointTag, tagTarget } from './tags.ts';

/** A manifest's facts without its body (each adapter adds the body in the type its driver returns). */
export interface ManifestRow {
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject: string | null;
  annotations: string | null;
  size: number;
  pushed_at: number;
  last_pulled_at: number | null;
}

/** The columns of a ManifestRow, read from `manifests m`. */
export const MANIFEST_COLUMNS = 'm.digest, m.media_type, m.artifact_type, m.subject, m.annotations, m.size, m.pushed_at, m.last_pulled_at';

/** The image listings' tag filter, appended to a query over `manifests m`. */
export const TAGGED: Record<TagStatus, string> = {
  ANY: '',
  TAGGED: 'AND EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest)',
  UNTAGGED: 'AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest)',
};

export function toManifestSummary(row: ManifestRow): ManifestSummary {
  return {
    digest: row.digest as Digest,
    mediaType: row.media_type,
    artifactType: row.artifact_type,
    subject: row.subject as Digest | null,
    annotations: row.annotations === null ? null : (JSON.parse(row.annotations) as Record<string, string>),
    size: row.size,
    pushedAt: new Date(row.pushed_at),
    lastPulledAt: row.last_pulled_at === null ? null : new Date(row.last_pulled_at),
  };
}

/** A manifest row with its body, as pg returns a BYTEA. */
type StoredRow = ManifestRow & { body: Buffer };

/** BYTEA arrives as a Buffer; the port speaks Uint8Array (a view, no copy). */
export const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Which of `digests` the statement finds: `sql` selects a column `d` and takes the JSON list as `$2`, one statement for any count. */
function* found(sql: (list: string) => string, repoId: string, digests: Digest[]): Q<Set<string>> {
  if (digests.length === 0) return new Set();
  const e = yield* traits();
  return new Set((yield* all<{ d: string }>(sql(e.inList('digest', '$2')), repoId, textList(digests))).map((r) => r.d));
}

function* missingReferences(repoId: string | undefined, blobs: Digest[], children: Digest[]): Q<{ blobs: Digest[]; manifests: Digest[] }> {
  if (repoId === undefined) return { blobs, manifests: children };
  const linked = yield* found((inList) => `SELECT digest AS d FROM repository_blobs WHERE repo_id = $1 AND ${inList}`, repoId, blobs);
  // A trashed child counts as missing: the client pushes it again, which brings it back.
  const live = yield* found((inList) => `SELECT digest AS d FROM manifests WHERE repo_id = $1 AND ${inList} AND deleted_at IS NULL`, repoId, children);
  return { blobs: blobs.filter((d) => !linked.has(d)), manifests: children.filter((d) => !live.has(d)) };
}

/**
 * Inserts the row; a re-push (same digest, hence the same bytes) keeps pushed_at, only refreshes parsed facts that
 * changed, and takes a trashed manifest out of the trash (its references never left).
 */
function* upsertManifest(repoId: string, m: NewManifest): Q<void> {
  yield* run(
    `INSERT INTO manifests (repo_id, digest, media_type, artifact_type, subject, annotations, size, body, pushed_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (repo_id, digest) DO UPDATE SET media_type = excluded.media_type, artifact_type = excluded.artifact_type,
          subject = excluded.subject, annotations = excluded.annotations, deleted_at = NULL, deleted_batch = NULL
        WHERE manifests.media_type IS DISTINCT FROM excluded.media_type OR manifests.artifact_type IS DISTINCT FROM excluded.artifact_type
          OR manifests.subject IS DISTINCT FROM excluded.subject OR manifests.annotations IS DISTINCT FROM excluded.annotations
          OR manifests.deleted_at IS NOT NULL`,
    repoId,
    m.digest,
    m.mediaType,
    m.artifactType,
    m.subject,
    m.annotations === null ? null : JSON.stringify(m.annotations),
    m.body.byteLength,
    m.body,
    m.at.getTime(),
  );
}

/**
 * Makes the stored reference rows equal `wanted`, writing only the difference (one statement each way, whatever the
 * count: an image's layers were one INSERT each); returns the references dropped.
 */
function* replaceReferences(table: 'manifest_blobs' | 'manifest_children', repoId: string, digest: Digest, wanted: Digest[]): Q<string[]> {
  const [from, to] = table === 'manifest_blobs' ? ['manifest_digest', 'blob_digest'] : ['parent_digest', 'child_digest'];
  const e = yield* traits();
  const current = new Set((yield* all<{ d: string }>(`SELECT ${to} AS d FROM ${table} WHERE repo_id = $1 AND ${from} = $2`, repoId, digest)).map((r) => r.d));
  const added = wanted.filter((d) => !current.delete(d));
  if (added.length > 0) {
    // `WHERE true`: SQLite needs it to read ON CONFLICT as the upsert's, not a join's.
    yield* run(
      `INSERT INTO ${table} (repo_id, ${from}, ${to}) SELECT $1, $2, l.v FROM (${e.textList('$3')}) l WHERE true ON CONFLICT DO NOTHING`,
      repoId,
      digest,
      textList(added),
    );
  }
  if (current.size > 0) yield* run(`DELETE FROM ${table} WHERE repo_id = $1 AND ${from} = $2 AND ${e.inList(to, '$3')}`, repoId, digest, textList(current));
  return [...current];
}

export function* putManifest(m: NewManifest): Q<PutManifestOutcome> {
  const blobs = [...new Set(m.blobs)];
  const children = [...new Set(m.children)];
  // Before the reference check: a purge of a referenced blob either finished (missing) or waits until this commits.
  yield* lockTouched({ repositories: [m.repository], sharedDigests: blobs });
  const existing = yield* liveRepo(m.repository);
  const missing = yield* missingReferences(existing?.id, blobs, children);
  if (missing.blobs.length > 0 || missing.manifests.length > 0) return { kind: 'missing', ...missing };
  const repo = existing ?? (yield* ensureRepo(m.repository, m.at));
  const previous = m.tag === null ? undefined : yield* tagTarget(repo.id, m.tag);
  if (m.tag !== null && previous !== undefined && previous !== m.digest && tagIsImmutable(repo, m.tag)) {
    return { kind: 'tag-immutable', tag: m.tag, current: previous };
  }
  // A repository holding a Helm chart is a chart repository (ACR's ArtifactType HelmChart); it stays one.
  let artifactKind = repo.artifact_kind;
  if (m.artifactType === HELM_CONFIG && artifactKind !== 'helm-chart') {
    yield* run("UPDATE repositories SET artifact_kind = 'helm-chart' WHERE id = $1", repo.id);
    artifactKind = 'helm-chart';
  }
  yield* upsertManifest(repo.id, m);
  const droppedBlobs = yield* replaceReferences('manifest_blobs', repo.id, m.digest, blobs);
  const droppedManifests = yield* replaceReferences('manifest_children', repo.id, m.digest, children);
  yield* queue.remove('manifest', repo.id, m.digest);
  yield* queue.removeMany('blob', '', blobs);
  yield* queue.removeMany('manifest', repo.id, children);
  if (m.tag !== null && previous !== m.digest) {
    yield* pointTag(repo.id, m.tag, m.digest, m.at);
    if (previous !== undefined) droppedManifests.push(previous);
  }
  if (droppedBlobs.length > 0) yield* lockMoreDigests(droppedBlobs);
  yield* queue.releaseBlobs(droppedBlobs, m.at);
  yield* queue.releaseManifests(repo.id, droppedManifests, m.at);
  yield* audit(m.actor, m.at, 'manifest.put', m.repository, m.digest, m.tag === null ? undefined : { tag: m.tag, previous: previous ?? null });
  return { kind: 'stored', repository: toRepository({ ...repo, artifact_kind: artifactKind }) };
}

/**
 * On SQLite (in-process, no round trips) the GET is three point lookups: measured on 100,000 manifests, that costs
 * half the CPU of the one joined statement (24 vs 47 µs), which random GETs over a large registry pay on every cache
 * miss. PostgreSQL keeps the one statement: one round trip instead of three.
 */
export function* getManifest(repository: string, ref: { tag: string } | { digest: Digest }): Q<StoredManifest | null> {
  const row = (yield* traits()).kind === 'sqlite' ? yield* getManifestByLookups(repository, ref) : yield* getManifestJoined(repository, ref);
  return row ? { ...toManifestSummary(row), body: bytes(row.body) } : null;
}

function* getManifestByLookups(repository: string, ref: { tag: string } | { digest: Digest }): Q<StoredRow | undefined> {
  const repo = yield* get<{ id: string }>('SELECT id FROM repositories WHERE name = $1 AND deleted_at IS NULL', repository);
  if (!repo) return undefined;
  const digest =
    'tag' in ref ? (yield* get<{ digest: string }>('SELECT digest FROM tags WHERE repo_id = $1 AND name = $2', repo.id, ref.tag))?.digest : ref.digest;
  if (digest === undefined) return undefined;
  return yield* get<StoredRow>(
    `SELECT ${MANIFEST_COLUMNS}, m.body FROM manifests m WHERE m.repo_id = $1 AND m.digest = $2 AND m.deleted_at IS NULL`,
    repo.id,
    digest,
  );
}

function* getManifestJoined(repository: string, ref: { tag: string } | { digest: Digest }): Q<StoredRow | undefined> {
  return 'tag' in ref
    ? yield* get<StoredRow>(
        `SELECT ${MANIFEST_COLUMNS}, m.body FROM repositories r JOIN tags t ON t.repo_id = r.id AND t.name = $1
          JOIN manifests m ON m.repo_id = r.id AND m.digest = t.digest AND m.deleted_at IS NULL
          WHERE r.name = $2 AND r.deleted_at IS NULL`,
        ref.tag,
        repository,
      )
    : yield* get<StoredRow>(
        `SELECT ${MANIFEST_COLUMNS}, m.body FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.digest = $1 AND m.deleted_at IS NULL
          WHERE r.name = $2 AND r.deleted_at IS NULL`,
        ref.digest,
        repository,
      );
}

/** Sorted here: asked to ORDER BY digest, SQLite walked every manifest of the repository instead of the subject index. */
export function* listReferrers(repository: string, subject: Digest): Q<ManifestSummary[]> {
  return (yield* all<ManifestRow>(
    `SELECT ${MANIFEST_COLUMNS} FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.subject = $1 AND m.deleted_at IS NULL
                WHERE r.name = $2 AND r.deleted_at IS NULL`,
    subject,
    repository,
  ))
    .sort(byDigest)
    .map(toManifestSummary);
}

/**
 * One transaction per batch; a time only moves forward, so batches flushed out of order never rewind it. Takes no
 * lock but the rows it updates, in one order (repository, digest), so two replicas' flushes never deadlock.
 */
export function* recordPulls(pulls: ReadonlyArray<{ repository: string; digest: Digest; at: Date }>): Q<void> {
  if (pulls.length === 0) return;
  const ordered = [...pulls].sort((a, b) =>
    a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0,
  );
  for (const p of ordered) {
    yield* run(
      `UPDATE manifests SET last_pulled_at = $1
                 WHERE repo_id = (SELECT id FROM repositories WHERE name = $2 AND deleted_at IS NULL) AND digest = $3
                   AND (last_pulled_at IS NULL OR last_pulled_at < $1)`,
      p.at.getTime(),
      p.repository,
      p.digest,
    );
  }
}
