// Process leases against real berth processes (docs/DELETION.md, "Abandoned uploads"): a killed server's idle session
// is expired by a CLI beside it, but a live server's never is, whatever ownerLease the CLI runs with; a session resumed
// on another process is not expired while its request waits for a slot; nor is an upload still streaming while its
// server shuts down gracefully.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RunningBerth, runBerth, startBerth } from './harness.ts';
import { hold } from './slow-clients.ts';

const OCTETS = { 'content-type': 'application/octet-stream' };

async function openSession(b: RunningBerth, repo: string): Promise<string> {
  const r = await fetch(`${b.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(r.status, 202);
  return r.headers.get('location')!;
}

async function patch(b: RunningBerth, location: string, from: number, text: string): Promise<Response> {
  return fetch(new URL(location, b.url), {
    method: 'PATCH',
    headers: { ...OCTETS, 'content-range': `${from}-${from + text.length - 1}` },
    body: text,
  });
}

/** `berth gc --json` or `berth fsck --repair --json` beside the server, with its own uploads.ownerLease. */
async function expireFromCli(b: RunningBerth, command: 'gc' | 'fsck', ownerLease: string): Promise<number> {
  const args = command === 'gc' ? ['gc', '--json'] : ['fsck', '--repair', '--json'];
  const r = await runBerth([...args, '--data', b.dataDir], { BERTH_UPLOADS_OWNER_LEASE: ownerLease });
  const report = JSON.parse(r.stdout) as { abandonedUploadsExpired?: number; repaired?: { abandonedUploads: number } };
  return report.abandonedUploadsExpired ?? report.repaired?.abandonedUploads ?? Number.NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('upload sessions and process leases, across processes', () => {
  it("a CLI gc or fsck --repair with a shorter ownerLease than the server's never expires the live server's sessions", async () => {
    // The server renews its 60 s lease every 10 s; the CLIs judge with 1 s, 2.5 s after the last renewal.
    const b = await startBerth({ env: { BERTH_UPLOADS_OWNER_LEASE: '60s' } });
    try {
      const a = await openSession(b, 'lease/live');
      assert.equal((await patch(b, a, 0, 'hello')).status, 202);
      await sleep(2_500);
      assert.equal(await expireFromCli(b, 'gc', '1s'), 0, 'berth gc');
      assert.equal(await expireFromCli(b, 'fsck', '1s'), 0, 'berth fsck --repair');
      const resumed = await patch(b, a, 5, ' world');
      assert.equal(resumed.status, 202, await resumed.text());
    } finally {
      await b.dispose();
    }
  });

  it("does expire a killed server's idle session from the CLI once its lease has run out", async () => {
    const b = await startBerth({ env: { BERTH_UPLOADS_OWNER_LEASE: '1s' } });
    const a = await openSession(b, 'lease/dead');
    assert.equal((await patch(b, a, 0, 'hello')).status, 202);
    await b.stop('SIGKILL');
    try {
      await sleep(1_500);
      assert.equal(await expireFromCli(b, 'gc', '1s'), 1);
    } finally {
      await b.dispose();
    }
  });

  it('does not expire a session resumed on a new process while its request waits for an upload slot', async () => {
    const env = {
      BERTH_UPLOADS_OWNER_LEASE: '1s',
      BERTH_UPLOADS_MAX_CONCURRENT: '1',
      BERTH_UPLOADS_QUEUE_TIMEOUT: '10s',
      BERTH_REQUESTS_BODY_IDLE_TIMEOUT: '5s',
      BERTH_REQUESTS_BODY_RATE_WINDOW: '5s',
    };
    const first = await startBerth({ env });
    const a = await openSession(first, 'lease/resumed');
    assert.equal((await patch(first, a, 0, 'hello')).status, 202);
    await first.stop('SIGKILL');
    const second = await startBerth({ dataDir: first.dataDir, env });
    try {
      // Another upload holds the only slot for about 4 s: the resumed PATCH waits longer than a lease (1 s) while the
      // second process's own sweep (every 0.5 s) looks for sessions of dead processes.
      const holder = hold(second.url, {
        method: 'PATCH',
        path: await openSession(second, 'lease/holder'),
        headers: OCTETS,
        declared: 4_000,
        initial: 100,
        trickle: { bytes: 100, everyMs: 100 },
        complete: true,
      });
      await sleep(200);
      const resumed = await patch(second, a, 5, ' world');
      assert.equal(resumed.status, 202, await resumed.text());
      assert.equal(await holder.status, 202);
    } finally {
      await second.dispose();
      await first.dispose();
    }
  });

  it('keeps an upload streaming through a graceful shutdown alive: a CLI gc during the grace time leaves its session', async () => {
    const env = { BERTH_UPLOADS_OWNER_LEASE: '1s', BERTH_SHUTDOWN_GRACE_TIMEOUT: '20s' };
    const b = await startBerth({ env });
    try {
      const a = await openSession(b, 'lease/stopping');
      // Idle for more than a lease before its PATCH, which then streams for about 5 s.
      await sleep(1_500);
      const upload = hold(b.url, {
        method: 'PATCH',
        path: a,
        headers: OCTETS,
        declared: 100 * 1024,
        initial: 2_048,
        trickle: { bytes: 2_048, everyMs: 100 },
        complete: true,
      });
      await sleep(500);
      const stopped = b.stop('SIGTERM');
      await sleep(2_500);
      assert.equal(await expireFromCli(b, 'gc', '1s'), 0, 'the stopping server is alive until its last request is done');
      assert.equal(await upload.status, 202, upload.received().slice(0, 300));
      assert.equal(await stopped, 0);
    } finally {
      await b.dispose();
    }
  });
});
