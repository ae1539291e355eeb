// What a delete would take, read with the delete's own pieces: the referrer cascade, the pin walk, GC's "nothing
// holds it" test (review-queue.ts NOT_HELD, cascadeHeld) and the freed-blob test GC's dry run uses, so the preview
// says exactly what the delete then does and what GC then frees (docs/DELETION.md "Previewing a delete").
import type { DeleteFacts, DeleteTarget, Digest, GoingManifest, GoneWhy, Pin, PreviewQuery } from '../../../core/index.ts';
import { all, get, type Q } from '../sql/query.ts';
import { freedBlob, purgedBefore } from './freed-blobs.ts';
import { chunks, padded, placeholders } from './in-list.ts';
import { cascade } from './manifest-delete.ts';
import { protectingPins, repositoryPins } from './pins.ts';
import { liveRepoId } from './repo-rows.ts';
import { tagNamesOf } from './tag-names.ts';
import { tagTarget } from './tags.ts';

interface Row {
  digest: Digest;
  media_type: string;
  artifact_type: string | null;
  size: number;
  subject: string | null;
}

const ROW = 'SELECT digest, media_type, artifact_type, size, subject FROM manifests';
const toGoing = (r: Row, why: GoneWhy): GoingManifest => ({ digest: r.digest, mediaType: r.media_type, artifactType: r.artifact_type, size: r.size, why });

function* liveRow(repoId: string, digest: string): Q<Row | undefined> {
  return yield* get<Row>(`${ROW} WHERE repo_id = $1 AND digest = $2 AND deleted_at IS NULL`, repoId, digest);
}

/** Any tag of `digest` but `except` (the tag being deleted). */
function* tagged(repoId: string, digest: string, except: string | null): Q<boolean> {
  return (yield* get('SELECT 1 FROM tags WHERE repo_id = $1 AND digest = $2 AND name <> $3 LIMIT 1', repoId, digest, except ?? '')) !== undefined;
}

/** Held by an index that is not going (a trashed index holds its children until it is purged). */
function* heldByIndex(repoId: string, digest: string, gone: ReadonlySet<string>): Q<boolean> {
  const parents = yield* all<{ p: string }>('SELECT parent_digest AS p FROM manifest_children WHERE repo_id = $1 AND child_digest = $2', repoId, digest);
  return parents.some((r) => !gone.has(r.p));
}

/**
 * Whether GC collects `digest` once `gone` is purged and `exceptTag` deleted: GC's review test (untagged, no index,
 * no live subject, no tagged or index-held referrer below it, unpinned). Returns what it takes with it, or null.
 */
function* collectedLater(
  repoId: string,
  repository: string,
  digest: string,
  gone: ReadonlySet<string>,
  exceptTag: string | null,
  q: Pick<PreviewQuery, 'policy' | 'at'>,
): Q<Digest[] | null> {
  const row = yield* liveRow(repoId, digest);
  if (!row || gone.has(digest)) return null;
  if (row.subject !== null && !gone.has(row.subject) && (yield* liveRow(repoId, row.subject))) return null;
  const doomed = (yield* cascade(repoId, digest)).filter((d, i) => i === 0 || !gone.has(d));
  if (yield* tagged(repoId, digest, exceptTag)) return null;
  if (yield* heldByIndex(repoId, digest, gone)) return null;
  for (const d of doomed.slice(1)) if ((yield* tagged(repoId, d, exceptTag)) || (yield* heldByIndex(repoId, d, gone))) return null;
  const pins = yield* protectingPins(repoId, repository, doomed, { breakPins: false, pulledSince: q.policy.pulledSince }, q.at);
  return pins.some((p) => !gone.has(p.digest)) ? null : doomed;
}

/** The top of a chain of live subjects: a referrer never goes alone, only with its subject. */
function* chainTop(repoId: string, digest: string): Q<string> {
  let current = digest;
  for (let depth = 0; depth < 8; depth++) {
    const subject = (yield* liveRow(repoId, current))?.subject ?? null;
    if (subject === null || !(yield* liveRow(repoId, subject))) break;
    current = subject;
  }
  return current;
}

/**
 * What GC collects after `gone` is purged: index children (and theirs), and a subject a going referrer held, each with
 * what it takes along; `gone` grows by them, so the freed-blob count covers their blobs too (GC frees those as well).
 */
