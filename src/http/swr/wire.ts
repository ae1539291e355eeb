// The SWR shapes berth answers with: RFC 3339 UTC times, numeric ids (SWR's are integers; berth derives stable ones
// from its own ids), and path/internal_path pointing at berth itself, so `docker pull <path>` works as printed.
import { createHash } from 'node:crypto';
import { imageFacts, type RepositorySummary, type StoredManifest, type TagDetail } from '../../core/index.ts';

/** RFC 3339 in UTC, as SWR writes its times. */
export function rfc3339(d: Date): string {
  return d.toISOString();
}

/** A stable positive integer for a berth id or name (48 bits: exact in JSON and in JavaScript). */
export function numericId(text: string): number {
  return createHash('sha256').update(text, 'utf8').digest().readUIntBE(0, 6);
}

/**
 * What SWR keeps about a repository that berth has no column for, stored in its settings under "swr" — except the
 * description, kept at the top of the settings where every dialect (NCR's image description too) reads and writes it.
 */
export interface SwrRepoSettings {
  is_public: boolean;
  category: string;
  description: string;
  creator_name: string;
}

export function swrSettings(settings: Record<string, unknown> | undefined): SwrRepoSettings {
  const s = (settings?.swr ?? {}) as Partial<Record<keyof SwrRepoSettings, unknown>>;
  return {
    is_public: s.is_public === true,
    category: typeof s.category === 'string' ? s.category : 'other',
    description: typeof settings?.description === 'string' ? settings.description : typeof s.description === 'string' ? s.description : '',
    creator_name: typeof s.creator_name === 'string' ? s.creator_name : '',
  };
}

export interface RepoView {
  summary: RepositorySummary;
  settings: SwrRepoSettings;
  namespace: string;
  /** The name inside the namespace, with slashes ("team/app"). */
  repository: string;
  host: string;
}

/** showRepository's body. num_images counts tags, as SWR counts images. */
export function repositoryShape(v: RepoView): Record<string, unknown> {
  const { summary: s } = v;
  return {
    id: numericId(s.id),
    ns_id: numericId(`namespace:${v.namespace}`),
    name: v.repository,
    category: v.settings.category,
    description: v.settings.description,
    creator_id: v.settings.creator_name,
    creator_name: v.settings.creator_name,
    size: s.blobBytes,
    is_public: v.settings.is_public,
    num_images: s.tagCount,
    num_download: 0,
    url: '',
    path: `${v.host}/${s.name}`,
    internal_path: `${v.host}/${s.name}`,
    created: rfc3339(s.createdAt),
    updated: rfc3339(s.updatedAt),
    domain_id: 'berth',
    priority: 0,
  };
}

/** One entry of listReposDetails (v2 and v3). */
export function repositoryListEntry(v: RepoView, tags: string[]): Record<string, unknown> {
  const { summary: s } = v;
  return {
    name: v.repository,
    category: v.settings.category,
    description: v.settings.description,
    size: s.blobBytes,
    is_public: v.settings.is_public,
    num_images: s.tagCount,
    num_download: 0,
    created_at: rfc3339(s.createdAt),
    updated_at: rfc3339(s.updatedAt),
    logo: '',
    url: '',
    path: `${v.host}/${s.name}`,
    internal_path: `${v.host}/${s.name}`,
    domain_name: 'berth',
    namespace: v.namespace,
    tags,
    status: false,
    total_range: 0,
  };
}

function imageIdOf(m: StoredManifest): string {
  try {
    const doc = JSON.parse(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength).toString('utf8')) as { config?: { digest?: unknown } };
    if (typeof doc.config?.digest === 'string') return doc.config.digest.replace(/^sha256:/, '');
  } catch {
    // an unreadable body has no config; fall back to the manifest digest
  }
  return m.digest.replace(/^sha\d+:/, '');
}

/** A tag as SWR shows it; the v2 list spells the tag "Tag", showRepoTag "tag". */
export function tagShape(o: {
  detail: TagDetail;
  manifest: StoredManifest | null;
  repository: string;
  repoId: string;
  host: string;
  tagKey: 'Tag' | 'tag';
}): Record<string, unknown> {
  const { detail: d, manifest: m } = o;
  const text = m === null ? '' : Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength).toString('utf8');
  const schema = (() => {
    try {
      return (JSON.parse(text) as { schemaVersion?: unknown }).schemaVersion === 1 ? 1 : 2;
    } catch {
      return 2;
    }
  })();
  return {
    id: numericId(`${o.repoId}:${d.tag}`),
    repo_id: numericId(o.repoId),
    [o.tagKey]: d.tag,
    image_id: m === null ? '' : imageIdOf(m),
    manifest: text,
    digest: d.digest,
    schema,
    path: `${o.host}/${o.repository}:${d.tag}`,
    internal_path: `${o.host}/${o.repository}:${d.tag}`,
    size: imageFacts({ mediaType: d.mediaType, artifactType: d.artifactType, size: d.manifestSize }, m?.body ?? null).size,
    is_trusted: false,
    created: rfc3339(d.pushedAt),
    updated: rfc3339(d.taggedAt),
    deleted: null,
    domain_id: 'berth',
    scanned: false,
    tag_type: 0,
  };
}
