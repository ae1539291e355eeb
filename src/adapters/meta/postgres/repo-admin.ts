// Repository administration: explicit creation with settings and resource tags, tag mutability, policy and tag
// changes in one transaction each, and the image listings (manifests with their tags) the cloud APIs page through.
import type {
  Actor, CreateRepositoryOutcome, Digest, ImageSummary, NewRepository, Repository, RepositoryChange, RepositoryExtras, TagStatus,
} from '../../../core/index.ts';
import { MANIFEST_COLUMNS, TAGGED, toManifestSummary, type ManifestRow } from '../rows-manifests.ts';
import { toRepository, toRepositoryExtras, type ExtrasRow } from '../rows-repositories.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';
import { ensureRepo, liveRepo } from './repo-rows.ts';

export function createRepository(db: Db, r: NewRepository): Promise<CreateRepositoryOutcome> {
  return db.tx(async (t): Promise<CreateRepositoryOutcome> => {
    const existing = await liveRepo(t, r.name);
    if (existing) return { kind: 'exists', repository: toRepository(existing) };
    const row = await ensureRepo(t, r.name, r.at);
    await t.run('UPDATE repositories SET tag_mutability = $1, settings = $2 WHERE id = $3', r.tagMutability, JSON.stringify(r.settings), row.id);
    for (const [key, value] of Object.entries(r.resourceTags)) await t.run('INSERT INTO repository_tags (repo_id, key, value) VALUES ($1, $2, $3)', row.id, key, value);
    await audit(t, r.actor, r.at, 'repository.create', r.name, row.id, { tagMutability: r.tagMutability });
    return { kind: 'created', repository: toRepository({ ...row, tag_mutability: r.tagMutability }) };
  });
}

export function updateRepository(db: Db, name: string, c: RepositoryChange, actor: Actor, at: Date): Promise<Repository | null> {
  return db.tx(async (t) => {
    const row = await liveRepo(t, name);
    if (!row) return null;
    if (c.tagMutability !== undefined) await t.run('UPDATE repositories SET tag_mutability = $1 WHERE id = $2', c.tagMutability, row.id);
    if (c.settings !== undefined) await t.run('UPDATE repositories SET settings = $1 WHERE id = $2', JSON.stringify(c.settings), row.id);
    if (c.policy !== undefined) await t.run('UPDATE repositories SET policy = $1 WHERE id = $2', c.policy, row.id);
    for (const [key, value] of Object.entries(c.setTags ?? {})) {
      await t.run(`INSERT INTO repository_tags (repo_id, key, value) VALUES ($1, $2, $3)
                   ON CONFLICT (repo_id, key) DO UPDATE SET value = excluded.value`, row.id, key, value);
    }
    for (const key of c.removeTags ?? []) await t.run('DELETE FROM repository_tags WHERE repo_id = $1 AND key = $2', row.id, key);
    const changed = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined).map(([k]) => [k, true]));
    await audit(t, actor, at, 'repository.update', name, row.id, changed);
    return toRepository({ ...row, tag_mutability: c.tagMutability ?? row.tag_mutability });
  });
}

export async function repositoryExtras(db: Sql, name: string): Promise<RepositoryExtras | null> {
  const row = await db.get<ExtrasRow>('SELECT id, settings, policy FROM repositories WHERE name = $1 AND deleted_at IS NULL', name);
  if (!row) return null;
  const tags = await db.all<{ key: string; value: string }>('SELECT key, value FROM repository_tags WHERE repo_id = $1 ORDER BY key', row.id);
  return toRepositoryExtras(row, tags);
}

async function withTags(db: Sql, repoId: string, rows: ManifestRow[]): Promise<ImageSummary[]> {
  const out: ImageSummary[] = [];
  for (const r of rows) {
    const tags = await db.all<{ name: string }>('SELECT name FROM tags WHERE repo_id = $1 AND digest = $2 ORDER BY name', repoId, r.digest);
    out.push({ ...toManifestSummary(r), tags: tags.map((t) => t.name) });
  }
  return out;
}

export async function listImages(db: Sql, repository: string, q: { tagStatus: TagStatus; after?: Digest | undefined; limit: number }): Promise<ImageSummary[] | null> {
  const repo = await liveRepo(db, repository);
  if (!repo) return null;
  if (q.limit <= 0) return [];
  const rows = await db.all<ManifestRow>(`SELECT ${MANIFEST_COLUMNS} FROM manifests m WHERE m.repo_id = $1 AND m.deleted_at IS NULL AND m.digest > $2 ${TAGGED[q.tagStatus]}
                     ORDER BY m.digest LIMIT $3`, repo.id, q.after ?? '', q.limit);
  return withTags(db, repo.id, rows);
}

export async function findImages(db: Sql, repository: string, digests: readonly Digest[]): Promise<ImageSummary[]> {
  const repo = await liveRepo(db, repository);
  if (!repo) return [];
  const rows: ManifestRow[] = [];
  for (const d of new Set(digests)) {
    const row = await db.get<ManifestRow>(`SELECT ${MANIFEST_COLUMNS} FROM manifests m WHERE m.repo_id = $1 AND m.digest = $2 AND m.deleted_at IS NULL`, repo.id, d);
    if (row) rows.push(row);
  }
  return withTags(db, repo.id, rows);
}

export async function indexParents(db: Sql, repository: string, digest: Digest): Promise<Digest[]> {
  return (await db.all<{ d: Digest }>(`SELECT c.parent_digest AS d FROM repositories r
                JOIN manifest_children c ON c.repo_id = r.id AND c.child_digest = $1
                JOIN manifests m ON m.repo_id = c.repo_id AND m.digest = c.parent_digest AND m.deleted_at IS NULL
                WHERE r.name = $2 AND r.deleted_at IS NULL ORDER BY c.parent_digest LIMIT 100`, digest, repository)).map((r) => r.d);
}
