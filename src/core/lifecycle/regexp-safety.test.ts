// Guards the rule that keeps SWR tag regexps from hanging the event loop: what backtracks exponentially is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from './evaluate.ts';
import { unsafeRegExpReason } from './regexp-safety.ts';
import { ctx, img, keepNewest, regexp } from './test-helpers.ts';
import { validatePolicy } from './validate.ts';

test('catastrophic shapes are refused: nested or alternating repetition, backreferences, lookaround', () => {
  for (const p of [
    '(a+)+$',
    '(a+)+$b',
    '(a*)*b',
    '(?:a+){2,}b',
    '((ab)+c)*',
    '(a|aa)+$',
    '(a|b)*c',
    '(.*a){12}',
    '^(\\d+\\.)+$',
    '(a)\\1',
    '(?<x>a)\\k<x>',
    '(?=a)a',
    '(?!a)b',
    '(?<=a)b',
    '(?<!a)b',
  ]) {
    assert.notEqual(unsafeRegExpReason(p), null, p);
  }
});

test('the common tag expressions stay accepted', () => {
  for (const p of [
    '^v\\d+$',
    '^v\\d+\\.\\d+\\.\\d+(-rc\\d+)?$',
    '^(dev|test)-.*$',
    'latest|stable',
    '[(+*]+',
    '\\(a+\\)+',
    '^release-[0-9a-f]{7,40}$',
    '(ab)+',
    '(a+)?b',
    '^123$',
  ]) {
    assert.equal(unsafeRegExpReason(p), null, p);
  }
});

test('a stored policy with an unsafe regexp is refused before any tag is matched, so a run cannot hang', () => {
  const policy = { family: 'keep' as const, rules: [keepNewest(1, [regexp('(a+)+$b')])] };
  assert.equal(validatePolicy(policy)?.detail?.field, 'tag_selectors');
  assert.throws(() => evaluate([img('a', 1, ['a'.repeat(60)])], policy, ctx()), /repeat/);
});
