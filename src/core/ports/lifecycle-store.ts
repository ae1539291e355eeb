// Where retention policies live and how the retention engine reads a repository: policies per repository and per
// namespace default, and the repository's images in push order one bounded page at a time (docs/LIFECYCLE.md).
import type { LifecycleImage } from '../lifecycle/decision.ts';
import type { RetentionPolicy } from '../lifecycle/rules.ts';
import type { Digest } from '../model/digest.ts';
import type { Actor, Pin } from '../model/records.ts';

/** A repository's own policy, or the default of a namespace (for its repositories that have none). */
export type PolicyScope = 'repository' | 'namespace';

export interface StoredLifecyclePolicy {
  scope: PolicyScope;
  /** The repository name, or the namespace name. */
  name: string;
  policy: RetentionPolicy;
  updatedAt: Date;
  /** The principal who stored it. */
  updatedBy: string;
  /** The last run that applied it (null: never run). */
  evaluatedAt: Date | null;
}

/** Where a page of the push-order stream ends: the last image's push time and digest (a keyset, not an offset). */
export interface LifecycleCursor {
  pushedAt: Date;
  digest: Digest;
}

export interface LifecycleStore {
  findLifecyclePolicy(scope: PolicyScope, name: string): Promise<StoredLifecyclePolicy | null>;
  /** Policies by scope then name, after `after` (`scope\0name`); optionally only those of one scope and names. */
  listLifecyclePolicies(page: { after?: string | undefined; limit: number; scope?: PolicyScope | undefined }): Promise<StoredLifecyclePolicy[]>;
  /** Stores (creates or replaces) a policy, audited as lifecycle.put. */
  putLifecyclePolicy(p: { scope: PolicyScope; name: string; policy: RetentionPolicy; actor: Actor; at: Date }): Promise<void>;
  /** Removes a policy, audited as lifecycle.delete; false when there was none. */
  deleteLifecyclePolicy(scope: PolicyScope, name: string, actor: Actor, at: Date): Promise<boolean>;
  /** Records that a run applied the policy at `at` (no audit: the deletes are audited one by one). */
  markLifecycleEvaluated(scope: PolicyScope, name: string, at: Date): Promise<void>;
  /**
   * A page of the live repository's images in push order (oldest first, then by digest), strictly after `after`,
   * each with its tags (each tag's own time) and last pull. Referrers (they go with their subject) and children of a
   * live index (they go through GC with it) are not retention's to decide and are left out. Empty when unknown.
   */
  listLifecycleImages(repository: string, page: { after?: LifecycleCursor | undefined; limit: number }): Promise<LifecycleImage[]>;
  /**
   * What the delete path's pin check would refuse, per digest, at `at`: each digest of the repository protected by an
   * unexpired pin on it or on an index above it, or on a referrer below it (which a delete would take along), and, when
   * `pulledSince` is set, by a recent pull (automatic pins). Bounded by the number of pins, not of images.
   */
  lifecycleProtection(repository: string, at: Date, pulledSince: Date | null): Promise<Array<{ digest: Digest; pins: Pin[] }>>;
  /** When berth began counting on last-pulled times for retention (see pull_recording in migrations.ts). */
  pullsRecordedSince(): Promise<Date>;
}
