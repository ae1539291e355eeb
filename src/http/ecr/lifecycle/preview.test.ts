// The preview lists exactly the expiring images with their rule (pinned and kept ones are absent), the summary counts
// them all whatever the filter, and the answers carry AWS's statuses and epoch-second times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../../core/lifecycle/evaluate.ts';
import { count, ctx, img, pinsOf, pushedDays, rule } from '../../../core/lifecycle/test-helpers.ts';
import { lifecyclePolicyAnswer, previewAnswer, previewResultsOf, startedPreview } from './preview.ts';

const images = [img('A', 4, ['alpha-1', 'beta-1']), img('B', 3, []), img('C', 2, ['alpha-2']), img('D', 1, ['git hash']), img('E', 1, [])];
const allB = { family: 'expire' as const, rules: [rule(1, { prefixes: ['alpha'] }, count(1)), rule(2, 'untagged', pushedDays(1)), rule(3, 'any', count(1))] };
const at = (name: string): number => images.find((i) => i.digest === `sha256:${name}`)!.pushedAt.getTime() / 1000;
const p = { registryId: '123456789012', repositoryName: 'team/app', lifecyclePolicyText: '{"rules":[]}' };

describe('previewResultsOf', () => {
  it("AWS's all-images example B: A, B and D expire, each with its rule, oldest first", () => {
    const out = previewResultsOf(evaluate(images, allB, ctx()), images);
    assert.deepEqual(out, {
      previewResults: [
        { imageTags: ['alpha-1', 'beta-1'], imageDigest: 'sha256:A', imagePushedAt: at('A'), action: { type: 'EXPIRE' }, appliedRulePriority: 1 },
        { imageTags: [], imageDigest: 'sha256:B', imagePushedAt: at('B'), action: { type: 'EXPIRE' }, appliedRulePriority: 2 },
        { imageTags: ['git hash'], imageDigest: 'sha256:D', imagePushedAt: at('D'), action: { type: 'EXPIRE' }, appliedRulePriority: 3 },
      ],
      summary: { expiringImageTotalCount: 3 },
    });
  });

  it('a pinned image is kept, so it is not listed; the others fare as without the pin', () => {
    const decisions = evaluate(images, allB, ctx({ pins: pinsOf({ D: { id: 'pin-d', reason: 'prod' } }) }));
    const out = previewResultsOf(decisions, images);
    assert.deepEqual(
      out.previewResults.map((r) => r.imageDigest),
      ['sha256:A', 'sha256:B'],
    );
    assert.equal(out.summary.expiringImageTotalCount, 2);
  });

  it('the tagStatus filter narrows the list, never the summary', () => {
    const decisions = evaluate(images, allB, ctx());
    assert.deepEqual(
      previewResultsOf(decisions, images, 'TAGGED').previewResults.map((r) => r.imageDigest),
      ['sha256:A', 'sha256:D'],
    );
    const untagged = previewResultsOf(decisions, images, 'UNTAGGED');
    assert.deepEqual(
      untagged.previewResults.map((r) => r.imageDigest),
      ['sha256:B'],
    );
    assert.equal(untagged.summary.expiringImageTotalCount, 3);
  });

  it('decisions arriving out of order come out in push order; a decision without its image is a caller bug', () => {
    const decisions = evaluate(images, allB, ctx()).reverse();
    assert.deepEqual(
      previewResultsOf(decisions, images).previewResults.map((r) => r.imageDigest),
      ['sha256:A', 'sha256:B', 'sha256:D'],
    );
    assert.throws(() => previewResultsOf(decisions, images.slice(1)), /no image for the decision on sha256:A/);
  });
});

describe('answers', () => {
  it('start answers IN_PROGRESS; a running preview has no results yet; a complete one pages', () => {
    assert.deepEqual(startedPreview(p), { ...p, status: 'IN_PROGRESS' });
    const results = previewResultsOf(evaluate(images, allB, ctx()), images);
    assert.deepEqual(previewAnswer(p, 'running', { results }), { ...p, status: 'IN_PROGRESS' });
    assert.deepEqual(previewAnswer(p, 'failed'), { ...p, status: 'FAILED' });
    assert.deepEqual(previewAnswer(p, 'expired'), { ...p, status: 'EXPIRED' });
    assert.deepEqual(previewAnswer(p, 'complete', { results, nextToken: 'tok' }), {
      ...p,
      status: 'COMPLETE',
      nextToken: 'tok',
      previewResults: results.previewResults,
      summary: { expiringImageTotalCount: 3 },
    });
    assert.equal('nextToken' in previewAnswer(p, 'complete', { results }), false);
  });

  it('GetLifecyclePolicy: lastEvaluatedAt in epoch seconds, 0 before the first run', () => {
    assert.deepEqual(lifecyclePolicyAnswer(p, null), { ...p, lastEvaluatedAt: 0 });
    assert.equal(lifecyclePolicyAnswer(p, new Date('2026-03-01T12:00:00.500Z')).lastEvaluatedAt, 1772366400.5);
  });
});
