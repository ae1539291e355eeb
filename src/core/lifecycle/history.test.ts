// A run's removals: one record per removed tag, one tagless record per expired untagged manifest, none for kept
// images, each with the deciding rule copied out of the policy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from './evaluate.ts';
import { removalsOf } from './history.ts';
import type { RetentionPolicy } from './rules.ts';
import { count, ctx, img, keepDays, keepNewest, NOW, pinsOf, rule } from './test-helpers.ts';

const run = { repository: 'ns/app', policyId: 7, at: NOW };

function removals(policy: RetentionPolicy, images: ReturnType<typeof img>[], c = ctx()): string[] {
  return evaluate(images, policy, c)
    .flatMap((d) => removalsOf(d, policy, run))
    .map((r) => `${r.digest.slice(7)} ${r.tag ?? '-'} ${r.verdict} ${JSON.stringify(r.rule)}`);
}

describe('removalsOf', () => {
  it('expire rules: every tag of an expired image, and a tagless record for an untagged one', () => {
    const policy: RetentionPolicy = { family: 'expire', rules: [rule(1, 'any', count(1))] };
    const images = [img('A', 3, ['v1', 'old']), img('B', 2, []), img('C', 1, ['v2'])];
    assert.deepEqual(removals(policy, images), [
      'A v1 expire {"family":"expire","priority":1}',
      'A old expire {"family":"expire","priority":1}',
      'B - expire {"family":"expire","priority":1}',
    ]);
  });

  it('keep rules: each removed tag names the rules that released it and their templates; pinned images leave none', () => {
    const policy: RetentionPolicy = { family: 'keep', rules: [keepDays(3), keepNewest(1)] };
    const images = [img('A', 9, ['a1', 'fresh'], { tagDays: { fresh: 1 } }), img('B', 8, ['b1']), img('C', 7, ['c1'])];
    const released = '{"family":"keep","rules":[0,1],"templates":["date_rule","tag_rule"]}';
    assert.deepEqual(removals(policy, images), [`A a1 untag ${released}`, `B b1 expire ${released}`, `C c1 expire ${released}`]);
    const pinned = ctx({ pins: pinsOf({ B: { id: 'p', reason: 'prod' } }) });
    assert.deepEqual(removals(policy, images, pinned), [`A a1 untag ${released}`, `C c1 expire ${released}`]);
  });

  it('records carry the run: repository, policy id and time', () => {
    const policy: RetentionPolicy = { family: 'keep', rules: [keepNewest(1)] };
    const [d] = evaluate([img('A', 2, ['x']), img('B', 1, ['y'])], policy, ctx());
    assert.deepEqual(removalsOf(d!, policy, run), [
      {
        repository: 'ns/app',
        policyId: 7,
        at: NOW,
        digest: 'sha256:A',
        tag: 'x',
        verdict: 'expire',
        rule: { family: 'keep', rules: [0], templates: ['tag_rule'] },
      },
    ]);
  });
});
