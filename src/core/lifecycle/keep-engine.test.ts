// SWR's keep family on synthetic histories with exact outcomes: tag_rule and date_rule per tag, exceptions that are
// neither counted nor removed (by label and regexp), images losing some tags or all, pins, ties and "or".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EvaluationContext, LifecycleImage } from './decision.ts';
import type { KeepRule } from './rules.ts';
import { bothEntries, brief, ctx, fixtures, img, keepDays, keepNewest, label, pinsOf, recorded, regexp } from './test-helpers.ts';

function run(images: LifecycleImage[], rules: KeepRule[], c: EvaluationContext = ctx()): string[] {
  return recorded(images, { family: 'keep', rules }, c).map(brief);
}

describe('tag_rule: keep the newest N tags', () => {
  it('removes the older tags; an image whose only tag goes is expired', () => {
    const images = [img('A', 4, ['v1']), img('B', 3, ['v2']), img('C', 2, ['v3']), img('D', 1, ['v4'])];
    assert.deepEqual(run(images, [keepNewest(2)]), [
      'A expire by keep-rules 0',
      'B expire by keep-rules 0',
      'C keep by keep-rules 0',
      'D keep by keep-rules 0',
    ]);
  });

  it('counts tags, not images: an image with two new tags fills the window alone', () => {
    const images = [img('A', 3, ['v1']), img('B', 2, ['v2', 'stable'])];
    assert.deepEqual(run(images, [keepNewest(2)]), ['A expire by keep-rules 0', 'B keep by keep-rules 0']);
  });

  it('ranks by the tag push time, not the image push time: a tag moved onto an old image is new', () => {
    const images = [img('A', 30, ['latest'], { tagDays: { latest: 1 } }), img('B', 3, ['v2']), img('C', 2, ['v3'])];
    assert.deepEqual(run(images, [keepNewest(2)]), ['A keep by keep-rules 0', 'B expire by keep-rules 0', 'C keep by keep-rules 0']);
  });

  it('equal push times: later in push order is newer; within one image, the later name', () => {
    const images = [img('A', 1, ['a']), img('B', 1, ['b', 'c'])];
    assert.deepEqual(run(images, [keepNewest(1)]), ['A expire by keep-rules 0', 'B untag b by keep-rules 0']);
  });
});

describe('exceptions: tags the rule neither counts nor removes', () => {
  it('a label exception is not counted, so it never pushes another tag out', () => {
    // Counted, "latest" would take the one place and push v2 out; read as a selection, v1 and v2 would be untouched.
    const images = [img('A', 3, ['v1']), img('B', 2, ['v2']), img('C', 1, ['latest'])];
    assert.deepEqual(run(images, [keepNewest(1, [label('latest')])]), ['A expire by keep-rules 0', 'B keep by keep-rules 0', 'C keep by keep-rules 0']);
  });

  it('a regexp exception matches anywhere in the tag unless anchored', () => {
    const images = [img('A', 9, ['release-1']), img('B', 8, ['1.0-rc1']), img('C', 7, ['pre-release']), img('D', 1, ['dev'])];
    assert.deepEqual(run(images, [keepNewest(1, [regexp('^release-')])]), [
      'A keep by keep-rules 0',
      'B expire by keep-rules 0',
      'C expire by keep-rules 0',
      'D keep by keep-rules 0',
    ]);
    assert.deepEqual(run(images, [keepNewest(1, [regexp('rc|release')])]), [
      'A keep by keep-rules 0',
      'B keep by keep-rules 0',
      'C keep by keep-rules 0',
      'D keep by keep-rules 0',
    ]);
  });

  it('an excepted tag keeps its image even when the image loses its other tags', () => {
    const images = [img('A', 9, ['v1', 'lts']), img('B', 1, ['v2'])];
    assert.deepEqual(run(images, [keepNewest(1, [label('lts')])]), ['A untag v1 by keep-rules 0', 'B keep by keep-rules 0']);
  });
});

describe('date_rule: keep tags pushed within N days', () => {
  it('exactly N days is within; one millisecond more is removed', () => {
    const images = [img('A', 7, ['a'], { ms: 1 }), img('B', 7, ['b']), img('C', 7, ['c'], { ms: -1 })];
    assert.deepEqual(run(images, [keepDays(7)]), ['A expire by keep-rules 0', 'B keep by keep-rules 0', 'C keep by keep-rules 0']);
  });

  it('some tags removed leaves the image (untag); all removed expires it; untagged images are untouched', () => {
    const images = [img('A', 10, ['old-1', 'fresh'], { tagDays: { fresh: 1 } }), img('B', 10, ['old-2']), img('C', 10, [])];
    assert.deepEqual(run(images, [keepDays(7)]), ['A untag old-1 by keep-rules 0', 'B expire by keep-rules 0', 'C keep by none']);
  });
});

describe('pins, "or" and empty repositories', () => {
  it('a pinned image keeps every tag, and its tags still take their places in the count', () => {
    const images = [img('A', 3, ['v1']), img('B', 2, ['v2']), img('C', 1, ['v3'])];
    const c = ctx({ pins: pinsOf({ C: { id: 'pin-c', reason: 'prod' }, A: { id: 'pin-a', reason: 'rollback' } }) });
    assert.deepEqual(run(images, [keepNewest(1)], c), ['A keep by pinned pin-a (rollback)', 'B expire by keep-rules 0', 'C keep by pinned pin-c (prod)']);
  });

  it('several rules: a tag stays while any rule keeps it, and the decision names the rules that kept it', () => {
    const images = [img('A', 6, ['t6']), img('B', 5, ['t5']), img('C', 2, ['t2']), img('D', 1, ['t1'])];
    assert.deepEqual(run(images, [keepDays(3), keepNewest(1)]), [
      'A expire by keep-rules 0,1',
      'B expire by keep-rules 0,1',
      'C keep by keep-rules 0',
      'D keep by keep-rules 0,1',
    ]);
  });

  it('a tag one rule exempts is kept even if another rule would remove it', () => {
    const images = [img('A', 9, ['keep-me']), img('B', 1, ['x'])];
    assert.deepEqual(run(images, [keepDays(3, [label('keep-me')]), keepNewest(1)]), ['A keep by keep-rules 0', 'B keep by keep-rules 0,1']);
  });

  it('an empty repository yields no decisions', () => {
    assert.deepEqual(run([], [keepNewest(1)]), []);
  });
});

describe('the asynchronous entry', () => {
  it('decides every history above exactly as the synchronous engine, whatever the page size', async () => {
    assert.ok(fixtures.length > 5);
    for (const { size, got, expected } of await bothEntries(fixtures)) assert.deepEqual(got, expected, `pages of ${size}`);
  });
});
