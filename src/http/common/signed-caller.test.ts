import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANONYMOUS_ADMIN, type KeyPrincipal } from '../../auth/index.ts';
import type { SignatureAuth } from './access.ts';
import { callerWithAuthOff, KeyLookup } from './signed-caller.ts';

const principal = { kind: 'key', keyId: 'AK1' } as unknown as KeyPrincipal;
function auth(mode: 'none' | 'required'): SignatureAuth {
  return {
    mode,
    signingKey: async (id) => (id === 'AK1' ? { principal, secret: 's3cret' } : null),
    issueLoginToken: async () => ({ token: 't', expiresAt: new Date(0) }),
  };
}

describe('signature callers with auth off', () => {
  it('lets unsigned callers and unknown keys in as administrator, never a failure that involves a known key', async () => {
    const none = auth('none');
    assert.deepEqual(await callerWithAuthOff(none, { ok: true, keyId: 'AK1' }, () => true), { principal: ANONYMOUS_ADMIN, keyId: 'AK1' });
    assert.deepEqual(await callerWithAuthOff(none, { ok: false, failure: 'missing' }, () => false), { principal: ANONYMOUS_ADMIN, keyId: null });
    assert.equal(await callerWithAuthOff(none, { ok: false, failure: 'mismatch' }, async () => true), null);
  });

  it('decides nothing with auth on', async () => {
    assert.equal(await callerWithAuthOff(auth('required'), { ok: true, keyId: 'AK1' }, () => false), null);
    assert.equal(await callerWithAuthOff(auth('required'), { ok: false, failure: 'missing' }, () => false), null);
  });

  it('remembers whose key the verifier looked up', async () => {
    const keys = new KeyLookup(auth('none'));
    assert.equal(await keys.secretOf('AK1'), 's3cret');
    assert.equal(keys.principal, principal);
    assert.equal(await keys.secretOf('nope'), null);
    assert.equal(keys.principal, null);
    assert.equal(await keys.exists('AK1'), true);
    assert.equal(await keys.exists(null), false);
  });
});
