// Every AWS example text parses to the rules the engine's tests use (and decides as those tests say); each refusal
// is an InvalidParameterException worded as AWS words it; a rendered policy parses back to itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../../core/lifecycle/evaluate.ts';
import type { ExpireRule } from '../../../core/lifecycle/rules.ts';
import { brief, count, ctx, img, pulledDays, pushedDays, rule } from '../../../core/lifecycle/test-helpers.ts';
import { EcrError } from '../errors.ts';
import { parsePolicyText, policyTextOf } from './policy-text.ts';
import { AWS_EXAMPLES } from './test-helpers.ts';

/** The parsed rules without descriptions, to compare with the engine tests' rule() values. */
function rulesOf(text: string): ExpireRule[] {
  return parsePolicyText(text).rules.map(({ description: _, ...r }) => r);
}

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

/** The message of the InvalidParameterException a text is refused with. */
function refusal(text: string): string {
  try {
    parsePolicyText(text);
  } catch (e) {
    assert.ok(e instanceof EcrError, String(e));
    assert.equal(e.type, 'InvalidParameterException');
    assert.equal(e.status, 400);
    return e.message;
  }
  assert.fail(`accepted: ${text}`);
}

/** A policy of the given rules, padded with a description so it passes the 100-character minimum. */
function policy(...rules: unknown[]): string {
  return JSON.stringify({ rules }).padEnd(100, ' ');
}

const expire = { type: 'expire' };
const sel = (over: Record<string, unknown> = {}) => ({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1, ...over });
const r = (priority: unknown, selection: unknown = sel(), action: unknown = expire) => ({ rulePriority: priority, selection, action });

describe("AWS's example policies", () => {
  it('parse to the engine rules of expire-engine.test.ts', () => {
    assert.deepEqual(rulesOf(AWS_EXAMPLES.ageProd), [rule(1, { patterns: ['prod*'] }, pushedDays(14))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.ageUntagged), [rule(1, 'untagged', pushedDays(14))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.countUntagged), [rule(1, 'untagged', count(1))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.multipleA), [rule(1, { prefixes: ['prod'] }, count(1)), rule(2, { prefixes: ['beta'] }, count(1))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.multipleB), [rule(1, { prefixes: ['beta'] }, count(1)), rule(2, { prefixes: ['prod'] }, count(1))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.tagsA), [rule(1, { prefixes: ['alpha', 'beta'] }, pushedDays(5))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.tagsB), [rule(1, { prefixes: ['alpha', 'beta'] }, count(1))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.allA), [rule(1, 'any', count(1))]);
    assert.deepEqual(rulesOf(AWS_EXAMPLES.allB), [rule(1, { prefixes: ['alpha'] }, count(1)), rule(2, 'untagged', pushedDays(1)), rule(3, 'any', count(1))]);
    assert.equal(parsePolicyText(AWS_EXAMPLES.allB).rules[2]?.description, 'Rule 3');
  });

  it('decide as the page says, text to decisions', () => {
    const run = (text: string, images: ReturnType<typeof img>[]): string[] => evaluate(images, parsePolicyText(text), ctx()).map(brief);
    const abc = [img('A', 10, ['beta-1', 'prod-1']), img('B', 9, ['beta-2', 'prod-2']), img('C', 8, ['beta-3'])];
    assert.deepEqual(run(AWS_EXAMPLES.multipleA, abc), ['A expire by rule 1', 'B keep by rule 1', 'C keep by rule 2']);
    assert.deepEqual(run(AWS_EXAMPLES.multipleB, abc), ['A expire by rule 1', 'B expire by rule 1', 'C keep by rule 1']);
    const allB = [img('A', 4, ['alpha-1', 'beta-1']), img('B', 3, []), img('C', 2, ['alpha-2']), img('D', 1, ['git hash']), img('E', 1, [])];
    assert.deepEqual(run(AWS_EXAMPLES.allB, allB), ['A expire by rule 1', 'B expire by rule 2', 'C keep by rule 1', 'D expire by rule 3', 'E keep by rule 2']);
  });
});

