// What a delete would take and what GC then gives back, and when: one answer for the berth API, `berth image rm
// --dry-run`, `berth repo rm --dry-run` and the retention preview, read with the delete's own rules (pins, cascade,
// what GC collects) so the preview is exactly what the delete then does (docs/DELETION.md "Previewing a delete").
import { RegistryError } from '../errors.ts';
import type { Digest } from '../model/digest.ts';
import { isDigest } from '../model/digest.ts';
import { parseTag } from '../model/names.ts';
import type { Pin } from '../model/records.ts';
import type { CollectableManifest, DeleteTarget, GoingManifest } from '../ports/delete-preview.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';
import { pinPolicy } from './pin-policy.ts';

/** Entries listed per kind; counts and bytes always cover everything. */
export const PREVIEW_LISTED = 1000;

export type PreviewTarget = { kind: 'tag'; tag: string } | { kind: 'manifest'; digest: Digest } | { kind: 'repository' };

export interface DeletePreview {
  repository: string;
  target: PreviewTarget;
  tags: Array<{ tag: string; digest: Digest }>;
  manifests: GoingManifest[];
  collectable: CollectableManifest[];
  pins: Pin[];
  blocked: boolean;
  canBreakPins: boolean;
  bytes: { reclaimable: number; blobs: number; from: Date };
  /** Until when `restore` brings it back; null when it cannot (a repository delete, or a zero restore window). */
  restorableUntil: Date | null;
}

export type PreviewDeps = UsesMeta<'deletePreviewFacts'> & Pick<RegistryDeps, 'clock' | 'deletion'>;

/**
 * The earliest time GC can have removed the bytes. A trashed manifest is purged once the restore window is over, and
 * the blobs it held wait one grace period more; a tag delete first waits a grace period for GC to trash the manifest
 * it left untagged; a deleted repository is purged by the next pass, its blobs one grace period later.
 */
export function bytesFrom(deps: Pick<RegistryDeps, 'deletion'>, kind: PreviewTarget['kind'], at: Date): Date {
  const { restoreWindowMs: window, gcGraceMs: grace } = deps.deletion;
  const wait = kind === 'repository' ? grace : kind === 'tag' ? 2 * grace + window : window + grace;
  return new Date(at.getTime() + wait);
}

/** `{tag}` | `{digest}` | nothing (the repository), as the API and CLI name a delete. */
export function previewTarget(ref: { tag?: string | undefined; digest?: string | undefined }): PreviewTarget {
  if (ref.tag !== undefined && ref.digest !== undefined) throw new RegistryError('INVALID_REQUEST', 'give "tag" or "digest", not both');
  if (ref.tag !== undefined) return { kind: 'tag', tag: parseTag(ref.tag) };
  if (ref.digest !== undefined) {
    if (!isDigest(ref.digest)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${ref.digest.slice(0, 200)}`);
    return { kind: 'manifest', digest: ref.digest };
  }
  return { kind: 'repository' };
}

const storeTarget = (t: PreviewTarget): DeleteTarget =>
  t.kind === 'tag' ? { tag: t.tag } : t.kind === 'manifest' ? { digest: t.digest } : { repository: true };

/** `bytes: false` skips the byte count (a delete's own answer needs only what goes). */
export async function previewDelete(
  deps: PreviewDeps,
  repository: string,
  target: PreviewTarget,
  options: { canBreakPins: boolean; bytes?: boolean },
): Promise<DeletePreview> {
  const at = deps.clock.now();
  const window = deps.deletion.restoreWindowMs;
  const facts = await deps.meta.deletePreviewFacts(repository, storeTarget(target), {
    policy: pinPolicy(deps, at, false),
    at,
    restorableSince: new Date(at.getTime() - window),
    limit: PREVIEW_LISTED,
    detail: true,
    bytes: options.bytes !== false,
  });
  if (!facts) {
    if (target.kind === 'repository') throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
    const reference = target.kind === 'tag' ? target.tag : target.digest;
    throw new RegistryError('MANIFEST_UNKNOWN', `${target.kind} ${reference} is unknown to repository ${repository}`, { reference });
  }
  return {
    repository,
    target,
    tags: facts.tags,
    manifests: facts.manifests,
    collectable: facts.collectable,
    pins: facts.pins,
    blocked: facts.pins.length > 0,
    canBreakPins: options.canBreakPins,
    bytes: { reclaimable: facts.blobs.bytes, blobs: facts.blobs.count, from: bytesFrom(deps, target.kind, at) },
    restorableUntil: target.kind === 'repository' || window === 0 ? null : new Date(at.getTime() + window),
  };
}

/** The bytes GC gets back once `digests` (a retention run's expiries) are deleted now, and from when. */
export async function reclaimableBy(
  deps: PreviewDeps,
  repository: string,
  digests: readonly Digest[],
  at: Date = deps.clock.now(),
): Promise<{ reclaimable: number; from: Date }> {
  const from = bytesFrom(deps, 'manifest', at);
  if (digests.length === 0) return { reclaimable: 0, from };
  const since = new Date(at.getTime() - deps.deletion.restoreWindowMs);
  const policy = pinPolicy(deps, at, false);
  const facts = await deps.meta.deletePreviewFacts(repository, { digests }, { policy, at, restorableSince: since, limit: 0, detail: false, bytes: true });
  return { reclaimable: facts?.blobs.bytes ?? 0, from };
}
