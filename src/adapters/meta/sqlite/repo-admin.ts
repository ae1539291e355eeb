// Repository administration: explicit creation with settings and resource tags, tag mutability, policy and tag
// changes in one transaction each, and the image listings (manifests with their tags) the cloud APIs page through.
import type {
  Actor, CreateRepositoryOutcome, Digest, ImageSummary, NewRepository, Repository, RepositoryChange, RepositoryExtras, TagStatus,
} from '../../../core/index.ts';
import { MANIFEST_COLUMNS, TAGGED, toManifestSummary, type ManifestRow } from '../rows-manifests.ts';
import { toRepository, toRepositoryExtras, type ExtrasRow } from '../rows-repositories.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { ensureRepo, liveRepo } from './repo-rows.ts';

export function createRepository(db: Db, r: NewRepository): CreateRepositoryOutcome {
  return db.tx((): CreateRepositoryOutcome => {
    const existing = liveRepo(db, r.name);
    if (existing) return { kind: 'exists', repository: toRepository(existing) };
    const row = ensureRepo(db, r.name, r.at);
    db.q('UPDATE repositories SET tag_mutability = ?, settings = ? WHERE id = ?').run(r.tagMutability, JSON.stringify(r.settings), row.id);
    const put = db.q('INSERT INTO repository_tags (repo_id, key, value) VALUES (?, ?, ?)');
    for (const [key, value] of Object.entries(r.resourceTags)) put.run(row.id, key, value);
    audit(db, r.actor, r.at, 'repository.create', r.name, row.id, { tagMutability: r.tagMutability });
    return { kind: 'created', repository: toRepository({ ...row, tag_mutability: r.tagMutability }) };
  });
}

export function updateRepository(db: Db, name: string, c: RepositoryChange, actor: Actor, at: Date): Repository | null {
  return db.tx(() => {
    const row = liveRepo(db, name);
    if (!row) return null;
    if (c.tagMutability !== undefined) db.q('UPDATE repositories SET tag_mutability = ? WHERE id = ?').run(c.tagMutability, row.id);
    if (c.settings !== undefined) db.q('UPDATE repositories SET settings = ? WHERE id = ?').run(JSON.stringify(c.settings), row.id);
    if (c.policy !== undefined) db.q('UPDATE repositories SET policy = ? WHERE id = ?').run(c.policy, row.id);
    const put = db.q(`INSERT INTO repository_tags (repo_id, key, value) VALUES (?, ?, ?)
                      ON CONFLICT (repo_id, key) DO UPDATE SET value = excluded.value`);
    for (const [key, value] of Object.entries(c.setTags ?? {})) put.run(row.id, key, value);
    const drop = db.q('DELETE FROM repository_tags WHERE repo_id = ? AND key = ?');
    for (const key of c.removeTags ?? []) drop.run(row.id, key);
    const changed = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined).map(([k]) => [k, true]));
    audit(db, actor, at, 'repository.update', name, row.id, changed);
    return toRepository({ ...row, tag_mutability: c.tagMutability ?? row.tag_mutability });
  });
}

export function repositoryExtras(db: Db, name: string): RepositoryExtras | null {
  const row = db.q('SELECT id, settings, policy FROM repositories WHERE name = ? AND deleted_at IS NULL').get(name) as ExtrasRow | undefined;
  if (!row) return null;
  const tags = db.q('SELECT key, value FROM repository_tags WHERE repo_id = ? ORDER BY key').all(row.id) as Array<{ key: string; value: string }>;
  return toRepositoryExtras(row, tags);
}

function withTags(db: Db, repoId: string, rows: ManifestRow[]): ImageSummary[] {
  const tagsOf = db.q('SELECT name FROM tags WHERE repo_id = ? AND digest = ? ORDER BY name');
  return rows.map((r) => ({ ...toManifestSummary(r), tags: (tagsOf.all(repoId, r.digest) as Array<{ name: string }>).map((t) => t.name) }));
}

export function listImages(db: Db, repository: string, q: { tagStatus: TagStatus; after?: Digest | undefined; limit: number }): ImageSummary[] | null {
  const repo = liveRepo(db, repository);
  if (!repo) return null;
  if (q.limit <= 0) return [];
  const rows = db.q(`SELECT ${MANIFEST_COLUMNS} FROM manifests m WHERE m.repo_id = ? AND m.deleted_at IS NULL AND m.digest > ? ${TAGGED[q.tagStatus]}
                     ORDER BY m.digest LIMIT ?`).all(repo.id, q.after ?? '', q.limit) as ManifestRow[];
  return withTags(db, repo.id, rows);
}

export function findImages(db: Db, repository: string, digests: readonly Digest[]): ImageSummary[] {
  const repo = liveRepo(db, repository);
  if (!repo) return [];
  const one = db.q(`SELECT ${MANIFEST_COLUMNS} FROM manifests m WHERE m.repo_id = ? AND m.digest = ? AND m.deleted_at IS NULL`);
  const rows = [...new Set(digests)].map((d) => one.get(repo.id, d) as ManifestRow | undefined).filter((r): r is ManifestRow => r !== undefined);
  return withTags(db, repo.id, rows);
}

export function indexParents(db: Db, repository: string, digest: Digest): Digest[] {
  return (db.q(`SELECT c.parent_digest AS d FROM repositories r
                CROSS JOIN manifest_children c ON c.repo_id = r.id AND c.child_digest = ?
                CROSS JOIN manifests m ON m.repo_id = c.repo_id AND m.digest = c.parent_digest AND m.deleted_at IS NULL
                WHERE r.name = ? AND r.deleted_at IS NULL ORDER BY c.parent_digest LIMIT 100`).all(digest, repository) as Array<{ d: Digest }>).map((r) => r.d);
}
