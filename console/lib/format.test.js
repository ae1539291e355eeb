// The console's number, size, digest and platform formats, checked with node:test (no browser needed).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatBytes, formatCount, formatTime, platformText, shortDigest } from './format.js';

it('writes sizes in binary units, whole bytes below 1 KiB', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(1_300_000), '1.24 MiB');
  assert.equal(formatBytes(50 * 1024 ** 3), '50.0 GiB');
  assert.equal(formatBytes(Number.NaN), '–');
});

it('writes counts with separators, times as local dates, digests short and platforms as os/arch/variant', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatTime(null), '–');
  assert.match(formatTime('2026-12-06T22:10:05Z'), /^2026-12-0[67] \d\d:10:05$/);
  assert.equal(shortDigest(`sha256:${'a'.repeat(64)}`), `sha256:${'a'.repeat(12)}`);
  assert.equal(platformText({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
  assert.equal(platformText({ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' }), 'windows/amd64 10.0.17763');
});
