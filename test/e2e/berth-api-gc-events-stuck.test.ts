// An event stream whose client stops reading for good must not hold one of the capped stream slots after the pass
// ended: the end it cannot take is cut after a while, so a crowd of stuck clients cannot lock everyone out of SSE.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { insertGhostPass, openPassEvents } from './gc-ghost-pass.ts';
import { EMBEDDED_ONLY } from './harness.ts';
import { startKeyedBerth } from './key-helpers.ts';

const ENV = { BERTH_GC_GRACE: '0', BERTH_DELETION_RESTORE_WINDOW: '0', BERTH_GC_INTERVAL: '0' };

describe('berth API: a GC event stream nobody reads', { skip: EMBEDDED_ONLY }, () => {
  it('is cut once the pass is done and its client has not taken the end for a while', { timeout: 90_000 }, async () => {
    const k = await startKeyedBerth('gc-stuck', { env: ENV });
    const db = new Database(join(k.berth.dataDir, 'meta.db'));
    let stuck: IncomingMessage | undefined;
    try {
      const id = insertGhostPass(db, Date.now(), 600_000);
      stuck = await openPassEvents(k, id);
      assert.equal(stuck.statusCode, 200);
      stuck.pause();
      stuck.on('error', () => undefined);
      // The pass ends with a report far larger than the socket buffers: the client, not reading, can never take it all.
      const report = JSON.stringify({ dryRun: false, blobsRemoved: 0, bytesReclaimed: 0, pad: 'x'.repeat(32 * 1024 * 1024) });
      db.prepare(`UPDATE gc_passes SET state = 'done', finished_at = ?, updated_at = ?, report = ? WHERE id = ?`).run(Date.now(), Date.now() + 1, report, id);
      // Past the cut (15 s after the end), read what the socket got: the server dropped what it still held, so the
      // done event arrives cut short (without the cut, the whole 32 MiB event and a clean end arrive).
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      let got = 0;
      let tail = '';
      stuck.on('data', (d: Buffer) => {
        got += d.length;
        tail = (tail + d.toString('latin1')).slice(-16);
      });
      stuck.resume();
      const how = await new Promise<string>((resolve) => {
        stuck!.on('end', () => resolve('end'));
        stuck!.on('aborted', () => resolve('aborted'));
        stuck!.on('error', () => resolve('error'));
        stuck!.socket.on('close', () => resolve('close'));
      });
      assert.ok(got < report.length, `the stuck client got ${got} bytes (${how}): the stream was not cut`);
      assert.ok(!tail.endsWith('}\n\n'), tail);
    } finally {
      stuck?.destroy();
      db.close();
      await k.dispose();
    }
  });
});
