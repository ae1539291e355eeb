// What the end-of-run checks read from the metadata, through the store's own ports (openRegistry with the servers'
// config) instead of SQL against one SQLite file, so the same checks hold for any backend the replicas share.
import type { AuditEvent, Digest, RegistryDeps } from '../../src/core/index.ts';

export interface LiveManifest {
  repository: string;
  digest: Digest;
}

const PAGE = 1000;
/** Bounds every listing (pages of 1,000): far above what a torture run writes. */
const MAX_PAGES = 1000;

export async function liveRepositories(deps: RegistryDeps): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0, after: string | undefined; i < MAX_PAGES; i++) {
    const page = await deps.meta.listRepositories({ after, limit: PAGE });
    out.push(...page);
    if (page.length < PAGE) break;
    after = page.at(-1);
  }
  return out;
}

/** Every live manifest of every live repository (tagged or not, index children and referrers included). */
export async function liveManifests(deps: RegistryDeps): Promise<LiveManifest[]> {
  const out: LiveManifest[] = [];
  for (const repository of await liveRepositories(deps)) {
    for (let i = 0, after: Digest | undefined; i < MAX_PAGES; i++) {
      const page = (await deps.meta.listImages(repository, { tagStatus: 'ANY', after, limit: PAGE })) ?? [];
      for (const m of page) out.push({ repository, digest: m.digest });
      if (page.length < PAGE) break;
      after = page.at(-1)!.digest;
    }
  }
  return out;
}

/** The config and layer digests a manifest body names (what its blob references are). */
export function blobsOf(body: Uint8Array): Array<{ digest: string; size: number }> {
  const doc = JSON.parse(Buffer.from(body).toString('utf8')) as {
    config?: { digest: string; size: number };
    layers?: Array<{ digest: string; size: number }>;
    blobs?: Array<{ digest: string; size: number }>;
  };
  return [...(doc.config ? [doc.config] : []), ...(doc.layers ?? []), ...(doc.blobs ?? [])];
}

async function* audit(deps: RegistryDeps, filter: { repository?: string; action?: string }): AsyncGenerator<AuditEvent> {
  for (let i = 0, before: number | undefined; i < MAX_PAGES; i++) {
    const page = await deps.meta.listAudit({ ...filter, before, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    before = page.at(-1)!.id;
  }
}

/** The last audit event that removed `digest` in `repository`: who took an acknowledged tag away, and as part of what. */
export async function explain(deps: RegistryDeps, repository: string, digest: string): Promise<string> {
  try {
    for await (const e of audit(deps, { repository })) {
      if (e.action === 'manifest.put') continue;
      if (e.target !== digest && !JSON.stringify(e.detail ?? {}).includes(digest)) continue;
      const cascade = e.target !== digest ? ' (it was in the cascade of that delete, not its target)' : '';
      return `audit event #${e.id}: ${e.principal} ${e.action} ${e.target}${cascade}`;
    }
    return 'no audit event removed it';
  } catch (e) {
    return `(audit unreadable: ${(e as Error).message})`;
  }
}

/** Manifests online GC trashed (each is an audit event of the principal "gc"). */
export async function countGcAudit(deps: RegistryDeps): Promise<number> {
  let n = 0;
  for await (const e of audit(deps, { action: 'manifest.gc' })) if (e.principal === 'gc' && e.action === 'manifest.gc') n++;
  return n;
}

/** Blob rows that no live manifest of a live repository names. */
export async function unusedBlobs(deps: RegistryDeps, limit = 20): Promise<Digest[]> {
  const used = new Set<string>();
  for (const m of await liveManifests(deps)) {
    const stored = await deps.meta.getManifest(m.repository, { digest: m.digest });
    if (stored) for (const b of blobsOf(stored.body)) used.add(b.digest);
  }
  const out: Digest[] = [];
  for (let i = 0, after: Digest | undefined; i < MAX_PAGES && out.length < limit; i++) {
    const page = await deps.meta.listBlobRecords(after, PAGE);
    for (const b of page) if (!used.has(b.digest) && out.length < limit) out.push(b.digest);
    if (page.length < PAGE) break;
    after = page.at(-1)!.digest;
  }
  return out;
}

/** What must be gone after GC to a fixpoint with grace 0 and restore window 0. */
export async function leftovers(deps: RegistryDeps): Promise<Record<'trashed' | 'tombstones' | 'uploads' | 'purges', number>> {
  const at = new Date();
  const stats = await deps.meta.gcStats({ at, releasedBefore: at, trashedBefore: at });
  const uploads = await deps.meta.listIdleUploads(new Date(at.getTime() + 365 * 86_400_000), 1000);
  return { trashed: stats.trashedManifests, tombstones: stats.deletedRepositories, uploads: uploads.length, purges: stats.purging };
}
