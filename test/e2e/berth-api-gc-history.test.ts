// The GC pass history through the berth API against a real berth process (console issue 17): a pass started with
// wait:false is recorded at once and streams its end over SSE, a CLI pass shows in the server's history and status,
// the per-day sums match the reports, and the routes refuse non-admins and bad ids in the berth error shape.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { api, assertApiError, okJson } from './berth-api-helpers.ts';
import { insertGhostPass, openPassEvents } from './gc-ghost-pass.ts';
import { EMBEDDED_ONLY, runBerth, until } from './harness.ts';
import { AuthClient, createKey, type KeyedBerth, keyBasic, startKeyedBerth } from './key-helpers.ts';
import { assertStatus, pushImage, repoName, sha256 } from './oci-helpers.ts';

interface PassJson {
  id: number;
  trigger: 'schedule' | 'api' | 'cli';
  dryRun: boolean;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  replica: string;
  progress: { phase: string; done: number; total: number | null } | null;
  report: { blobsRemoved: number; bytesReclaimed: number; startedAt: string; dryRun: boolean } | null;
  error: string | null;
}
interface Events {
  name: string;
  data: string;
}

/** Deletes are final and garbage at once; no pass runs on a timer, so every pass here is one a test started. */
const ENV = { BERTH_GC_GRACE: '0', BERTH_DELETION_RESTORE_WINDOW: '0', BERTH_GC_INTERVAL: '0' };

/** The events of a whole SSE body (comments, such as heartbeats, left out). */
function events(text: string): Events[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const lines = block.split('\n');
      return {
        name: lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message',
        data: lines
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n'),
      };
    });
}

