// What a retention run removed, one record per tag (or per untagged manifest), with the rule that decided it as it
// read at run time: SWR's ListRetentionHistories and berth's audit read these after the policy may have changed.
import type { Digest } from '../model/digest.ts';
import type { Decision } from './decision.ts';
import type { KeepRule, RetentionPolicy } from './rules.ts';

/** The deciding rule, copied from the policy when the run happened (a later edit must not rewrite history). */
export type RemovalRule =
  /** An expire rule, by priority. */
  | { family: 'expire'; priority: number }
  /** The keep rules that all released the tag (SWR's "or": a tag goes only when every rule lets it), by template. */
  | { family: 'keep'; rules: readonly number[]; templates: readonly KeepRule['kind'][] };

export interface RemovalRecord {
  /** Assigned by the store, increasing: SWR's integer `id`, and the paging order. */
  id: number;
  /** berth's repository name (`ns/team/app`). */
  repository: string;
  /** The stored policy the run applied (SWR's `retention_id`). */
  policyId: number;
  /** When the run removed it. */
  at: Date;
  digest: Digest;
  /** The tag removed; null when an untagged manifest expired (only expire rules touch those). */
  tag: string | null;
  /** expire: the manifest went with this tag; untag: only the tag went. */
  verdict: 'expire' | 'untag';
  rule: RemovalRule;
}

export interface RunContext {
  repository: string;
  policyId: number;
  at: Date;
}

function ruleOf(d: Decision, policy: RetentionPolicy): RemovalRule | null {
  if (d.by.kind === 'rule') return { family: 'expire', priority: d.by.priority };
  if (d.by.kind !== 'keep-rules' || policy.family !== 'keep') return null;
  const templates = [...new Set(d.by.rules.map((i) => policy.rules[i]?.kind).filter((k) => k !== undefined))];
  return { family: 'keep', rules: d.by.rules, templates };
}

/**
 * The records one applied decision leaves (without ids: the store assigns them): one per removed tag, or one with
 * `tag: null` for an untagged manifest that expired; none for a kept image. The apply step writes these only for what
 * it actually removed (a pin found at apply time, or a tag moved since the preview, is no removal).
 */
export function removalsOf(d: Decision, policy: RetentionPolicy, run: RunContext): Omit<RemovalRecord, 'id'>[] {
  if (d.verdict === 'keep') return [];
  const rule = ruleOf(d, policy);
  if (rule === null) return [];
  const base = { repository: run.repository, policyId: run.policyId, at: run.at, digest: d.digest, verdict: d.verdict, rule };
  const tags = d.removeTags.length > 0 ? d.removeTags : d.verdict === 'expire' ? [null] : [];
  return tags.map((tag) => ({ ...base, tag }));
}
