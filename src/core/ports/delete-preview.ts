// What a delete would take, read without changing anything (docs/DELETION.md "Previewing a delete"), and the manifest
// trash as a list: the same cascade, pin walk and "no other manifest uses this blob" test the delete and GC apply.
import type { Digest } from '../model/digest.ts';
import type { Pin } from '../model/records.ts';
import type { PinPolicy } from './metadata-store.ts';

/** A tag (only the tag goes now), a manifest (with its tags and referrers), the whole repository, or manifests a retention run expires. */
export type DeleteTarget = { tag: string } | { digest: Digest } | { repository: true } | { digests: readonly Digest[] };

export type GoneWhy = 'target' | 'referrer' | 'child' | 'untagged-by-tag-delete';

export interface GoingManifest {
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  size: number;
  why: GoneWhy;
}

/** Left behind but collectable by GC once what holds it is purged: an index's child, or a subject a removed referrer held. */
export interface CollectableManifest {
  digest: Digest;
  why: 'child' | 'subject';
}

export interface DeleteFacts {
  tags: Array<{ tag: string; digest: Digest }>;
  manifests: GoingManifest[];
  collectable: CollectableManifest[];
  /** Pins that refuse the delete (a tag delete never is refused: its manifest just stays while pinned). */
  pins: Pin[];
  /** Blobs only the manifests that go use: no other live or restorable manifest of any repository references them. */
  blobs: { count: number; bytes: number };
}

export interface PreviewQuery {
  policy: PinPolicy;
  at: Date;
  /** Trashed manifests deleted since then are still restorable: they hold their blobs. */
  restorableSince: Date;
  /** Entries listed per kind; counts and bytes cover everything. */
  limit: number;
  /** false: only the bytes (tags, manifests, collectable and pins come back empty), for a retention preview of thousands. */
  detail: boolean;
  /** false: no byte count (blobs come back 0), for a delete's own answer. */
  bytes: boolean;
}

export interface DeletedManifest {
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  size: number;
  /** The tags deleted with it (the same request), restored with it. */
  tags: string[];
  deletedAt: Date;
}

export interface DeletePreviewReader {
  /**
   * What deleting `target` in `repository` at `q.at` takes: for a tag, the manifest only if GC will then collect it.
   * Null when the repository, tag or manifest is unknown.
   */
  deletePreviewFacts(repository: string, target: DeleteTarget, q: PreviewQuery): Promise<DeleteFacts | null>;
  /** Trashed manifests deleted since `since`, newest first (then by digest), after `after`; null when the repository is unknown. */
  listDeletedManifests(
    repository: string,
    since: Date,
    page: { after?: { deletedAt: Date; digest: string } | undefined; limit: number },
  ): Promise<DeletedManifest[] | null>;
}
