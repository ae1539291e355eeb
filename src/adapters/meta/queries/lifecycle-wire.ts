// What the ECR and SWR retention APIs keep beyond the policy: each repository's last ECR preview (computed when
// started, so every replica answers the same) and the removal records runs leave for SWR's ListRetentionHistories.
import type { Digest, PreviewEntry, RemovalRecord, StoredLifecyclePreview } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';

interface PreviewRow {
  repository: string;
  policy_text: string;
  started_at: number;
  expiring: string;
}

interface StoredEntry {
  digest: string;
  tags: string[];
  pushedAt: number;
  priority: number;
}

export function* saveLifecyclePreview(p: StoredLifecyclePreview): Q<void> {
  const expiring: StoredEntry[] = p.expiring.map((e) => ({ digest: e.digest, tags: e.tags, pushedAt: e.pushedAt.getTime(), priority: e.priority }));
  yield* run(
    `INSERT INTO lifecycle_previews (repository, policy_text, started_at, expiring) VALUES ($1, $2, $3, $4)
      ON CONFLICT (repository) DO UPDATE SET policy_text = excluded.policy_text, started_at = excluded.started_at, expiring = excluded.expiring`,
    p.repository,
    p.policyText,
    p.startedAt.getTime(),
    JSON.stringify(expiring),
  );
}

export function* findLifecyclePreview(repository: string): Q<StoredLifecyclePreview | null> {
  const row = yield* get<PreviewRow>('SELECT repository, policy_text, started_at, expiring FROM lifecycle_previews WHERE repository = $1', repository);
  if (!row) return null;
  const expiring = (JSON.parse(row.expiring) as StoredEntry[]).map(
    (e): PreviewEntry => ({ digest: e.digest as Digest, tags: e.tags, pushedAt: new Date(e.pushedAt), priority: e.priority }),
  );
  return { repository: row.repository, policyText: row.policy_text, startedAt: new Date(Number(row.started_at)), expiring };
}

export function* deleteLifecyclePreview(repository: string): Q<boolean> {
  return (yield* run('DELETE FROM lifecycle_previews WHERE repository = $1', repository)) > 0;
}

interface RemovalRow {
  id: number | string;
  repository: string;
  policy_id: number | string;
  at: number | string;
  digest: string;
  tag: string | null;
  verdict: string;
  rule: string;
}

export function* recordLifecycleRemovals(records: readonly Omit<RemovalRecord, 'id'>[], keep: number): Q<void> {
  const repositories = new Set<string>();
  for (const r of records) {
    repositories.add(r.repository);
    yield* run(
      'INSERT INTO lifecycle_removals (repository, policy_id, at, digest, tag, verdict, rule) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      r.repository,
      r.policyId,
      r.at.getTime(),
      r.digest,
      r.tag,
      r.verdict,
      JSON.stringify(r.rule),
    );
  }
  for (const repository of repositories) {
    const edge = yield* get<{ id: number | string }>(
      'SELECT id FROM lifecycle_removals WHERE repository = $1 ORDER BY id DESC LIMIT 1 OFFSET $2',
      repository,
      Math.max(0, keep),
    );
    if (edge) yield* run('DELETE FROM lifecycle_removals WHERE repository = $1 AND id <= $2', repository, Number(edge.id));
  }
}

export function* listLifecycleRemovals(repository: string, page: { offset: number; limit: number }): Q<{ records: RemovalRecord[]; total: number }> {
  const count = yield* get<{ n: number | string }>('SELECT COUNT(*) AS n FROM lifecycle_removals WHERE repository = $1', repository);
  if (page.limit <= 0) return { records: [], total: Number(count?.n ?? 0) };
  const rows = yield* all<RemovalRow>(
    `SELECT id, repository, policy_id, at, digest, tag, verdict, rule FROM lifecycle_removals WHERE repository = $1
      ORDER BY id DESC LIMIT $2 OFFSET $3`,
    repository,
    page.limit,
    page.offset,
  );
  const records = rows.map(
    (r): RemovalRecord => ({
      id: Number(r.id),
      repository: r.repository,
      policyId: Number(r.policy_id),
      at: new Date(Number(r.at)),
      digest: r.digest as Digest,
      tag: r.tag,
      verdict: r.verdict as RemovalRecord['verdict'],
      rule: JSON.parse(r.rule) as RemovalRecord['rule'],
    }),
  );
  return { records, total: Number(count?.n ?? 0) };
}