function* collectableAfter(
  repoId: string,
  repository: string,
  roots: readonly string[],
  gone: Set<string>,
  exceptTag: string | null,
  q: Pick<PreviewQuery, 'policy' | 'at'>,
): Q<DeleteFacts['collectable']> {
  const out: DeleteFacts['collectable'] = [];
  let level = [...roots];
  while (level.length > 0) {
    // Set-based per level: a retention preview's thousands of expiries rarely hold children or subjects.
    const children = yield* inChunks<{ d: string }>(
      (list) => `SELECT child_digest AS d FROM manifest_children WHERE repo_id = $1 AND parent_digest IN (${list})`,
      repoId,
      level,
    );
    const subjects = yield* inChunks<{ d: string }>(
      (list) => `SELECT subject AS d FROM manifests WHERE repo_id = $1 AND subject IS NOT NULL AND deleted_at IS NULL AND digest IN (${list})`,
      repoId,
      level,
    );
    const next: string[] = [];
    const candidates = [...children.map((c) => [c.d, 'child'] as const), ...subjects.map((c) => [c.d, 'subject'] as const)];
    for (const [digest, why] of candidates) {
      if (gone.has(digest)) continue;
      const doomed = yield* collectedLater(repoId, repository, digest, gone, exceptTag, q);
      if (!doomed) continue;
      out.push({ digest: digest as Digest, why });
      for (const d of doomed) gone.add(d);
      next.push(...doomed);
    }
    level = next;
  }
  return out;
}

function* tagsOf(repoId: string, digests: readonly string[], limit: number): Q<Array<{ tag: string; digest: Digest }>> {
  const out: Array<{ tag: string; digest: Digest }> = [];
  for (const d of digests) {
    for (const tag of yield* tagNamesOf(repoId, d)) {
      if (out.length < limit) out.push({ tag, digest: d as Digest });
    }
  }
  return out;
}

/** Blobs the going manifests use that nothing else will hold: every user going, deleted with its repository, or out of its window. */
function* freedBytes(candidates: Iterable<string>, going: (repoId: string, digest: string) => boolean, q: PreviewQuery): Q<DeleteFacts['blobs']> {
  const purged = purgedBefore(q.restorableSince.getTime());
  const out = { count: 0, bytes: 0 };
  if (!q.bytes) return out;
  for (const digest of new Set(candidates)) {
    const freed = yield* freedBlob(digest, (u) => going(u.repo_id, u.digest) || purged(u));
    if (!freed) continue;
    out.count++;
    out.bytes += freed.size;
  }
  return out;
}

/** `SELECT ... WHERE repo_id = $1 AND <column> IN (list)` over any number of keys, a padded chunk at a time. */
function* inChunks<T>(sql: (inList: string) => string, repoId: string, keys: readonly string[]): Q<T[]> {
  const out: T[] = [];
  for (const list of chunks(keys)) {
    const params = padded(list);
    out.push(...(yield* all<T>(sql(placeholders(2, params.length)), repoId, ...params)));
  }
  return out;
}

function* blobsOf(repoId: string, digests: readonly string[]): Q<string[]> {
  const rows = yield* inChunks<{ d: string }>(
    (list) => `SELECT blob_digest AS d FROM manifest_blobs WHERE repo_id = $1 AND manifest_digest IN (${list})`,
    repoId,
    digests,
  );
  return rows.map((r) => r.d);
}

/** Manifests that go now (a manifest delete, a retention run's expiries): cascades, their pins, what they leave collectable. */
function* manifestsGo(repoId: string, repository: string, targets: readonly string[], q: PreviewQuery): Q<DeleteFacts> {
  // Set-based first (a retention preview names thousands): which targets are live, and which have live referrers.
  const live = new Set(
    (yield* inChunks<{ d: string }>(
      (list) => `SELECT digest AS d FROM manifests WHERE repo_id = $1 AND deleted_at IS NULL AND digest IN (${list})`,
      repoId,
      targets,
    )).map((r) => r.d),
  );
  const subjects = new Set(
    (yield* inChunks<{ d: string }>(
      (list) => `SELECT DISTINCT subject AS d FROM manifests WHERE repo_id = $1 AND deleted_at IS NULL AND subject IN (${list})`,
      repoId,
      [...live],
    )).map((r) => r.d),
  );
  const going = new Map<string, GoneWhy>();
  for (const t of targets) {
    if (going.has(t) || !live.has(t)) continue;
    const doomed = subjects.has(t) ? yield* cascade(repoId, t) : [t];
    for (const [i, d] of doomed.entries()) if (!going.has(d)) going.set(d, i === 0 ? 'target' : 'referrer');
  }
  const digests = [...going.keys()];
  // The children and subjects GC collects afterwards join `gone`: their blobs are freed too, by later passes.
  const gone = new Set<string>(digests);
  const collectable = q.bytes || q.detail ? yield* collectableAfter(repoId, repository, digests, gone, null, q) : [];
  const blobs = q.bytes ? yield* freedBytes(yield* blobsOf(repoId, [...gone]), (r, d) => r === repoId && gone.has(d), q) : { count: 0, bytes: 0 };
  if (!q.detail) return { tags: [], manifests: [], collectable: [], pins: [], blobs };
  const manifests: GoingManifest[] = [];
  for (const [d, why] of going) if (manifests.length < q.limit) manifests.push(toGoing((yield* liveRow(repoId, d))!, why));
  return {
    tags: yield* tagsOf(repoId, digests, q.limit),
    manifests,
    collectable: collectable.slice(0, q.limit),
    pins: yield* protectingPins(repoId, repository, digests, q.policy, q.at),
    blobs,
  };
}