describe('refusals, in AWS words', () => {
  it('text too short or too long is the member constraint, before any parsing', () => {
    assert.equal(
      refusal('{"rules":[]}'),
      "1 validation error detected: Value '{\"rules\":[]}' at 'lifecyclePolicyText' failed to satisfy constraint: Member must have length greater than or equal to 100",
    );
    assert.match(
      refusal(policy(r(1)).padEnd(30_721, ' ')),
      /at 'lifecyclePolicyText' failed to satisfy constraint: Member must have length less than or equal to 30720$/,
    );
    assert.doesNotThrow(() => parsePolicyText(policy(r(1)).padEnd(30_720, ' ')));
  });

  it('bad JSON, or JSON that is no object, cannot be mapped', () => {
    const unmapped = `${PREFIX}Could not map policyString into LifecyclePolicy.'`;
    assert.equal(refusal(`{"rules": [${'x'.repeat(100)}`), unmapped);
    assert.equal(refusal(JSON.stringify([r(1)]).padEnd(100, ' ')), unmapped);
  });

  it('schema failures name the property as the validator does', () => {
    const cases: [string, string][] = [
      [JSON.stringify({ no_rules: 'x'.repeat(100) }), 'object has missing required properties (["rules"])'],
      [policy(), 'array is too short: must have at least 1 elements but instance has 0 elements'],
      [policy('rule'), 'instance type (string) does not match any allowed primitive type (allowed: ["object"])'],
      [policy({ selection: sel(), action: expire }), 'object has missing required properties (["rulePriority"])'],
      [policy({ rulePriority: 1 }), 'object has missing required properties (["action", "selection"])'],
      [policy({ ...r(1), unknown: 1 }), 'object instance has properties which are not allowed by the schema: (["unknown"])'],
      [policy(r('1')), 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])'],
      [policy(r(0)), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)'],
      [policy(r(1, sel(), { type: 'keep' })), 'instance value (keep) not found in enum :(possible values: ["expire"])'],
      [policy(r(1, sel({ tagStatus: 'some' }))), 'instance value (some) not found in enum :(possible values: ["any", "tagged", "untagged"])'],
      [policy(r(1, sel({ countNumber: -1 }))), 'numeric instance is lower than the required minimum (minimum: 1, found: -1)'],
      [policy(r(1, sel({ countNumber: 2.5 }))), 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])'],
      [policy(r(1, sel({ countType: 'sinceImagePushed', countUnit: 'hours' }))), 'instance value (hours) not found in enum :(possible values: ["days"])'],
      [policy(r(1, sel({ tagStatus: 'tagged', tagPatternList: null }))), 'instance type (null) does not match any allowed primitive type (allowed: ["array"])'],
    ];
    for (const [text, detail] of cases) assert.equal(refusal(text), `${PREFIX}${detail}'`, text);
  });

  it('countUnit belongs to the ages only: with imageCountMoreThan, or missing from an age, no schema matches', () => {
    const none = `${PREFIX}instance failed to match exactly one schema (matched 0 out of 2)'`;
    assert.equal(refusal(policy(r(1, sel({ countUnit: 'days' })))), none);
    assert.equal(refusal(policy(r(1, sel({ countUnit: null })))), none);
    assert.equal(refusal(policy(r(1, sel({ countType: 'sinceImagePushed' })))), none);
    assert.equal(refusal(policy(r(1, sel({ countType: 'imageCountLessThan' })))), none);
    assert.deepEqual(rulesOf(policy(r(1, sel({ countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 })))), [rule(1, 'any', pulledDays(30))]);
  });

  it('priorities: unique, and the any rule last', () => {
    const dup = policy(r(1, sel({ tagStatus: 'untagged' })), r(1, sel({ tagStatus: 'tagged', tagPrefixList: ['a'] })));
    assert.equal(refusal(dup), `${PREFIX}Rule priorities must be unique: rulePriority 1 is used by more than one rule'`);
    const anyFirst = policy(r(1), r(2, sel({ tagStatus: 'untagged' })));
    assert.equal(refusal(anyFirst), `${PREFIX}Rule for tagStatus=ANY must have the lowest priority per storage class'`);
    const twoUntagged = policy(r(1, sel({ tagStatus: 'untagged' })), r(2, sel({ tagStatus: 'untagged', countNumber: 5 })));
    assert.equal(refusal(twoUntagged), `${PREFIX}Only one rule can select Untagged images per storage class'`);
  });

  it('tag lists: tagged needs one, wildcards at most four per pattern', () => {
    assert.equal(refusal(policy(r(1, sel({ tagStatus: 'tagged' })))), `${PREFIX}Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.'`);
    assert.equal(
      refusal(policy(r(1, sel({ tagStatus: 'tagged', tagPatternList: ['*a*b*c*d*'] })))),
      `${PREFIX}rule with priority 1: tag pattern "*a*b*c*d*" has more than 4 wildcards'`,
    );
    assert.deepEqual(rulesOf(policy(r(1, sel({ tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'] })))), [
      rule(1, { patterns: ['*test*1*2*3', 'test*1*2*3*'] }, count(1)),
    ]);
    assert.match(refusal(policy(r(1, sel({ tagPrefixList: ['a'] })))), /tagStatus any takes no tagPatternList or tagPrefixList/);
    assert.match(refusal(policy(r(1, sel({ tagStatus: 'tagged', tagPrefixList: ['a'], tagPatternList: ['b*'] })))), /needs exactly one of/);
  });

  it('archive features are refused: berth has no archive storage class', () => {
    const archive = (what: string): string => `${PREFIX}${what} is not supported: berth has no archive storage class; use the expire action'`;
    assert.equal(refusal(policy(r(1, sel(), { type: 'transition', targetStorageClass: 'archive' }))), archive('the transition action'));
    assert.equal(refusal(policy(r(1, sel(), { type: 'expire', targetStorageClass: 'archive' }))), archive('the transition action'));
    assert.equal(refusal(policy(r(1, sel({ storageClass: 'archive' })))), archive('storageClass archive'));
    const transitioned = sel({ countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 30 });
    assert.equal(refusal(policy(r(1, transitioned))), archive('countType sinceImageTransitioned'));
    // Every berth image is in the standard class: saying so changes nothing.
    assert.deepEqual(rulesOf(policy(r(1, sel({ storageClass: 'standard' })))), [rule(1, 'any', count(1))]);
  });
});

describe('policyTextOf', () => {
  it('renders a policy that parses back to itself, long enough for the member constraint', () => {
    for (const text of Object.values(AWS_EXAMPLES)) {
      const parsed = parsePolicyText(text);
      assert.deepEqual(parsePolicyText(policyTextOf(parsed)), parsed);
    }
    const pulled = { family: 'expire' as const, rules: [rule(1, 'any', pulledDays(90))] };
    assert.equal(
      policyTextOf(pulled),
      '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"expire"}}]}',
    );
    const smallest = { family: 'expire' as const, rules: [rule(1, 'any', count(1))] };
    assert.ok(policyTextOf(smallest).length >= 100);
  });
});
