import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { challenge, formatScope, parseScope, parseScopes } from './scope.ts';

describe('parseScope', () => {
  it('parses repository scopes, names with slashes included', () => {
    assert.deepEqual(parseScope('repository:team/app:pull,push'), { type: 'repository', name: 'team/app', actions: ['pull', 'push'] });
    assert.deepEqual(parseScope('repository:a/b/c:pull'), { type: 'repository', name: 'a/b/c', actions: ['pull'] });
    assert.deepEqual(parseScope('repository:app:*'), { type: 'repository', name: 'app', actions: ['*'] });
    assert.deepEqual(parseScope('repository:a:pull,pull'), { type: 'repository', name: 'a', actions: ['pull'] });
    assert.deepEqual(parseScope('repository(plugin):team/plug:pull'), { type: 'repository', name: 'team/plug', actions: ['pull'] });
  });
  it('parses registry:catalog:*', () => {
    assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
  });
  it('returns null for anything else', () => {
    for (const bad of [
      '',
      'repository:x',
      'repository:x:',
      'repository::pull',
      'bogus:x:pull',
      'repository:Team/App:pull',
      'repository:localhost:5000/x:pull',
      'repository:x:pull,',
      'repository:x:PULL',
      'registry:cat/alog:*',
      `repository:${'a'.repeat(2000)}:pull`,
    ]) {
      assert.equal(parseScope(bad), null, bad);
    }
  });
  it('parseScopes splits space-separated values across several params and drops bad ones', () => {
    assert.deepEqual(parseScopes(['repository:a/b:pull registry:catalog:*', 'junk', '', 'repository:c:push']), [
      { type: 'repository', name: 'a/b', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
      { type: 'repository', name: 'c', actions: ['push'] },
    ]);
  });
  it('formats back to the wire form', () => {
    assert.equal(formatScope({ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }), 'repository:a/b:pull,push');
  });
});

describe('challenge', () => {
  it('has realm and service, and no scope when none is needed', () => {
    assert.equal(challenge('http://h:5000/token', 'berth', []), 'Bearer realm="http://h:5000/token",service="berth"');
  });
  it('puts several scopes space-separated in one scope="..."', () => {
    assert.equal(
      challenge('https://reg.example/token', 'berth', [
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ]),
      'Bearer realm="https://reg.example/token",service="berth",scope="repository:team/app:pull,push registry:catalog:*"',
    );
  });
  it('escapes quotes and backslashes in configured values', () => {
    assert.equal(challenge('http://h/"x"', 'a\\b', []), 'Bearer realm="http://h/\\"x\\"",service="a\\\\b"');
  });
});
