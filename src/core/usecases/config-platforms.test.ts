// The config-platform cache: bounded, least recently used out first, and copies in and out so no caller can alter it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Digest } from '../model/digest.ts';
import { ConfigPlatforms } from './config-platforms.ts';
import type { Platform } from './image-platforms.ts';

const d = (n: number): Digest => `sha256:${n.toString(16).padStart(64, '0')}` as Digest;
const p = (architecture: string): Platform => ({ architecture, os: 'linux', variant: '', osVersion: '', osFeatures: [], features: ['f'] });

describe('ConfigPlatforms', () => {
  it('keeps at most its bound, dropping the least recently used', () => {
    const c = new ConfigPlatforms(2);
    c.set(d(1), p('amd64'));
    c.set(d(2), p('arm64'));
    assert.equal(c.get(d(1))?.architecture, 'amd64'); // 1 is now the most recent
    c.set(d(3), p('s390x'));
    assert.equal(c.size, 2);
    assert.equal(c.get(d(2)), undefined);
    assert.equal(c.get(d(1))?.architecture, 'amd64');
    assert.equal(c.get(d(3))?.architecture, 's390x');
  });

  it('hands out copies: changing one changes nothing the next caller sees', () => {
    const c = new ConfigPlatforms();
    const given = p('riscv64');
    c.set(d(7), given);
    given.features.push('changed after set');
    const first = c.get(d(7))!;
    first.features.push('changed after get');
    first.architecture = 'x';
    assert.deepEqual(c.get(d(7)), p('riscv64'));
  });
});
