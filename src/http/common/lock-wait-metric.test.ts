// The lock-wait histogram appears only for a store that reports lock waits (PostgreSQL), and counts what it reports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { registerLockWaitMetric } from './metrics.ts';

describe('berth_meta_lock_wait_seconds', () => {
  it('observes every wait the store reports', async () => {
    const registry = new Registry();
    let report: ((seconds: number) => void) | undefined;
    registerLockWaitMetric(registry, { onLockWait: (listener) => void (report = listener) });
    report!(0.002);
    report!(0.3);
    const text = await registry.metrics();
    assert.match(text, /^berth_meta_lock_wait_seconds_count 2$/m);
    assert.match(text, /^berth_meta_lock_wait_seconds_bucket\{le="0\.005"\} 1$/m);
    assert.match(text, /^berth_meta_lock_wait_seconds_sum 0\.302$/m);
  });

  it('is left out for a store whose writers never wait for each other (SQLite)', async () => {
    const registry = new Registry();
    registerLockWaitMetric(registry, {});
    assert.doesNotMatch(await registry.metrics(), /berth_meta_lock_wait_seconds/);
  });
});
