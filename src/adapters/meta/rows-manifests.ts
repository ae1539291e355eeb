// The manifest row, its columns and its summary mapper, shared so both stores describe a manifest identically.
import type { Digest, ManifestSummary, TagStatus } from '../../core/index.ts';

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
    digest: row.digest as Digest, mediaType: row.media_type, artifactType: row.artifact_type, subject: row.subject as Digest | null,
    annotations: row.annotations === null ? null : (JSON.parse(row.annotations) as Record<string, string>), size: row.size,
    pushedAt: new Date(row.pushed_at), lastPulledAt: row.last_pulled_at === null ? null : new Date(row.last_pulled_at),
  };
}
