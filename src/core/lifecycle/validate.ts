// The checks a policy passes before it is stored or evaluated: ECR's documented constraints for expire rules and the
// shape SWR's retention needs for keep rules, reported as INVALID_REQUEST naming the rule, so every dialect maps one code.
import { RegistryError } from '../errors.ts';
import { unsafeRegExpReason } from './regexp-safety.ts';
import { type ExpireRule, type KeepRule, MAX_REGEXP_LENGTH, MAX_WILDCARDS, type RetentionPolicy, type TagSelector } from './rules.ts';

function invalid(message: string, rule: number | null, field: string): RegistryError {
  return new RegistryError('INVALID_REQUEST', message, { rule, field });
}

function isPositiveInt(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

function checkExpireRule(r: ExpireRule): RegistryError | null {
  const at = `rule with priority ${r.priority}`;
  if (!isPositiveInt(r.priority)) return invalid(`rulePriority must be a positive integer (got ${r.priority})`, r.priority, 'rulePriority');
  const lists = (r.tagPatterns.length > 0 ? 1 : 0) + (r.tagPrefixes.length > 0 ? 1 : 0);
  if (r.tagStatus === 'tagged' && lists !== 1) {
    return invalid(`${at}: tagStatus tagged needs exactly one of tagPatternList or tagPrefixList`, r.priority, 'tagStatus');
  }
  if (r.tagStatus !== 'tagged' && lists !== 0) {
    return invalid(`${at}: tagStatus ${r.tagStatus} takes no tagPatternList or tagPrefixList`, r.priority, 'tagStatus');
  }
  for (const p of r.tagPatterns) {
    if (p.length === 0) return invalid(`${at}: an empty tag pattern`, r.priority, 'tagPatternList');
    if (p.split('*').length - 1 > MAX_WILDCARDS) {
      return invalid(`${at}: tag pattern "${p}" has more than ${MAX_WILDCARDS} wildcards`, r.priority, 'tagPatternList');
    }
  }
  if (r.tagPrefixes.some((p) => p.length === 0)) return invalid(`${at}: an empty tag prefix`, r.priority, 'tagPrefixList');
  const c = r.count;
  const n = c.type === 'imageCountMoreThan' ? c.n : c.days;
  if (!isPositiveInt(n)) return invalid(`${at}: countNumber must be a positive integer (got ${n})`, r.priority, 'countNumber');
  return null;
}

/** The rules as one string per tag list, order-free, to find two tagged rules selecting the same way. */
function selectionKey(r: ExpireRule): string {
  return JSON.stringify([[...r.tagPatterns].sort(), [...r.tagPrefixes].sort()]);
}

function checkExpireRules(rules: readonly ExpireRule[]): RegistryError | null {
  for (const r of rules) {
    const bad = checkExpireRule(r);
    if (bad) return bad;
  }
  const priorities = new Set<number>();
  const selections = new Set<string>();
  for (const r of rules) {
    if (priorities.has(r.priority)) return invalid(`rulePriority ${r.priority} is used twice`, r.priority, 'rulePriority');
    priorities.add(r.priority);
    if (r.tagStatus !== 'tagged') continue;
    const key = selectionKey(r);
    if (selections.has(key)) return invalid(`rule with priority ${r.priority} repeats another rule's tag list`, r.priority, 'tagPatternList');
    selections.add(key);
  }
  if (rules.filter((r) => r.tagStatus === 'untagged').length > 1) {
    return invalid('only one rule may select untagged images', null, 'tagStatus');
  }
  const highest = Math.max(...priorities);
  const stray = rules.find((r) => r.tagStatus === 'any' && r.priority !== highest);
  if (stray) return invalid(`the tagStatus any rule (priority ${stray.priority}) must have the highest rulePriority`, stray.priority, 'rulePriority');
  return null;
}

function checkSelector(s: TagSelector, i: number): RegistryError | null {
  if (s.pattern.length === 0) return invalid(`rule ${i}: an empty tag selector`, i, 'tag_selectors');
  if (s.kind !== 'regexp') return null;
  if (s.pattern.length > MAX_REGEXP_LENGTH) return invalid(`rule ${i}: a tag regexp longer than ${MAX_REGEXP_LENGTH}`, i, 'tag_selectors');
  try {
    new RegExp(s.pattern);
  } catch {
    return invalid(`rule ${i}: "${s.pattern}" is not a valid regular expression`, i, 'tag_selectors');
  }
  const unsafe = unsafeRegExpReason(s.pattern);
  if (unsafe) return invalid(`rule ${i}: tag regexp "${s.pattern}" refused: ${unsafe} (it could backtrack for hours)`, i, 'tag_selectors');
  return null;
}

function checkKeepRule(r: KeepRule, i: number): RegistryError | null {
  const n = r.kind === 'date_rule' ? r.days : r.n;
  if (!isPositiveInt(n)) return invalid(`rule ${i}: ${r.kind === 'date_rule' ? 'days' : 'num'} must be a positive integer (got ${n})`, i, 'params');
  for (const s of r.exceptions) {
    const bad = checkSelector(s, i);
    if (bad) return bad;
  }
  return null;
}

/** The first problem with the policy, or null when it may be stored and evaluated. */
export function validatePolicy(policy: RetentionPolicy): RegistryError | null {
  if (policy.rules.length === 0) return invalid('a retention policy needs at least one rule', null, 'rules');
  if (policy.family === 'expire') {
    if (policy.rules.some((r) => r.kind !== 'expire')) return invalid('an expire policy holds only expire rules', null, 'rules');
    return checkExpireRules(policy.rules);
  }
  for (const [i, r] of policy.rules.entries()) {
    const bad = checkKeepRule(r, i);
    if (bad) return bad;
  }
  return null;
}

/** For the engine's entry point: an invalid policy is the caller's error, never a silent partial evaluation. */
export function assertValidPolicy(policy: RetentionPolicy): void {
  const bad = validatePolicy(policy);
  if (bad) throw bad;
}
