// Reference reading decides which running images are this registry's: hosts with ports, runtime prefixes and
// Docker Hub short names must come out right, or a sync pins the wrong thing (or nothing).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostSet, isOurs, parseImageReference } from './reference.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it('reads host with port, repository, tag and digest', () => {
    assert.deepEqual(parseImageReference(`127.0.0.1:5000/team/app@${D}`), { host: '127.0.0.1:5000', repository: 'team/app', tag: null, digest: D });
    assert.deepEqual(parseImageReference('Registry.Example.com/team/app:v1.2'), {
      host: 'registry.example.com',
      repository: 'team/app',
      tag: 'v1.2',
      digest: null,
    });
    assert.deepEqual(parseImageReference(`localhost/app:v1@${D}`), { host: 'localhost', repository: 'app', tag: 'v1', digest: D });
    assert.deepEqual(parseImageReference('[::1]:5000/app:v1'), { host: '[::1]:5000', repository: 'app', tag: 'v1', digest: null });
  });

  it('strips a runtime prefix from an imageID', () => {
    assert.deepEqual(parseImageReference(`docker-pullable://127.0.0.1:5000/team/app@${D}`)?.digest, D);
    assert.equal(parseImageReference(`docker-pullable://127.0.0.1:5000/team/app@${D}`)?.host, '127.0.0.1:5000');
  });

  it('gives Docker Hub short names no host, and a bare name no tag', () => {
    assert.deepEqual(parseImageReference('nginx'), { host: null, repository: 'nginx', tag: null, digest: null });
    assert.deepEqual(parseImageReference('library/nginx:1.27'), { host: null, repository: 'library/nginx', tag: '1.27', digest: null });
  });

  it('refuses what is not a reference: bare image ids, bad digests, upper case names, empty', () => {
    for (const bad of [D, `docker://${D}`, 'host:5000/app@sha256:abc', 'host:5000/Team/app:v1', '', 'host:5000/app:', 'x'.repeat(2000)]) {
      assert.equal(parseImageReference(bad), null, bad.slice(0, 40));
    }
  });
});

describe('isOurs', () => {
  const hosts = hostSet(['127.0.0.1:5000', ' Registry.Example.com ', '']);
  it('matches the host exactly as listed (lowercase, port included)', () => {
    assert.equal(isOurs(parseImageReference('127.0.0.1:5000/a:v1')!, hosts), true);
    assert.equal(isOurs(parseImageReference('registry.example.com/a:v1')!, hosts), true);
    assert.equal(isOurs(parseImageReference('registry.example.com:443/a:v1')!, hosts), false);
    assert.equal(isOurs(parseImageReference('127.0.0.1:5001/a:v1')!, hosts), false);
    assert.equal(isOurs(parseImageReference('ghcr.io/a:v1')!, hosts), false);
  });
  it('never takes a Docker Hub short name, even when docker.io is listed', () => {
    assert.equal(isOurs(parseImageReference('nginx')!, hostSet(['docker.io'])), false);
  });
});