describe('berth API: GC pass history, progress and reclaimed bytes', () => {
  let k: KeyedBerth;
  let reader: AuthClient;
  const garbage = async (area: string): Promise<void> => {
    const repo = repoName(area);
    const image = await pushImage(k.oci, repo, 'v1', { layers: 2, layerSize: 4096 + randomBytes(1)[0]! });
    assertStatus(await k.oci.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
  };
  const passes = async (query = ''): Promise<{ passes: PassJson[]; next: string | null }> => okJson(await api(k.oci, 'GET', `/berth/v1/gc/passes${query}`));

  before(async () => {
    k = await startKeyedBerth('gc-history', { env: ENV });
    const key = await createKey(k.berth, '--name', 'puller', '--grant', '*:pull,push,delete');
    reader = new AuthClient(k.berth.url, keyBasic(key));
  });
  after(async () => k.dispose());

  it('POST /gc with wait:false answers 202 with the running pass and its Location; the pass is listed, and its event stream ends with done', async () => {
    await garbage('gch-api');
    const res = await api(k.oci, 'POST', '/berth/v1/gc', { wait: false });
    const { pass } = okJson<{ pass: PassJson }>(res, 202);
    assert.equal(pass.state, 'running');
    assert.deepEqual([pass.trigger, pass.dryRun, pass.finishedAt, pass.report, pass.error], ['api', false, null, null, null]);
    assert.ok(pass.replica.length > 0);
    assert.equal(res.header('location'), `/berth/v1/gc/passes/${pass.id}`);

    const listed = (await passes()).passes.find((p) => p.id === pass.id);
    assert.ok(listed && ['running', 'done'].includes(listed.state), JSON.stringify(listed));

    const stream = await k.oci.req('GET', `/berth/v1/gc/passes/${pass.id}/events`, { timeoutMs: 60_000 });
    assert.equal(stream.status, 200, stream.describe());
    assert.match(stream.header('content-type') ?? '', /^text\/event-stream/);
    const got = events(stream.text);
    assert.ok(
      got.slice(0, -1).every((e) => e.name === 'progress'),
      stream.text,
    );
    assert.equal(got.at(-1)?.name, 'done', stream.text);
    const done = JSON.parse(got.at(-1)!.data) as PassJson;
    assert.equal(done.id, pass.id);
    assert.equal(done.state, 'done');
    assert.ok(done.report!.blobsRemoved >= 3, JSON.stringify(done.report));
    assert.ok(done.finishedAt !== null && done.finishedAt >= done.startedAt);

    const one = okJson<{ pass: PassJson }>(await api(k.oci, 'GET', `/berth/v1/gc/passes/${pass.id}`)).pass;
    assert.deepEqual(one, done, 'the JSON and the final event say the same');
    // A finished pass's stream is one done event, at once.
    assert.deepEqual(
      events((await k.oci.req('GET', `/berth/v1/gc/passes/${pass.id}/events`)).text).map((e) => e.name),
      ['done'],
    );
  });

  it('a waiting POST /gc and a dry run are recorded too; the CLI pass appears in the history and in GET /gc status.last', async () => {
    await garbage('gch-cli');
    const waited = okJson<{ startedAt: string; blobsRemoved: number }>(await api(k.oci, 'POST', '/berth/v1/gc', {}));
    const dry = okJson<{ dryRun: boolean }>(await api(k.oci, 'POST', '/berth/v1/gc', { dryRun: true }));
    assert.equal(dry.dryRun, true);
    await garbage('gch-cli2');
    const run = await runBerth(['gc', '--json', '--data', k.berth.dataDir], ENV);
    assert.equal(run.code, 0, run.stderr);
    const cli = JSON.parse(run.stdout) as { startedAt: string; bytesReclaimed: number; blobsRemoved: number };
    assert.ok(cli.blobsRemoved >= 3, run.stdout);

    const [newest, dryPass, apiPass] = (await passes('?limit=3')).passes;
    assert.deepEqual(
      [newest?.trigger, newest?.state, newest?.dryRun, dryPass?.dryRun, apiPass?.trigger],
      ['cli', 'done', false, true, 'api'],
      'newest first: the CLI pass, the dry run, the waiting API pass',
    );
    assert.equal(newest!.report!.startedAt, cli.startedAt);
    assert.equal(newest!.report!.bytesReclaimed, cli.bytesReclaimed);
    assert.equal(apiPass!.report!.startedAt, waited.startedAt);
    assert.notEqual(newest!.replica, apiPass!.replica, 'the CLI process names itself, not the server');

    const { status } = okJson<{ status: { last: { startedAt: string; bytesReclaimed: number } | null } }>(await api(k.oci, 'GET', '/berth/v1/gc'));
    assert.equal(status.last?.startedAt, cli.startedAt, 'status.last comes from the shared history: the CLI pass');
  });

  it('pages the history newest first with before/next', async () => {
    const all = (await passes('?limit=1000')).passes;
    assert.ok(all.length >= 4);
    const first = await passes('?limit=2');
    assert.deepEqual(
      first.passes.map((p) => p.id),
      all.slice(0, 2).map((p) => p.id),
    );
    assert.equal(first.next, String(all[1]!.id));
    const second = await passes(`?limit=1000&before=${first.next}`);
    assert.deepEqual(
      second.passes.map((p) => p.id),
      all.slice(2).map((p) => p.id),
    );
    assert.equal(second.next, null);
  });

  it('GET /gc/reclaimed sums the reports of real passes per day, with a zero for each quiet day', async () => {
    await until('no pass is running', async () => (await passes()).passes.every((p) => p.state !== 'running'));
    const all = (await passes('?limit=1000')).passes;
    const { days } = okJson<{ days: Array<{ day: string; bytes: number; blobs: number; passes: number }> }>(
      await api(k.oci, 'GET', '/berth/v1/gc/reclaimed?days=3'),
    );
    assert.equal(days.length, 3);
    const today = new Date().toISOString().slice(0, 10);
    assert.ok([today, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)].includes(days.at(-1)!.day), 'the range ends today (UTC)');
    for (const day of days) {
      const real = all.filter((p) => p.state === 'done' && !p.dryRun && p.finishedAt!.startsWith(day.day));
      assert.deepEqual(day, {
        day: day.day,
        bytes: real.reduce((n, p) => n + p.report!.bytesReclaimed, 0),
        blobs: real.reduce((n, p) => n + p.report!.blobsRemoved, 0),
        passes: real.length,
      });
    }
    assert.ok(days.reduce((n, d) => n + d.bytes, 0) > 0);
    assert.equal(okJson<{ days: unknown[] }>(await api(k.oci, 'GET', '/berth/v1/gc/reclaimed')).days.length, 30, '30 days unless asked');
  });

  it('a pass of hundreds of blobs streams progress events, then done; a client that leaves or never reads costs nothing and stops nobody', async () => {
    // Orphan blobs (pushed, used by no manifest) are garbage at once with grace 0 (600 take a pass about 0.2 s here, so
    // the streams usually join it running; progress written mid-pass is proven in record-pass.test.ts).
    const repo = repoName('gch-long');
    const blobs = Array.from({ length: 600 }, (_, i) => Buffer.from(`orphan ${i} ${randomBytes(8).toString('hex')}`));
    for (let i = 0; i < blobs.length; i += 16) {
      await Promise.all(
        blobs.slice(i, i + 16).map(async (b) => {
          const r = await k.oci.req('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(b)}`, {
            body: b,
            headers: { 'content-type': 'application/octet-stream' },
          });
          assertStatus(r, 201);
        }),
      );
    }
    const { pass } = okJson<{ pass: PassJson }>(await api(k.oci, 'POST', '/berth/v1/gc', { wait: false }), 202);
    const open = (): Promise<IncomingMessage> => openPassEvents(k, pass.id);
    const [reading, leaving, stuck] = await Promise.all([open(), open(), open()]);
    stuck.pause();
    await new Promise((resolve) => leaving.once('data', resolve));
    leaving.destroy();
    let text = '';
    reading.setEncoding('utf8');
    reading.on('data', (d: string) => (text += d));
    await new Promise((resolve) => reading.on('end', resolve));
    const got = events(text);
    assert.equal(got.at(-1)?.name, 'done', text.slice(-500));
    const progress = got.filter((e) => e.name === 'progress').map((e) => JSON.parse(e.data) as PassJson);
    assert.equal(got.length, progress.length + 1, 'progress events, then one done');
    assert.ok(
      progress.every((p) => p.state === 'running' && p.id === pass.id),
      text.slice(0, 500),
    );
    const done = JSON.parse(got.at(-1)!.data) as PassJson;
    assert.ok(done.report!.blobsRemoved >= blobs.length, JSON.stringify(done.report));
    assert.deepEqual(done.progress, { phase: 'blobs', done: done.report!.blobsRemoved, total: done.report!.blobsRemoved });
    stuck.destroy();
    // The server is unharmed and answers at once.
    assert.equal(okJson<{ pass: PassJson }>(await api(k.oci, 'GET', `/berth/v1/gc/passes/${pass.id}`)).pass.state, 'done');
  });

  it('refuses non-admins (403) and bad ids, limits and days (400), unknown passes (404), in the berth error shape', async () => {
    const id = (await passes()).passes[0]!.id;
    for (const [method, path] of [
      ['GET', '/berth/v1/gc/passes'],
      ['GET', `/berth/v1/gc/passes/${id}`],
      ['GET', `/berth/v1/gc/passes/${id}/events`],
      ['GET', '/berth/v1/gc/reclaimed'],
      ['POST', '/berth/v1/gc'],
    ] as const) {
      assertApiError(await api(reader, method, path, method === 'POST' ? { wait: false } : undefined), 403, 'DENIED');
      assertApiError(await api(k.raw, method, path), 401, 'UNAUTHORIZED');
    }
    assertApiError(await api(k.oci, 'GET', '/berth/v1/gc/passes/abc'), 400, 'INVALID_REQUEST');
    assertApiError(await api(k.oci, 'GET', '/berth/v1/gc/passes/0'), 400, 'INVALID_REQUEST');
    assertApiError(await api(k.oci, 'GET', '/berth/v1/gc/passes/1e3/events'), 400, 'INVALID_REQUEST');
    assertApiError(await api(k.oci, 'GET', '/berth/v1/gc/passes/99999999'), 404, 'NOT_FOUND');
    assertApiError(await api(k.oci, 'GET', '/berth/v1/gc/passes/99999999/events'), 404, 'NOT_FOUND');
    assertApiError(await api(k.oci, 'GET', '/berth/v1/gc/passes?before=x'), 400, 'PAGINATION_INVALID');
    assertApiError(await api(k.oci, 'GET', '/berth/v1/gc/passes?limit=1001'), 400, 'PAGINATION_INVALID');
    for (const days of ['0', '367', 'x', '-1']) assertApiError(await api(k.oci, 'GET', `/berth/v1/gc/reclaimed?days=${days}`), 400, 'INVALID_REQUEST');
    assertApiError(await api(k.oci, 'POST', '/berth/v1/gc', { wait: 'no' }), 400, 'INVALID_REQUEST');
    assertApiError(await api(k.oci, 'DELETE', `/berth/v1/gc/passes/${id}`), 405);
  });
});