/** A tag delete removes only the tag; its manifest goes later, by GC, only if nothing else then holds it. */
function* tagGoes(repoId: string, repository: string, tag: string, q: PreviewQuery): Q<DeleteFacts | null> {
  const digest = yield* tagTarget(repoId, tag);
  if (digest === undefined) return null;
  const top = yield* chainTop(repoId, digest);
  const later = (yield* collectedLater(repoId, repository, top, new Set(), tag, q)) ?? [];
  const manifests: GoingManifest[] = [];
  for (const [i, d] of later.entries()) manifests.push(toGoing((yield* liveRow(repoId, d))!, i === 0 ? 'untagged-by-tag-delete' : 'referrer'));
  const gone = new Set<string>(later);
  // An index left untagged takes its children with it, one GC round later: listed and counted as a digest delete's.
  const collectable = yield* collectableAfter(repoId, repository, later, gone, tag, q);
  return {
    tags: [{ tag, digest }],
    manifests,
    collectable: collectable.slice(0, q.limit),
    pins: [],
    blobs: yield* freedBytes(yield* blobsOf(repoId, [...gone]), (r, d) => r === repoId && gone.has(d), q),
  };
}

/** A repository delete takes everything in it, the trash included; the tombstone is purged by the next GC pass. */
function* repositoryGoes(repoId: string, repository: string, q: PreviewQuery): Q<DeleteFacts> {
  const limit = q.detail ? q.limit : 0;
  const rows = yield* all<Row & { held: number | null }>(
    `SELECT m.digest, m.media_type, m.artifact_type, m.size, m.subject,
            (SELECT 1 FROM manifest_children c WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest LIMIT 1) AS held
     FROM manifests m WHERE m.repo_id = $1 AND m.deleted_at IS NULL ORDER BY m.digest LIMIT $2`,
    repoId,
    limit,
  );
  const live = new Set(rows.map((r) => r.digest as string));
  const tags = yield* all<{ name: string; digest: Digest }>('SELECT name, digest FROM tags WHERE repo_id = $1 ORDER BY name LIMIT $2', repoId, limit);
  const candidates = q.bytes ? yield* all<{ d: string }>('SELECT DISTINCT blob_digest AS d FROM manifest_blobs WHERE repo_id = $1', repoId) : [];
  const pins: Pin[] = q.detail ? yield* repositoryPins(repoId, repository, q.policy, q.at) : [];
  return {
    tags: tags.map((t) => ({ tag: t.name, digest: t.digest })),
    manifests: rows.map((r) => toGoing(r, r.subject !== null && live.has(r.subject) ? 'referrer' : r.held !== null ? 'child' : 'target')),
    collectable: [],
    pins,
    blobs: yield* freedBytes(
      candidates.map((c) => c.d),
      (r) => r === repoId,
      q,
    ),
  };
}

export function* deletePreviewFacts(repository: string, target: DeleteTarget, q: PreviewQuery): Q<DeleteFacts | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  if ('tag' in target) return yield* tagGoes(repoId, repository, target.tag, q);
  if ('repository' in target) return yield* repositoryGoes(repoId, repository, q);
  if ('digest' in target && !(yield* liveRow(repoId, target.digest))) return null;
  return yield* manifestsGo(repoId, repository, 'digest' in target ? [target.digest] : target.digests, q);
}
