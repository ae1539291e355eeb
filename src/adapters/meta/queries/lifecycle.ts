// Retention's storage: policies per repository and per namespace default, the push-order image stream the engine
// reads a keyset page at a time, and which digests the delete path's pin check would refuse (for the preview).
import type {
  Actor,
  Digest,
  LifecycleCursor,
  LifecycleImage,
  LifecyclePolicyWrite,
  Pin,
  PolicyScope,
  RetentionPolicy,
  StoredLifecyclePolicy,
} from '../../../core/index.ts';
import { all, get, type Q, run, traits } from '../sql/query.ts';
import { audit } from './audit.ts';
import { autoPin, MAX_DEPTH, PIN_COLUMNS, type PinRow, toPin } from './pins.ts';
import { liveRepoId } from './repo-rows.ts';

interface PolicyRow {
  id: number | string;
  scope: string;
  name: string;
  policy: string;
  updated_at: number;
  updated_by: string;
  evaluated_at: number | null;
  wire_text: string | null;
}

const POLICY_COLUMNS = 'id, scope, name, policy, updated_at, updated_by, evaluated_at, wire_text';

const toPolicy = (r: PolicyRow): StoredLifecyclePolicy => ({
  id: Number(r.id),
  scope: r.scope as PolicyScope,
  name: r.name,
  policy: JSON.parse(r.policy) as RetentionPolicy,
  updatedAt: new Date(r.updated_at),
  updatedBy: r.updated_by,
  evaluatedAt: r.evaluated_at === null ? null : new Date(Number(r.evaluated_at)),
  wireText: r.wire_text,
});

export function* findLifecyclePolicy(scope: PolicyScope, name: string): Q<StoredLifecyclePolicy | null> {
  const row = yield* get<PolicyRow>(`SELECT ${POLICY_COLUMNS} FROM lifecycle_policies WHERE scope = $1 AND name = $2`, scope, name);
  return row ? toPolicy(row) : null;
}

export function* listLifecyclePolicies(page: { after?: string | undefined; limit: number; scope?: PolicyScope | undefined }): Q<StoredLifecyclePolicy[]> {
  if (page.limit <= 0) return [];
  const [afterScope, afterName] = page.after === undefined ? ['', ''] : [page.after.split('\0')[0] ?? '', page.after.split('\0')[1] ?? ''];
  const rows = yield* all<PolicyRow>(
    `SELECT ${POLICY_COLUMNS} FROM lifecycle_policies WHERE (scope > $1 OR (scope = $1 AND name > $2)) AND ($3 = '' OR scope = $3)
      ORDER BY scope, name LIMIT $4`,
    afterScope,
    afterName,
    page.scope ?? '',
    page.limit,
  );
  return rows.map(toPolicy);
}

export function* putLifecyclePolicy(p: LifecyclePolicyWrite): Q<{ id: number; created: boolean }> {
  const existing = yield* get<{ id: number | string }>('SELECT id FROM lifecycle_policies WHERE scope = $1 AND name = $2', p.scope, p.name);
  if (existing && p.onlyIfAbsent) return { id: Number(existing.id), created: false };
  // The counter row's lock orders concurrent creates (PostgreSQL); a replacement keeps its id, so it draws none.
  if (!existing) yield* run('UPDATE lifecycle_policy_ids SET next = next + 1');
  const conflict = p.onlyIfAbsent
    ? 'DO NOTHING'
    : `DO UPDATE SET family = excluded.family, policy = excluded.policy, updated_at = excluded.updated_at,
      updated_by = excluded.updated_by, wire_text = excluded.wire_text`;
  const written = yield* run(
    `INSERT INTO lifecycle_policies (id, scope, name, family, policy, updated_at, updated_by, wire_text)
      VALUES ((SELECT next - 1 FROM lifecycle_policy_ids), $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scope, name) ${conflict}`,
    p.scope,
    p.name,
    p.policy.family,
    JSON.stringify(p.policy),
    p.at.getTime(),
    p.actor.principal,
    p.wireText ?? null,
  );
  const row = yield* get<{ id: number | string }>('SELECT id FROM lifecycle_policies WHERE scope = $1 AND name = $2', p.scope, p.name);
  if (written === 0) return { id: Number(row?.id), created: false };
  yield* audit(p.actor, p.at, 'lifecycle.put', p.scope === 'repository' ? p.name : null, `${p.scope}:${p.name}`, {
    family: p.policy.family,
    rules: p.policy.rules.length,
  });
  return { id: Number(row?.id), created: !existing };
}

export function* deleteLifecyclePolicy(scope: PolicyScope, name: string, actor: Actor, at: Date): Q<boolean> {
  const gone = yield* run('DELETE FROM lifecycle_policies WHERE scope = $1 AND name = $2', scope, name);
  if (gone > 0) yield* audit(actor, at, 'lifecycle.delete', scope === 'repository' ? name : null, `${scope}:${name}`);
  return gone > 0;
}

export function* markLifecycleEvaluated(scope: PolicyScope, name: string, at: Date): Q<void> {
  yield* run('UPDATE lifecycle_policies SET evaluated_at = $1 WHERE scope = $2 AND name = $3', at.getTime(), scope, name);
}

interface ImageRow {
  digest: string;
  pushed_at: number;
  last_pulled_at: number | null;
}

