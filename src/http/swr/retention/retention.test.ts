// SWR retention bodies (SWR's own API examples) to keep rules and back, SWR's ranges and refusals, and run records in
// ListRetentionHistories' shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../../core/lifecycle/evaluate.ts';
import { type RemovalRecord, removalsOf } from '../../../core/lifecycle/history.ts';
import { brief, ctx, img, keepDays, keepNewest, label, NOW, regexp } from '../../../core/lifecycle/test-helpers.ts';
import { SwrError } from '../errors.ts';
import { historyOf, parseRetention, retentionOf } from './retention.ts';

/** SWR's API reference, "Adding an Image Retention Policy" example request (date_rule, three exceptions). */
const DOC_EXAMPLE = {
  algorithm: 'or',
  rules: [
    {
      template: 'date_rule',
      params: { days: '30' },
      tag_selectors: [
        { kind: 'label', pattern: 'v5' },
        { kind: 'label', pattern: '1.0.1' },
        { kind: 'regexp', pattern: '^123$' },
      ],
    },
  ],
};

/** As the SDK builds it: new Rule('tag_rule', { num: '10' }, [new TagSelector('label', 'latest')]), JSON-serialised. */
const SDK_TAG_RULE = { algorithm: 'or', rules: [{ template: 'tag_rule', params: { num: '10' }, tag_selectors: [{ kind: 'label', pattern: 'latest' }] }] };

function refusal(body: unknown): string {
  try {
    parseRetention(body);
  } catch (e) {
    assert.ok(e instanceof SwrError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.code, 'SVCSTG.SWR.4000014');
    return e.message;
  }
  assert.fail(`accepted: ${JSON.stringify(body)}`);
}

const withRule = (rule: Record<string, unknown>) => ({ algorithm: 'or', rules: [rule] });

describe('parseRetention', () => {
  it("SWR's documented bodies parse to the keep-engine tests' rules", () => {
    assert.deepEqual(parseRetention(DOC_EXAMPLE), { family: 'keep', rules: [keepDays(30, [label('v5'), label('1.0.1'), regexp('^123$')])] });
    assert.deepEqual(parseRetention(SDK_TAG_RULE), { family: 'keep', rules: [keepNewest(10, [label('latest')])] });
    const both = { algorithm: 'or', rules: [DOC_EXAMPLE.rules[0], SDK_TAG_RULE.rules[0]] };
    assert.equal(parseRetention(both).rules.length, 2);
  });

  it('the exceptions act as exceptions once parsed: latest is neither counted nor removed', () => {
    const images = [img('A', 3, ['v1']), img('B', 2, ['v2']), img('C', 1, ['latest'])];
    const body = withRule({ template: 'tag_rule', params: { num: '1' }, tag_selectors: [{ kind: 'label', pattern: 'latest' }] });
    assert.deepEqual(evaluate(images, parseRetention(body), ctx()).map(brief), [
      'A expire by keep-rules 0',
      'B keep by keep-rules 0',
      'C keep by keep-rules 0',
    ]);
  });

  it("applies SWR's ranges: days 1-365, num 1-1000; numbers as strings, JSON integers taken too", () => {
    const days = (d: unknown) => withRule({ template: 'date_rule', params: { days: d }, tag_selectors: [] });
    const num = (n: unknown) => withRule({ template: 'tag_rule', params: { num: n }, tag_selectors: [] });
    assert.deepEqual(parseRetention(days('365')).rules, [keepDays(365)]);
    assert.deepEqual(parseRetention(num(1000)).rules, [keepNewest(1000)]);
    assert.equal(refusal(days('0')), 'rules[0].params.days must be a whole number from 1 to 365 (as a string, "1"), got "0"');
    assert.equal(refusal(days('366')), 'rules[0].params.days must be a whole number from 1 to 365 (as a string, "1"), got "366"');
    assert.equal(refusal(num('1001')), 'rules[0].params.num must be a whole number from 1 to 1000 (as a string, "1"), got "1001"');
    assert.equal(refusal(num('1.5')), 'rules[0].params.num must be a whole number from 1 to 1000 (as a string, "1"), got "1.5"');
    assert.equal(refusal(num(undefined)), 'rules[0].params.num must be a whole number from 1 to 1000 (as a string, "1"), got nothing');
  });

  it('refuses every other malformed body with the field named', () => {
    const cases: [unknown, string][] = [
      [[], 'body must be an object, got "[]"'],
      [{ ...DOC_EXAMPLE, algorithm: 'and' }, 'algorithm must be "or", got "and"'],
      [{ algorithm: 'or', rules: [] }, 'rules must be an array of 1 to 20 entries, got "[]"'],
      [withRule({ template: 'size_rule', params: {} }), 'rules[0].template must be "date_rule" or "tag_rule", got "size_rule"'],
      [withRule({ template: 'date_rule', params: { num: '3' } }), 'rules[0].params of date_rule takes only "days", got "num"'],
      [withRule({ template: 'tag_rule', params: '3' }), 'rules[0].params must be an object, got "3"'],
      [
        withRule({ template: 'tag_rule', params: { num: '3' }, tag_selectors: [{ kind: 'glob', pattern: 'x' }] }),
        'rules[0].tag_selectors[0].kind must be "label" or "regexp", got "glob"',
      ],
      [
        withRule({ template: 'tag_rule', params: { num: '3' }, tag_selectors: [{ kind: 'regexp', pattern: '(' }] }),
        'rules[0]: "(" is not a valid regular expression',
      ],
      [withRule({ template: 'tag_rule', params: { num: '3' }, tag_selectors: [{ kind: 'label', pattern: '' }] }), 'rules[0]: an empty tag selector'],
    ];
    for (const [body, message] of cases) assert.equal(refusal(body), message, JSON.stringify(body));
  });

  it('an absent or null tag_selectors is no exceptions', () => {
    assert.deepEqual(parseRetention(withRule({ template: 'tag_rule', params: { num: '5' } })).rules, [keepNewest(5)]);
    assert.deepEqual(parseRetention(withRule({ template: 'tag_rule', params: { num: '5' }, tag_selectors: null })).rules, [keepNewest(5)]);
  });
});

