// Every documented ECR constraint and every keep-rule shape check refuses with INVALID_REQUEST naming the rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpireRule, KeepRule, RetentionPolicy } from './rules.ts';
import { count, keepDays, keepNewest, label, pushedDays, regexp, rule } from './test-helpers.ts';
import { validatePolicy } from './validate.ts';

const expire = (...rules: ExpireRule[]): RetentionPolicy => ({ family: 'expire', rules });
const keep = (...rules: KeepRule[]): RetentionPolicy => ({ family: 'keep', rules });

function problem(policy: RetentionPolicy): { message: string; field: unknown } | null {
  const e = validatePolicy(policy);
  if (e === null) return null;
  assert.equal(e.code, 'INVALID_REQUEST');
  return { message: e.message, field: e.detail?.field };
}

describe('validatePolicy', () => {
  it('accepts the documented shapes', () => {
    const ok = expire(rule(1, { patterns: ['prod*', '*-rc'] }, count(3)), rule(2, 'untagged', pushedDays(14)), rule(9, 'any', count(100)));
    assert.equal(validatePolicy(ok), null);
    assert.equal(validatePolicy(keep(keepNewest(10, [label('latest'), regexp('^v\\d+$')]), keepDays(30))), null);
  });

  it('refuses each broken expire rule, naming the field', () => {
    const cases: [RetentionPolicy, string][] = [
      [expire(), 'rules'],
      [expire(rule(0, 'any', count(1))), 'rulePriority'],
      [expire(rule(1.5, 'any', count(1))), 'rulePriority'],
      [expire(rule(1, 'untagged', count(1)), rule(1, { prefixes: ['a'] }, count(1))), 'rulePriority'],
      [expire(rule(1, 'any', count(1)), rule(2, 'untagged', count(1))), 'rulePriority'],
      [expire(rule(1, { prefixes: [] }, count(1))), 'tagStatus'],
      [expire({ ...rule(1, { prefixes: ['a'] }, count(1)), tagPatterns: ['b*'] }), 'tagStatus'],
      [expire({ ...rule(1, 'untagged', count(1)), tagPrefixes: ['a'] }), 'tagStatus'],
      [expire(rule(1, { patterns: ['*a*b*c*d*'] }, count(1))), 'tagPatternList'],
      [expire(rule(1, { patterns: [''] }, count(1))), 'tagPatternList'],
      [expire(rule(1, { prefixes: [''] }, count(1))), 'tagPrefixList'],
      [expire(rule(1, 'any', count(0))), 'countNumber'],
      [expire(rule(1, 'any', pushedDays(-1))), 'countNumber'],
      [expire(rule(1, 'untagged', count(1)), rule(2, 'untagged', pushedDays(3))), 'tagStatus'],
      [expire(rule(1, { prefixes: ['a', 'b'] }, count(1)), rule(2, { prefixes: ['b', 'a'] }, pushedDays(3))), 'tagPatternList'],
    ];
    for (const [policy, field] of cases) assert.equal(problem(policy)?.field, field, JSON.stringify(policy));
  });

  it('allows four wildcards, and the any rule only when it is last', () => {
    assert.equal(problem(expire(rule(1, { patterns: ['*a*b*c*'] }, count(1)))), null);
    assert.match(problem(expire(rule(3, 'any', count(1)), rule(4, { prefixes: ['x'] }, count(1))))?.message ?? '', /highest rulePriority/);
  });

  it('refuses broken keep rules', () => {
    const cases: [RetentionPolicy, string][] = [
      [keep(), 'rules'],
      [keep(keepNewest(0)), 'params'],
      [keep(keepDays(2.5)), 'params'],
      [keep(keepNewest(1, [regexp('(')])), 'tag_selectors'],
      [keep(keepNewest(1, [label('')])), 'tag_selectors'],
      [keep(keepNewest(1, [regexp('a'.repeat(257))])), 'tag_selectors'],
    ];
    for (const [policy, field] of cases) assert.equal(problem(policy)?.field, field, JSON.stringify(policy).slice(0, 80));
  });
});