/** One page of images (no referrers, no children of a live index) in push order, then their tags in one query. */
export function* listLifecycleImages(repository: string, page: { after?: LifecycleCursor | undefined; limit: number }): Q<LifecycleImage[]> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined || page.limit <= 0) return [];
  const afterAt = page.after?.pushedAt.getTime() ?? -1;
  const afterDigest = page.after?.digest ?? '';
  const selection = `FROM manifests m WHERE m.repo_id = $1 AND m.deleted_at IS NULL AND m.subject IS NULL
      AND (m.pushed_at > $2 OR (m.pushed_at = $2 AND m.digest > $3))
      AND NOT EXISTS (SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
                      AND p.deleted_at IS NULL WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest)
      ORDER BY m.pushed_at, m.digest LIMIT $4`;
  const rows = yield* all<ImageRow>(`SELECT m.digest, m.pushed_at, m.last_pulled_at ${selection}`, repoId, afterAt, afterDigest, page.limit);
  if (rows.length === 0) return [];
  const tags = yield* all<{ digest: string; name: string; updated_at: number }>(
    `SELECT t.digest, t.name, t.updated_at FROM tags t WHERE t.repo_id = $1 AND t.digest IN (SELECT m.digest ${selection}) ORDER BY t.digest, t.name`,
    repoId,
    afterAt,
    afterDigest,
    page.limit,
  );
  const byDigest = new Map<string, Array<{ name: string; pushedAt: Date }>>();
  for (const t of tags) {
    const list = byDigest.get(t.digest) ?? [];
    list.push({ name: t.name, pushedAt: new Date(t.updated_at) });
    byDigest.set(t.digest, list);
  }
  return rows.map((r) => ({
    digest: r.digest as Digest,
    pushedAt: new Date(r.pushed_at),
    lastPulledAt: r.last_pulled_at === null ? null : new Date(r.last_pulled_at),
    tags: byDigest.get(r.digest) ?? [],
  }));
}

/** More pins than this in one repository are not a deployment list any more; the apply step re-checks anyway. */
const MAX_SEEDS = 10_000;

export function* lifecycleProtection(repository: string, at: Date, pulledSince: Date | null): Q<Array<{ digest: Digest; pins: Pin[] }>> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return [];
  const e = yield* traits();
  const seeds = (yield* all<PinRow>(
    `SELECT ${PIN_COLUMNS} FROM pins p JOIN repositories r ON r.id = p.repo_id
      JOIN manifests m ON m.repo_id = p.repo_id AND m.digest = p.digest AND m.deleted_at IS NULL
      WHERE p.repo_id = $1 AND (p.expires_at IS NULL OR p.expires_at > $2) ORDER BY p.id LIMIT $3`,
    repoId,
    at.getTime(),
    MAX_SEEDS,
  )).map(toPin);
  if (pulledSince !== null) {
    const pulled = yield* all<{ digest: string; last_pulled_at: number }>(
      'SELECT digest, last_pulled_at FROM manifests WHERE repo_id = $1 AND deleted_at IS NULL AND last_pulled_at >= $2 ORDER BY digest LIMIT $3',
      repoId,
      pulledSince.getTime(),
      MAX_SEEDS,
    );
    for (const m of pulled) seeds.push(autoPin(repository, m.digest, m.last_pulled_at, at.getTime() - pulledSince.getTime()));
  }
  const protectedBy = new Map<string, Pin[]>();
  const add = (digest: string, pin: Pin): void => {
    const list = protectedBy.get(digest) ?? [];
    if (!list.some((p) => p.id === pin.id && p.digest === pin.digest)) list.push(pin);
    protectedBy.set(digest, list);
  };
  for (const pin of seeds) {
    // A pin protects its manifest and every child below it (the delete checks the indexes above what it removes) ...
    const below = yield* all<{ digest: string }>(
      `WITH RECURSIVE down(digest, depth) AS (
          SELECT ${e.textParam('$1')}, 0
          UNION SELECT c.child_digest, down.depth + 1 FROM down ${e.orderedJoin} manifest_children c ON c.repo_id = $2 AND c.parent_digest = down.digest
          WHERE down.depth < ${MAX_DEPTH})
        SELECT DISTINCT digest FROM down`,
      pin.digest,
      repoId,
    );
    // ... and each subject above those: deleting a subject takes its referrers along, so their pins refuse it.
    for (const b of below) {
      const above = yield* all<{ digest: string }>(
        `WITH RECURSIVE up(digest, depth) AS (
            SELECT ${e.textParam('$1')}, 0
            UNION SELECT m.subject, up.depth + 1 FROM manifests m JOIN up ON m.repo_id = $2 AND m.digest = up.digest AND m.deleted_at IS NULL
            WHERE m.subject IS NOT NULL AND up.depth < ${MAX_DEPTH})
          SELECT DISTINCT digest FROM up`,
        b.digest,
        repoId,
      );
      for (const a of above) add(a.digest, pin);
    }
  }
  return [...protectedBy].map(([digest, pins]) => ({ digest: digest as Digest, pins }));
}

export function* pullsRecordedSince(): Q<Date> {
  const row = yield* get<{ started_at: number }>('SELECT MIN(started_at) AS started_at FROM pull_recording');
  return new Date(row?.started_at ?? 0);
}
