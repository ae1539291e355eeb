// The slow-connection figure in short (test/load/slow.ts is the full run): 500 slow or stalled connections, half
// strangers and half a low-rights key, held open while a well-behaved client pushes and pulls; with 1 s timeouts every
// one is closed within its documented time, the client's p99 stays within max(2x idle, idle + 10 ms), RSS stays bounded.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatSlowLoad, runSlowLoad } from '../load/slow-engine.ts';

it('500 slow or stalled connections do not slow a well-behaved client, bloat berth, or stay open', async () => {
  const result = await runSlowLoad({
    connections: 500,
    cycles: 150,
    idle: '1s',
    rateWindow: '1s',
    headersTimeout: '1s',
    queueTimeout: '1s',
    log: () => undefined,
  });
  const table = formatSlowLoad(result);
  for (const k of result.kinds) {
    assert.equal(k.open, 0, `${k.kind}: ${k.open} never closed\n${table}`);
    assert.ok(k.maxCloseMs <= k.boundMs, `${k.kind}: closed after ${k.maxCloseMs} ms, bound ${k.boundMs} ms\n${table}`);
  }
  assert.ok(result.rssGrowthMiB <= result.rssBoundMiB, `RSS growth\n${table}`);
  assert.ok(result.p99LoadMs <= result.p99BoundMs, `p99 under load\n${table}`);
});