describe("berth API: passes on berth serve's own schedule are recorded too", () => {
  it('a scheduled pass is listed with trigger "schedule" and this server as its replica', async () => {
    const k = await startKeyedBerth('gc-schedule', { env: { ...ENV, BERTH_GC_INTERVAL: '500ms' } });
    try {
      let listed: PassJson[] = [];
      await until('a scheduled pass is done', async () => {
        listed = okJson<{ passes: PassJson[] }>(await api(k.oci, 'GET', '/berth/v1/gc/passes')).passes;
        return listed.some((p) => p.trigger === 'schedule' && p.state === 'done');
      });
      const scheduled = listed.find((p) => p.trigger === 'schedule')!;
      assert.equal(scheduled.dryRun, false);
      assert.match(scheduled.replica, new RegExp(`:${k.berth.process.pid}$`));
    } finally {
      await k.dispose();
    }
  });
});

describe('berth API: a pass whose process died, and the bound on open event streams', { skip: EMBEDDED_ONLY }, () => {
  it('streams the progress of a running pass, refuses the stream past the cap with 429, and ends every stream with done once its lease runs out', async () => {
    const k = await startKeyedBerth('gc-ghost', { env: ENV });
    const db = new Database(join(k.berth.dataDir, 'meta.db'));
    const streams: IncomingMessage[] = [];
    try {
      // A pass a `berth gc` left behind when it was killed: running, its lease a few seconds from running out.
      const now = Date.now();
      const id = insertGhostPass(db, now, 4_000);
      const open = (): Promise<IncomingMessage> => openPassEvents(k, id);
      for (let i = 0; i < 64; i++) streams.push(await open());
      assert.ok(streams.every((r) => r.statusCode === 200));
      assertApiError(await k.oci.req('GET', `/berth/v1/gc/passes/${id}/events`), 429, 'TOO_MANY_REQUESTS');
      const texts = streams.map((r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (text += d));
        return new Promise<string>((resolve) => r.on('end', () => resolve(text)));
      });
      const running = okJson<{ pass: PassJson }>(await api(k.oci, 'GET', `/berth/v1/gc/passes/${id}`)).pass;
      assert.deepEqual([running.state, running.progress], ['running', { phase: 'blobs', done: 5, total: 10 }]);
      const [first, ...rest] = await Promise.all(texts);
      const got = events(first!);
      assert.deepEqual(
        got.map((e) => e.name),
        ['progress', 'done'],
        first,
      );
      assert.equal((JSON.parse(got[0]!.data) as PassJson).state, 'running');
      const done = JSON.parse(got[1]!.data) as PassJson;
      assert.equal(done.state, 'failed');
      assert.match(done.error ?? '', /^abandoned/);
      assert.equal(done.finishedAt, new Date(now + 4_000).toISOString(), 'it ended, at the latest, when its lease ran out');
      assert.ok(rest.every((t) => t.endsWith(`"error":${JSON.stringify(done.error)}}\n\n`)));
      // Every stream closed, so the cap is free again.
      assert.equal((await k.oci.req('GET', `/berth/v1/gc/passes/${id}/events`)).status, 200);
    } finally {
      for (const r of streams) r.destroy();
      db.close();
      await k.dispose();
    }
  });
});
