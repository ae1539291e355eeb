// Where retention policies live and how the retention engine reads a repository: policies per repository and per
// namespace default, and the repository's images in push order one bounded page at a time (docs/LIFECYCLE.md).
import type { LifecycleImage } from '../lifecycle/decision.ts';
import type { RemovalRecord } from '../lifecycle/history.ts';
import type { RetentionPolicy } from '../lifecycle/rules.ts';
import type { Digest } from '../model/digest.ts';
import type { Actor, Pin } from '../model/records.ts';

/** A repository's own policy, or the default of a namespace (for its repositories that have none). */
export type PolicyScope = 'repository' | 'namespace';

/** What storing a policy takes (putLifecyclePolicy). */
export interface LifecyclePolicyWrite {
  scope: PolicyScope;
  name: string;
  policy: RetentionPolicy;
  actor: Actor;
  at: Date;
  wireText?: string | null | undefined;
  onlyIfAbsent?: boolean | undefined;
}

export interface StoredLifecyclePolicy {
  /** Assigned once when the policy is first stored and kept across replacements (SWR's integer retention id). */
  id: number;
  scope: PolicyScope;
  /** The repository name, or the namespace name. */
  name: string;
  policy: RetentionPolicy;
  updatedAt: Date;
  /** The principal who stored it. */
  updatedBy: string;
  /** The last run that applied it (null: never run). */
  evaluatedAt: Date | null;
  /** The text the policy came in as through a wire API (ECR's lifecyclePolicyText, echoed byte for byte); else null. */
  wireText: string | null;
}

/** One image a stored preview expires (ECR's PreviewResult, in core's terms). */
export interface PreviewEntry {
  digest: Digest;
  tags: string[];
  pushedAt: Date;
  /** The expire rule that expires it. */
  priority: number;
}

/** A repository's last lifecycle preview: computed when started, read back until it expires (docs/LIFECYCLE.md). */
export interface StoredLifecyclePreview {
  repository: string;
  /** The policy text previewed (the stored one's or the one given to the preview). */
  policyText: string;
  startedAt: Date;
  /** Every image the policy would expire, oldest push first. */
  expiring: PreviewEntry[];
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
  /**
   * Stores (creates or replaces) a policy, audited as lifecycle.put; `wireText` is kept as given (null when absent).
   * With `onlyIfAbsent` an existing policy is left alone (`created: false`). Answers the policy's id.
   */
  putLifecyclePolicy(p: LifecyclePolicyWrite): Promise<{ id: number; created: boolean }>;
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
  /** Replaces the repository's stored preview (one per repository). */
  saveLifecyclePreview(p: StoredLifecyclePreview): Promise<void>;
  findLifecyclePreview(repository: string): Promise<StoredLifecyclePreview | null>;
  /** Removes the repository's stored preview; false when there was none. */
  deleteLifecyclePreview(repository: string): Promise<boolean>;
  /**
   * Appends what a run removed (ids assigned in order) and then keeps only the newest `keep` records of each
   * repository named, so the history stays bounded.
   */
  recordLifecycleRemovals(records: readonly Omit<RemovalRecord, 'id'>[], keep: number): Promise<void>;
  /** A repository's removal records, newest first, and how many it has. */
  listLifecycleRemovals(repository: string, page: { offset: number; limit: number }): Promise<{ records: RemovalRecord[]; total: number }>;
  /** When berth began counting on last-pulled times for retention (see pull_recording in migrations.ts). */
  pullsRecordedSince(): Promise<Date>;
}
