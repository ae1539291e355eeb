// Wildcards are literal but for `*`, tag lists are all-of, and exceptions by label are exact while regexps search.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exceptionMatcher, selectionMatcher, wildcardRegExp } from './match.ts';
import { label, regexp } from './test-helpers.ts';

describe('tag matching', () => {
  it('wildcards: * is any run (empty too), everything else literal, whole tag', () => {
    const m = (p: string, t: string): boolean => wildcardRegExp(p).test(t);
    assert.deepEqual(
      [m('prod*', 'prod'), m('prod*', 'prod-1'), m('prod*', 'preprod'), m('*-rc', '1.0-rc'), m('*-rc', '1.0-rc1'), m('*', 'x')],
      [true, true, false, true, false, true],
    );
    assert.deepEqual([m('1.*', '1x0'), m('1.*', '1.0'), m('a+b', 'a+b'), m('a+b', 'aab'), m('*a*', 'bab')], [false, true, true, false, true]);
  });

  it('a tagged selection needs a matching tag for every entry; any and untagged ignore lists', () => {
    const both = selectionMatcher({ tagStatus: 'tagged', tagPatterns: [], tagPrefixes: ['alpha', 'beta'] });
    assert.deepEqual([both(['alpha-1', 'beta-1']), both(['alpha-1']), both(['alphabeta']), both([])], [true, false, false, false]);
    const untagged = selectionMatcher({ tagStatus: 'untagged', tagPatterns: [], tagPrefixes: [] });
    const any = selectionMatcher({ tagStatus: 'any', tagPatterns: [], tagPrefixes: [] });
    assert.deepEqual([untagged([]), untagged(['a']), any([]), any(['a'])], [true, false, true, true]);
  });

  it('exceptions: labels exact, regexps anywhere unless anchored', () => {
    const ex = exceptionMatcher([label('latest'), regexp('^v\\d+$'), regexp('rc')]);
    assert.deepEqual([ex('latest'), ex('latest2'), ex('v12'), ex('v12a'), ex('1.0-rc1'), ex('dev')], [true, false, true, false, true, false]);
    assert.equal(exceptionMatcher([])('anything'), false);
  });
});
