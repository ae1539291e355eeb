import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Grant, RegistryError } from '../core/index.ts';
import { allowedActions, allows, allowsEverywhere, fullAccessGrants, matchesRepository, parseGrant, validateGrant } from './grants.ts';

const invalid = (e: unknown): boolean => e instanceof RegistryError && e.code === 'INVALID_REQUEST';

describe('matchesRepository', () => {
  const table: Array<[string, string, boolean]> = [
    ['*', 'app', true],
    ['*', 'a/b/c', true],
    ['team/*', 'team/app', true],
    ['team/*', 'team/a/b', true],
    ['team/*', 'team', false],
    ['team/*', 'team/', false],
    ['team/*', 'teamx/app', false],
    ['team/*', 'other/team/app', false],
    ['team/sub/*', 'team/sub/x', true],
    ['team/sub/*', 'team/other/x', false],
    ['team/app', 'team/app', true],
    ['team/app', 'team/app2', false],
    ['team/app', 'team/app/x', false],
    ['te*', 'team', false],
    ['*/*', 'a/b', false],
    ['', '', false],
  ];
  for (const [pattern, repository, expected] of table) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(repository)}`, () => {
      assert.equal(matchesRepository(pattern, repository), expected);
    });
  }
});

describe('allows', () => {
  const grants: Grant[] = [
    { repositories: 'team/*', actions: ['pull', 'push'] },
    { repositories: 'ops/tool', actions: ['admin'] },
  ];
  it('checks the action against matching grants; admin implies every action', () => {
    assert.equal(allows(grants, 'team/app', 'pull'), true);
    assert.equal(allows(grants, 'team/app', 'push'), true);
    assert.equal(allows(grants, 'team/app', 'delete'), false);
    assert.equal(allows(grants, 'team/app', 'admin'), false);
    assert.equal(allows(grants, 'other/app', 'pull'), false);
    for (const a of ['pull', 'push', 'delete', 'admin'] as const) assert.equal(allows(grants, 'ops/tool', a), true, a);
    assert.equal(allows([], 'x', 'pull'), false);
  });
  it('allowedActions keeps the order asked, drops unknown and ungranted ones and repeats', () => {
    assert.deepEqual(allowedActions(grants, 'team/app', ['push', 'delete', 'fly', 'pull', 'push']), ['push', 'pull']);
  });
  it('allowsEverywhere needs a "*" grant', () => {
    assert.equal(allowsEverywhere(grants, 'pull'), false);
    assert.equal(allowsEverywhere([{ repositories: '*', actions: ['pull'] }], 'pull'), true);
    assert.equal(allowsEverywhere([{ repositories: '*', actions: ['pull'] }], 'delete'), false);
    assert.equal(allowsEverywhere(fullAccessGrants(), 'delete'), true);
  });
});

describe('parseGrant', () => {
  it('parses the CLI form', () => {
    assert.deepEqual(parseGrant('team/*:pull,push'), { repositories: 'team/*', actions: ['pull', 'push'] });
    assert.deepEqual(parseGrant('*:admin'), { repositories: '*', actions: ['admin'] });
    assert.deepEqual(parseGrant('team/app:pull'), { repositories: 'team/app', actions: ['pull'] });
    assert.deepEqual(parseGrant(' a/b-c/d:pull, pull ,delete '), { repositories: 'a/b-c/d', actions: ['pull', 'delete'] });
  });
  it('takes "*" as every action, alone or among others', () => {
    const every = ['pull', 'push', 'delete', 'admin'];
    assert.deepEqual(parseGrant('team/*:*'), { repositories: 'team/*', actions: every });
    assert.deepEqual(parseGrant('*:*'), { repositories: '*', actions: every });
    assert.deepEqual(parseGrant('team/app:pull,*'), { repositories: 'team/app', actions: every });
  });
  it('rejects junk with INVALID_REQUEST', () => {
    for (const bad of [
      'team',
      'team:',
      ':pull',
      'team/*:**',
      'team/*:pu*',
      'Team/*:pull',
      'team/*:fly',
      'a/**:pull',
      '*/app:pull',
      'te*:pull',
      'team/*:',
      'a//b:pull',
      '',
    ]) {
      assert.throws(() => parseGrant(bad), invalid, bad);
    }
  });
  it('takes pin-sync only on "*", where "*" actions do not include it and admin implies it', () => {
    assert.deepEqual(parseGrant('*:pin-sync'), { repositories: '*', actions: ['pin-sync'] });
    for (const bad of ['team/*:pin-sync', 'team/app:pull,pin-sync']) assert.throws(() => parseGrant(bad), /registry-wide right/, bad);
    assert.equal(parseGrant('*:*').actions.includes('pin-sync'), false);
    const sync = [parseGrant('*:pin-sync')];
    assert.equal(allowsEverywhere(sync, 'pin-sync'), true);
    for (const a of ['pull', 'push', 'delete', 'admin'] as const) assert.equal(allowsEverywhere(sync, a), false, a);
    assert.equal(allowsEverywhere([parseGrant('*:admin')], 'pin-sync'), true);
    assert.equal(allowsEverywhere([parseGrant('*:pull,push,delete')], 'pin-sync'), false);
  });
  it('validateGrant checks grants built in code', () => {
    assert.throws(() => validateGrant({ repositories: 'x', actions: [] }), invalid);
    assert.deepEqual(validateGrant({ repositories: 'x', actions: ['pull', 'pull'] }), { repositories: 'x', actions: ['pull'] });
  });
  it('full access is a fresh copy each time', () => {
    const a = fullAccessGrants();
    a[0]!.actions.pop();
    assert.deepEqual(fullAccessGrants(), [{ repositories: '*', actions: ['pull', 'push', 'delete', 'admin'] }]);
  });
});
