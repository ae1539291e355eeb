import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANONYMOUS, ANONYMOUS_ADMIN, can, grantedAccess, type KeyPrincipal, principalName, type TokenPrincipal } from './principal.ts';

const reader: KeyPrincipal = { kind: 'key', keyId: 'BKREADER', grants: [{ repositories: 'team/*', actions: ['pull'] }] };
const writer: KeyPrincipal = {
  kind: 'key',
  keyId: 'BKWRITER',
  grants: [
    { repositories: 'team/*', actions: ['pull', 'push'] },
    { repositories: 'team/own', actions: ['admin'] },
  ],
};
const everyone: KeyPrincipal = { kind: 'key', keyId: 'BKALL', grants: [{ repositories: '*', actions: ['pull'] }] };
const catalog = { type: 'registry', name: 'catalog' } as const;

describe('can', () => {
  it('anonymous-admin may do everything; anonymous nothing', () => {
    for (const a of ['pull', 'push', 'delete', 'admin'] as const) {
      assert.equal(can(ANONYMOUS_ADMIN, 'x/y', a), true);
      assert.equal(can(ANONYMOUS, 'x/y', a), false);
    }
    assert.equal(can(ANONYMOUS_ADMIN, catalog, 'pull'), true);
    assert.equal(can(ANONYMOUS, catalog, 'pull'), false);
  });

  it('a key is limited by its grants; the catalog needs pull on "*"', () => {
    assert.equal(can(reader, 'team/app', 'pull'), true);
    assert.equal(can(reader, { type: 'repository', name: 'team/app' }, 'pull'), true);
    assert.equal(can(reader, 'team/app', 'push'), false);
    assert.equal(can(reader, 'other/app', 'pull'), false);
    assert.equal(can(writer, 'team/own', 'delete'), true);
    assert.equal(can(reader, catalog, 'pull'), false);
    assert.equal(can(everyone, catalog, 'pull'), true);
    assert.equal(can(everyone, catalog, 'delete'), false);
  });

  it('a token is limited to the exact resources and actions it carries; "*" and admin cover all actions', () => {
    const token: TokenPrincipal = {
      kind: 'token',
      keyId: 'BK',
      access: [
        { type: 'repository', name: 'team/app', actions: ['pull'] },
        { type: 'repository', name: 'team/full', actions: ['*'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
        { type: 'repository', name: 'team/admin', actions: ['admin'] },
      ],
    };
    assert.equal(can(token, 'team/app', 'pull'), true);
    assert.equal(can(token, 'team/admin', 'delete'), true);
    assert.equal(can(token, 'team/app', 'push'), false);
    assert.equal(can(token, 'team/app2', 'pull'), false);
    assert.equal(can(token, 'team/full', 'delete'), true);
    assert.equal(can(token, catalog, 'pull'), true);
    assert.equal(can(token, { type: 'registry', name: 'team/app' }, 'pull'), false, 'type must match too');
  });

  it('names principals for audit', () => {
    assert.equal(principalName(reader), 'BKREADER');
    assert.equal(principalName(ANONYMOUS_ADMIN), 'anonymous');
  });
});

describe('grantedAccess', () => {
  it('intersects requested actions with grants, silently dropping the rest', () => {
    assert.deepEqual(
      grantedAccess(reader, [
        { type: 'repository', name: 'team/app', actions: ['pull', 'push', 'delete'] },
        { type: 'repository', name: 'other/x', actions: ['pull'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
        { type: 'repository', name: 'team/app', actions: ['fly'] },
      ]),
      [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
    );
  });

  it('merges repeated scopes for one repository', () => {
    assert.deepEqual(
      grantedAccess(writer, [
        { type: 'repository', name: 'team/app', actions: ['pull'] },
        { type: 'repository', name: 'team/app', actions: ['push', 'pull'] },
      ]),
      [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
    );
  });

  it('keeps "*" only with admin; otherwise narrows it to the granted actions', () => {
    assert.deepEqual(
      grantedAccess(writer, [
        { type: 'repository', name: 'team/own', actions: ['*'] },
        { type: 'repository', name: 'team/app', actions: ['*'] },
      ]),
      [
        { type: 'repository', name: 'team/own', actions: ['*'] },
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      ],
    );
  });

  it('grants registry:catalog:* to keys that may pull everything', () => {
    assert.deepEqual(grantedAccess(everyone, [{ type: 'registry', name: 'catalog', actions: ['*'] }]), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
    assert.deepEqual(grantedAccess(everyone, [{ type: 'registry', name: 'other', actions: ['*'] }]), []);
  });

  it('anonymous-admin gets what it asks; anonymous nothing', () => {
    const asked = [{ type: 'repository' as const, name: 'a', actions: ['pull', 'push'] }];
    assert.deepEqual(grantedAccess(ANONYMOUS_ADMIN, asked), asked);
    assert.deepEqual(grantedAccess(ANONYMOUS, asked), []);
  });
});
