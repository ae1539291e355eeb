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
   * What deleting `target` in `repository` at `at` takes: for a tag, the manifest only if GC will then collect it.
   * `restorableSince`: trashed manifests deleted since then still hold their blobs. Null when the repository, tag
   * or manifest is unknown. Listings stop at `limit` entries; counts and bytes cover everything.
   */
  deletePreviewFacts(repository: string, target: DeleteTarget, policy: PinPolicy, at: Date, restorableSince: Date, limit: number): Promise<DeleteFacts | null>;
  /** Trashed manifests deleted since `since`, newest first (then by digest), after `after`; null when the repository is unknown. */
  listDeletedManifests(
    repository: string,
    since: Date,
    page: { after?: { deletedAt: Date; digest: string } | undefined; limit: number },
  ): Promise<DeletedManifest[] | null>;
}
