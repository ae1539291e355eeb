// ECR's lifecycle policy text <-> the engine's expire rules: the JSON is checked the way AWS's schema validator
// checks it (its messages, where known), then by the engine's own rules, so PutLifecyclePolicy refuses exactly once.
import { z } from 'zod';
import type { ExpireCount, ExpireRule, RetentionPolicy, TagStatus } from '../../../core/lifecycle/rules.ts';
import { validatePolicy } from '../../../core/lifecycle/validate.ts';
import { EcrError } from '../errors.ts';
import { validate } from '../validate.ts';

/** The member's own constraint (PutLifecyclePolicy, StartLifecyclePolicyPreview): AWS's "1 validation error" form. */
export const lifecyclePolicyText = z.string().min(100).max(30_720);

/** ECR's quota "rules per lifecycle policy". */
export const MAX_RULES = 50;

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

function failure(detail: string): EcrError {
  return new EcrError('InvalidParameterException', `${PREFIX}${detail}'`);
}

/** Lists the way AWS's messages print them (as Python's json.dumps would: `["a", "b"]`). */
function listed(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function wrongType(v: unknown, allowed: string): EcrError {
  return failure(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["${allowed}"])`);
}

type Json = Record<string, unknown>;

function object(v: unknown, allowed: readonly string[], required: readonly string[]): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrongType(v, 'object');
  const o = v as Json;
  const missing = required.filter((k) => !Object.hasOwn(o, k)).sort();
  if (missing.length > 0) throw failure(`object has missing required properties (${listed(missing)})`);
  const extra = Object.keys(o)
    .filter((k) => !allowed.includes(k))
    .sort();
  if (extra.length > 0) throw failure(`object instance has properties which are not allowed by the schema: (${listed(extra)})`);
  return o;
}

function integer(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(v, 'integer');
  if (v < 1) throw failure(`numeric instance is lower than the required minimum (minimum: 1, found: ${v})`);
  return v;
}

function oneOf<T extends string>(v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string') throw wrongType(v, 'string');
  if (!(values as readonly string[]).includes(v)) throw failure(`instance value (${v}) not found in enum :(possible values: ${listed([...values].sort())})`);
  return v as T;
}

function array(v: unknown, max: number): unknown[] {
  if (!Array.isArray(v)) throw wrongType(v, 'array');
  if (v.length === 0) throw failure('array is too short: must have at least 1 elements but instance has 0 elements');
  if (v.length > max) throw failure(`array is too long: must have at most ${max} elements but instance has ${v.length} elements`);
  return v;
}

function strings(v: unknown): string[] {
  return array(v, 1000).map((s) => {
    if (typeof s !== 'string') throw wrongType(s, 'string');
    return s;
  });
}

/** berth keeps every image in ECR's standard class: archive transitions have nowhere to go. */
function noArchive(what: string): EcrError {
  return failure(`${what} is not supported: berth has no archive storage class; use the expire action`);
}

const SELECTION = ['tagStatus', 'tagPatternList', 'tagPrefixList', 'storageClass', 'countType', 'countUnit', 'countNumber'] as const;
const ONE_SCHEMA = 'instance failed to match exactly one schema (matched 0 out of 2)';

function countOf(s: Json): ExpireCount {
  if (s.countType === 'sinceImageTransitioned') throw noArchive('countType sinceImageTransitioned');
  const type = s.countType;
  if (type !== 'imageCountMoreThan' && type !== 'sinceImagePushed' && type !== 'sinceImagePulled') throw failure(ONE_SCHEMA);
  // AWS's schema has one branch per count type: countUnit belongs to the ages and is required there, absent elsewhere.
  const hasUnit = Object.hasOwn(s, 'countUnit');
  if (hasUnit !== (type !== 'imageCountMoreThan')) throw failure(ONE_SCHEMA);
  if (hasUnit) oneOf(s.countUnit, ['days'] as const);
  const n = integer(s.countNumber);
  return type === 'imageCountMoreThan' ? { type, n } : { type, days: n };
}

function ruleOf(v: unknown): ExpireRule {
  const r = object(v, ['rulePriority', 'description', 'selection', 'action'], ['rulePriority', 'selection', 'action']);
  const priority = integer(r.rulePriority);
  if (Object.hasOwn(r, 'description') && typeof r.description !== 'string') throw wrongType(r.description, 'string');
  const action = object(r.action, ['type', 'targetStorageClass'], ['type']);
  if (action.type === 'transition' || Object.hasOwn(action, 'targetStorageClass')) throw noArchive('the transition action');
  oneOf(action.type, ['expire'] as const);
  const s = object(r.selection, SELECTION, ['tagStatus', 'countType', 'countNumber']);
  const tagStatus = oneOf<TagStatus>(s.tagStatus, ['tagged', 'untagged', 'any']);
  if (Object.hasOwn(s, 'storageClass') && s.storageClass !== 'standard') {
    if (s.storageClass === 'archive') throw noArchive('storageClass archive');
    oneOf(s.storageClass, ['standard'] as const);
  }
  const tagPatterns = Object.hasOwn(s, 'tagPatternList') ? strings(s.tagPatternList) : [];
  const tagPrefixes = Object.hasOwn(s, 'tagPrefixList') ? strings(s.tagPrefixList) : [];
  const count = countOf(s);
  const rule: ExpireRule = { kind: 'expire', priority, tagStatus, tagPatterns, tagPrefixes, count };
  return typeof r.description === 'string' ? { ...rule, description: r.description } : rule;
}

/** The policy-wide rules whose AWS wording is known; the engine's validation words the rest. */
function checkAcrossRules(rules: readonly ExpireRule[]): void {
  for (const r of rules) {
    if (r.tagStatus === 'tagged' && r.tagPatterns.length === 0 && r.tagPrefixes.length === 0) {
      throw failure('Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
    }
  }
  const seen = new Set<number>();
  for (const r of rules) {
    if (seen.has(r.priority)) throw failure(`Rule priorities must be unique: rulePriority ${r.priority} is used by more than one rule`);
    seen.add(r.priority);
  }
  if (rules.filter((r) => r.tagStatus === 'untagged').length > 1) throw failure('Only one rule can select Untagged images per storage class');
  const highest = Math.max(...seen);
  if (rules.some((r) => r.tagStatus === 'any' && r.priority !== highest)) {
    throw failure('Rule for tagStatus=ANY must have the lowest priority per storage class');
  }
}

/**
 * The engine's expire policy a lifecycle policy text stands for, or InvalidParameterException as AWS words it. The
 * caller stores the text itself: GetLifecyclePolicy must answer the user's text byte for byte, which no rendering of
 * the parsed rules would (key order, spacing, descriptions' escapes).
 */
export function parsePolicyText(text: string): RetentionPolicy & { family: 'expire' } {
  validate(z.object({ lifecyclePolicyText }), { lifecyclePolicyText: text });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw failure('Could not map policyString into LifecyclePolicy.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw failure('Could not map policyString into LifecyclePolicy.');
  const top = object(doc, ['rules'], ['rules']);
  const rules = array(top.rules, MAX_RULES).map(ruleOf);
  checkAcrossRules(rules);
  const policy = { family: 'expire' as const, rules };
  const bad = validatePolicy(policy);
  if (bad) throw failure(bad.message);
  return policy;
}

function selectionOf(r: ExpireRule): Json {
  const c = r.count;
  const count = c.type === 'imageCountMoreThan' ? { countType: c.type, countNumber: c.n } : { countType: c.type, countUnit: 'days', countNumber: c.days };
  return {
    tagStatus: r.tagStatus,
    ...(r.tagPatterns.length > 0 ? { tagPatternList: r.tagPatterns } : {}),
    ...(r.tagPrefixes.length > 0 ? { tagPrefixList: r.tagPrefixes } : {}),
    ...count,
  };
}

/**
 * A policy as ECR text, for a policy that came in through another API (berth's, SWR has its own family): the ECR
 * view of it. Never used to echo a policy put through ECR: that text is stored and answered as given.
 */
export function policyTextOf(policy: RetentionPolicy & { family: 'expire' }): string {
  const rules = policy.rules.map((r) => ({
    rulePriority: r.priority,
    ...(r.description !== undefined ? { description: r.description } : {}),
    selection: selectionOf(r),
    action: { type: 'expire' },
  }));
  return JSON.stringify({ rules });
}
