import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../core/index.ts';
import { evaluatePolicy, PolicyCache, parseRepositoryPolicy, principalNames } from './repository-policy.ts';

const REGISTRY = '000000000000';
const policy = (statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('repository policies', () => {
  it('Deny wins over Allow; Allow applies when nothing denies; nothing matching is "none"', () => {
    const p = parseRepositoryPolicy(
      policy([
        { Sid: 'ro', Effect: 'Allow', Principal: { AWS: ['BKREADER'] }, Action: ['ecr:BatchGetImage', 'ecr:Describe*'] },
        { Effect: 'Deny', Principal: '*', Action: 'ecr:BatchDelete*' },
      ]),
    );
    const reader = principalNames('BKREADER', REGISTRY);
    assert.equal(evaluatePolicy(p, reader, ['ecr:BatchGetImage']), 'allow');
    assert.equal(evaluatePolicy(p, reader, ['ecr:describerepositories']), 'allow', 'actions are case-insensitive');
    assert.equal(evaluatePolicy(p, reader, ['ecr:BatchDeleteImage']), 'deny');
    assert.equal(evaluatePolicy(p, principalNames('BKOTHER', REGISTRY), ['ecr:BatchGetImage']), 'none');
    assert.equal(evaluatePolicy(p, [], ['ecr:BatchDeleteImage']), 'deny', 'anonymous matches "*"');
    assert.equal(evaluatePolicy(p, [], ['ecr:BatchGetImage']), 'none', 'anonymous matches no named principal');
  });

  it('a key answers to its id, its user ARN and the account', () => {
    for (const principal of ['BKK', `arn:aws:iam::${REGISTRY}:user/BKK`, `arn:aws:iam::${REGISTRY}:root`, REGISTRY, '*']) {
      const p = parseRepositoryPolicy(policy([{ Effect: 'Deny', Principal: { AWS: principal }, Action: 'ecr:*' }]));
      assert.equal(evaluatePolicy(p, principalNames('BKK', REGISTRY), ['ecr:PutImage']), 'deny', principal);
    }
    const other = parseRepositoryPolicy(policy([{ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: '*' }]));
    assert.equal(evaluatePolicy(other, principalNames('BKK', REGISTRY), ['ecr:PutImage']), 'none');
  });

  it('wildcards match with * and ? only, and never build a regex from policy text', () => {
    const p = parseRepositoryPolicy(policy([{ Effect: 'Deny', Principal: '*', Action: ['ecr:Get?uthorizationToken', 'ecr:*Layer*'] }]));
    assert.equal(evaluatePolicy(p, [], ['ecr:GetAuthorizationToken']), 'deny');
    assert.equal(evaluatePolicy(p, [], ['ecr:GetDownloadUrlForLayer']), 'deny');
    assert.equal(evaluatePolicy(p, [], ['ecr:PutImage']), 'none');
    const many = parseRepositoryPolicy(policy([{ Effect: 'Deny', Principal: '*', Action: `ecr:${'*a'.repeat(40)}b` }]));
    const started = process.hrtime.bigint();
    assert.equal(evaluatePolicy(many, [], [`ecr:${'a'.repeat(60)}`]), 'none');
    assert.ok(process.hrtime.bigint() - started < 50_000_000n, 'no catastrophic backtracking');
  });

  it('refuses what it could not enforce or does not understand, saying why', () => {
    const bad: Array<[string, RegExp]> = [
      ['not json', /not valid JSON/],
      ['[]', /must be a JSON object/],
      [JSON.stringify({ Statement: [] }), /non-empty list/],
      [policy([{ Effect: 'Maybe', Principal: '*', Action: 'ecr:*' }]), /Effect must be/],
      [policy([{ Effect: 'Allow', Action: 'ecr:*' }]), /Principal is required/],
      [policy([{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }]), /not an ecr: action/],
      [policy([{ Effect: 'Allow', Principal: '*', Action: 'ecr:*', Condition: {} }]), /Condition is not supported/],
      [policy([{ Effect: 'Allow', Principal: { Other: 'x' }, Action: 'ecr:*' }]), /Principal.Other is not supported/],
      // Stored but never matching, these would make a Deny protect nothing.
      [policy([{ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::000000000000:user/*' }, Action: 'ecr:BatchDeleteImage' }]), /not a principal berth can match/],
      [policy([{ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::000000000000:role/deployer' }, Action: 'ecr:*' }]), /not a principal berth can match/],
      [policy([{ Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'ecr:*' }]), /Principal.Service is not supported/],
      [JSON.stringify({ Version: '2001', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }] }), /Version/],
    ];
    for (const [text, why] of bad) {
      assert.throws(
        () => parseRepositoryPolicy(text),
        (e: unknown) => e instanceof RegistryError && e.code === 'INVALID_REQUEST' && why.test(e.message),
        text,
      );
    }
    assert.equal(
      parseRepositoryPolicy(JSON.stringify({ Statement: { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'ecr:*', Resource: '*' } })).statements[0]!
        .principals,
      null,
    );
  });

  it('the cache parses each text once and turns a broken stored policy into null', () => {
    const cache = new PolicyCache(2);
    const text = policy([{ Effect: 'Deny', Principal: '*', Action: 'ecr:*' }]);
    assert.equal(cache.get(text), cache.get(text));
    assert.equal(cache.get('{'), null);
  });
});
