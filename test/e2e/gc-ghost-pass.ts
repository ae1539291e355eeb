// The GC-history tests that need a pass no live process runs (a `berth gc` killed mid-pass) plant its row straight in
// the embedded store and read its event stream over a raw socket, so they can stop reading or hold many at once.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type Database from 'better-sqlite3';
import { type KeyedBerth, keyBasic } from './key-helpers.ts';

/** A running pass of a dead CLI process (replica ghost:1) started at `now` (ms), halfway through its blobs; its lease ends `leaseMs` later. */
export function insertGhostPass(db: Database.Database, now: number, leaseMs: number): number {
  const { id } = db
    .prepare(
      `INSERT INTO gc_passes (started_by, dry_run, state, replica, started_at, updated_at, lease_until, phase, done, total)
        VALUES ('cli', 0, 'running', 'ghost:1', ?, ?, ?, 'blobs', 5, 10) RETURNING id`,
    )
    .get(now, now, now + leaseMs) as { id: number };
  return id;
}

/** The admin's event stream of pass `id`, on a connection of its own (no agent: each stream holds its socket). */
export function openPassEvents(k: KeyedBerth, id: number): Promise<IncomingMessage> {
  const u = new URL(k.berth.url);
  return new Promise((resolve, reject) => {
    httpRequest(
      { hostname: u.hostname, port: u.port, path: `/berth/v1/gc/passes/${id}/events`, headers: { authorization: keyBasic(k.admin) }, agent: false },
      resolve,
    )
      .on('error', reject)
      .end();
  });
}
