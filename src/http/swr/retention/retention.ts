// SWR's retention body <-> the engine's keep rules, and the run records in ListRetentionHistories' shape: pure, so
// the create/update/show/list/histories routes only read and write the store.
import type { RemovalRecord } from '../../../core/lifecycle/history.ts';
import type { KeepRule, RetentionPolicy, TagSelector } from '../../../core/lifecycle/rules.ts';
import { validatePolicy } from '../../../core/lifecycle/validate.ts';
import { invalidParameter, type SwrError } from '../errors.ts';
import { rfc3339 } from '../wire.ts';

/** SWR console's ranges: keep tags for 1-365 days, or the 1-1000 newest tags. */
export const DAYS_RANGE = [1, 365] as const;
export const NUM_RANGE = [1, 1000] as const;
/** berth's bounds (SWR documents none): enough for any real policy, small enough to bound the work of a bad body. */
export const MAX_RULES = 20;
export const MAX_SELECTORS = 100;

type Json = Record<string, unknown>;
export type KeepPolicy = RetentionPolicy & { family: 'keep' };

const shown = (v: unknown): string => {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
};

function bad(at: string, expected: string, got: unknown): SwrError {
  return invalidParameter(`${at} must be ${expected}, got ${got === undefined ? 'nothing' : `"${shown(got)}"`}`);
}

function objectAt(v: unknown, at: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(at, 'an object', v);
  return v as Json;
}

function listAt(v: unknown, at: string, min: number, max: number): unknown[] {
  if (!Array.isArray(v) || v.length < min || v.length > max) throw bad(at, `an array of ${min} to ${max} entries`, v);
  return v;
}

/** SWR sends numbers as strings ("30"); a JSON integer is taken too (scripts write them), either within the range. */
function numberAt(v: unknown, at: string, [min, max]: readonly [number, number]): number {
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw bad(at, `a whole number from ${min} to ${max} (as a string, "${min}")`, v);
  }
  return Number(text);
}

function selectorOf(v: unknown, at: string): TagSelector {
  const s = objectAt(v, at);
  if (s.kind !== 'label' && s.kind !== 'regexp') throw bad(`${at}.kind`, '"label" or "regexp"', s.kind);
  if (typeof s.pattern !== 'string') throw bad(`${at}.pattern`, 'a string', s.pattern);
  return { kind: s.kind, pattern: s.pattern };
}

function ruleOf(v: unknown, i: number): KeepRule {
  const at = `rules[${i}]`;
  const r = objectAt(v, at);
  const params = objectAt(r.params, `${at}.params`);
  // The SDK marks tag_selectors required; an absent or null list means "no exceptions" rather than a refusal.
  const list = r.tag_selectors === undefined || r.tag_selectors === null ? [] : listAt(r.tag_selectors, `${at}.tag_selectors`, 0, MAX_SELECTORS);
  const exceptions = list.map((s, j) => selectorOf(s, `${at}.tag_selectors[${j}]`));
  const expect = r.template === 'date_rule' ? 'days' : r.template === 'tag_rule' ? 'num' : null;
  if (expect === null) throw bad(`${at}.template`, '"date_rule" or "tag_rule"', r.template);
  const other = Object.keys(params).find((k) => k !== expect);
  if (other !== undefined) throw invalidParameter(`${at}.params of ${String(r.template)} takes only "${expect}", got "${shown(other)}"`);
  if (expect === 'days') return { kind: 'date_rule', days: numberAt(params.days, `${at}.params.days`, DAYS_RANGE), exceptions };
  return { kind: 'tag_rule', n: numberAt(params.num, `${at}.params.num`, NUM_RANGE), exceptions };
}

/**
 * The keep policy a CreateRetention/UpdateRetention body (already JSON-parsed) stands for, or SWR's invalid-parameter
 * error (400 SVCSTG.SWR.4000014) naming the field. `tag_selectors` become exceptions: tags the rule neither counts
 * nor removes.
 */
export function parseRetention(body: unknown): KeepPolicy {
  const b = objectAt(body, 'body');
  if (b.algorithm !== 'or') throw bad('algorithm', '"or"', b.algorithm);
  const rules = listAt(b.rules, 'rules', 1, MAX_RULES).map(ruleOf);
  const policy: KeepPolicy = { family: 'keep', rules };
  const problem = validatePolicy(policy);
  if (problem) throw invalidParameter(problem.message.replace(/^rule (\d+):/, 'rules[$1]:'));
  return policy;
}

export interface SwrRule {
  template: KeepRule['kind'];
  params: { days: string } | { num: string };
  tag_selectors: { kind: TagSelector['kind']; pattern: string }[];
}

export interface SwrRetention {
  algorithm: 'or';
  id: number;
  rules: SwrRule[];
  /** "Reserved field" in SWR's reference; always empty. */
  scope: string;
}

/** ShowRetention's body, and one element of ListRetentions' array (SWR keeps one policy per repository). */
export function retentionOf(policy: KeepPolicy, id: number): SwrRetention {
  const rules = policy.rules.map(
    (r): SwrRule => ({
      template: r.kind,
      params: r.kind === 'date_rule' ? { days: String(r.days) } : { num: String(r.n) },
      tag_selectors: r.exceptions.map((s) => ({ kind: s.kind, pattern: s.pattern })),
    }),
  );
  return { algorithm: 'or', id, rules, scope: '' };
}

export interface SwrRetentionLog {
  created_at: string;
  id: number;
  namespace: string;
  repo: string;
  retention_id: number;
  rule_type: string;
  tag: string;
}

/** SWR's rule_type: the template that removed the tag; both, comma-joined, when a date_rule and a tag_rule did. */
function ruleType(r: RemovalRecord['rule']): string {
  return r.family === 'keep' ? r.templates.join(',') : `rulePriority ${r.priority}`;
}

/**
 * One page of ListRetentionHistories: `retention_log` and `total`, plus the `Content-Range` value
 * ("offset-count/total") the SDK reads. Records of untagged manifests (ECR-family runs only) have no tag and are left
 * out: SWR's log is a list of removed tags. `repo` is SWR's name inside the namespace (`team/app`).
 */
export function historyOf(
  records: readonly RemovalRecord[],
  page: { namespace: string; offset: number; total: number },
): { body: { retention_log: SwrRetentionLog[]; total: number }; contentRange: string } {
  const prefix = `${page.namespace}/`;
  const retention_log = records.flatMap((r): SwrRetentionLog[] =>
    r.tag === null
      ? []
      : [
          {
            created_at: rfc3339(r.at),
            id: r.id,
            namespace: page.namespace,
            repo: r.repository.startsWith(prefix) ? r.repository.slice(prefix.length) : r.repository,
            retention_id: r.policyId,
            rule_type: ruleType(r.rule),
            tag: r.tag,
          },
        ],
  );
  return { body: { retention_log, total: page.total }, contentRange: `${page.offset}-${retention_log.length}/${page.total}` };
}