describe('retentionOf', () => {
  it('answers the stored policy in ShowRetention shape, numbers as strings, and parses back to itself', () => {
    const policy = parseRetention(DOC_EXAMPLE);
    assert.deepEqual(retentionOf(policy, 1093), { ...DOC_EXAMPLE, id: 1093, scope: '' });
    assert.deepEqual(parseRetention(retentionOf(policy, 1093)), policy);
    const sdk = parseRetention(SDK_TAG_RULE);
    assert.deepEqual(parseRetention(retentionOf(sdk, 2)), sdk);
  });
});

describe('historyOf', () => {
  it('one log entry per removed tag, with SWR names, times and rule types; Content-Range over the page', () => {
    const keepOne = { template: 'tag_rule', params: { num: '1' }, tag_selectors: [] };
    const policy = parseRetention({ algorithm: 'or', rules: [DOC_EXAMPLE.rules[0], keepOne] });
    const images = [img('A', 60, ['old-1', 'old-2']), img('B', 50, ['v5'])];
    const run = { repository: 'group/team/busybox', policyId: 1093, at: NOW };
    const records: RemovalRecord[] = evaluate(images, policy, ctx())
      .flatMap((d) => removalsOf(d, policy, run))
      .map((r, i) => ({ ...r, id: 10 + i }));
    const out = historyOf(records, { namespace: 'group', offset: 0, total: 2 });
    const entry = (id: number, tag: string) => ({
      created_at: '2026-03-01T12:00:00.000Z',
      id,
      namespace: 'group',
      repo: 'team/busybox',
      retention_id: 1093,
      rule_type: 'date_rule,tag_rule',
      tag,
    });
    assert.deepEqual(out, { body: { retention_log: [entry(10, 'old-1'), entry(11, 'old-2')], total: 2 }, contentRange: '0-2/2' });
  });

  it('leaves out tagless records (untagged manifests an ECR-family run expired); names a lone template alone', () => {
    const base = { repository: 'ns/app', policyId: 1, at: NOW, digest: 'sha256:x' as const, verdict: 'expire' as const };
    const records: RemovalRecord[] = [
      { ...base, id: 1, tag: null, rule: { family: 'expire', priority: 2 } },
      { ...base, id: 2, tag: 'v1', rule: { family: 'keep', rules: [0], templates: ['tag_rule'] } },
    ];
    const out = historyOf(records, { namespace: 'ns', offset: 5, total: 9 });
    assert.deepEqual(
      out.body.retention_log.map((l) => [l.id, l.tag, l.rule_type]),
      [[2, 'v1', 'tag_rule']],
    );
    assert.equal(out.contentRange, '5-1/9');
  });
});
