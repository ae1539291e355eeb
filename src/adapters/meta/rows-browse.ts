// The cloud APIs' repository-summary and tag-detail SQL and mappers, shared: the two stores differ only in the filters they append.
import type { Digest, RepositorySummary, TagDetail } from '../../core/index.ts';
import { toRepository, type RepoRow } from './rows-repositories.ts';

export interface SummaryRow extends RepoRow {
  manifests: number; tags: number; blob_bytes: number | null; last_push: number | null; last_tag: number | null; last_pull: number | null;
  last_delete: number | null; last_untag: number | null;
}

/** Per-repository counts, sizes and times by index probes (never a scan of the registry); callers append `AND ...`. */
export const SUMMARY = `SELECT r.id, r.name, r.artifact_kind, r.tag_mutability, r.created_at,
    (SELECT COUNT(*) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS manifests,
    (SELECT COUNT(*) FROM tags t WHERE t.repo_id = r.id) AS tags,
    (SELECT SUM(b.size) FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest WHERE rb.repo_id = r.id) AS blob_bytes,
    (SELECT MAX(m.pushed_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_push,
    (SELECT MAX(t.updated_at) FROM tags t WHERE t.repo_id = r.id) AS last_tag,
    (SELECT MAX(m.last_pulled_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_pull,
    (SELECT MAX(m.deleted_at) FROM manifests m WHERE m.repo_id = r.id) AS last_delete,
    (SELECT MAX(dt.deleted_at) FROM deleted_tags dt WHERE dt.repo_id = r.id) AS last_untag
  FROM repositories r WHERE r.deleted_at IS NULL`;

export function toSummary(r: SummaryRow): RepositorySummary {
  return {
    ...toRepository(r),
    // Deletes count as changes too, so the time never moves backwards when the newest content goes.
    updatedAt: new Date(Math.max(r.created_at, r.last_push ?? 0, r.last_tag ?? 0, r.last_delete ?? 0, r.last_untag ?? 0)),
    manifestCount: r.manifests, tagCount: r.tags, blobBytes: r.blob_bytes ?? 0,
    lastPulledAt: r.last_pull === null ? null : new Date(r.last_pull),
  };
}

export interface TagRow {
  name: string; digest: string; media_type: string; artifact_type: string | null; size: number; updated_at: number; pushed_at: number; last_pulled_at: number | null;
}

/** Tags joined to live manifests only; callers append `WHERE t.repo_id = <param> ...`. */
export const TAG_DETAIL = `SELECT t.name, t.digest, m.media_type, m.artifact_type, m.size, t.updated_at, m.pushed_at, m.last_pulled_at
  FROM tags t JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest AND m.deleted_at IS NULL`;

export function toTagDetail(r: TagRow): TagDetail {
  return {
    tag: r.name, digest: r.digest as Digest, mediaType: r.media_type, artifactType: r.artifact_type, manifestSize: r.size,
    taggedAt: new Date(r.updated_at), pushedAt: new Date(r.pushed_at), lastPulledAt: r.last_pulled_at === null ? null : new Date(r.last_pulled_at),
  };
}
