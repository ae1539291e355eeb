// Every malformed request to the berth API gets a clear 4xx with the JSON error body, never a 5xx or an HTML page:
// bad JSON, wrong types, missing and unknown fields, bad names, digests, tags, durations and pagination, unknown ids.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, assertApiError } from './berth-api-helpers.ts';
import { type RunningBerth, startBerth } from './harness.ts';
import { Client, pushImage } from './oci-helpers.ts';

interface Case {
  method: string;
  path: string;
  body?: unknown;
  status: number;
  code: string;
}

describe('berth API bad input', () => {
  let berth: RunningBerth;
  let c: Client;
  const repo = 'bad-input/app';
  before(async () => {
    berth = await startBerth();
    c = new Client(berth.url);
    await pushImage(c, repo, 'v1');
  });
  after(async () => berth.dispose());

  async function check(cases: Case[]): Promise<void> {
    for (const k of cases) {
      const res = await api(c, k.method, k.path, k.body);
      assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(k.body ?? null).slice(0, 80)}: ${res.describe()}`);
      assertApiError(res, k.status, k.code);
    }
  }

  it('pins: listing parameters', async () => {
    await check([
      { method: 'GET', path: '/berth/v1/pins?repository=Upper/Case', status: 400, code: 'NAME_INVALID' },
      { method: 'GET', path: '/berth/v1/pins?repository=a%2F%2Fb', status: 400, code: 'NAME_INVALID' },
      { method: 'GET', path: '/berth/v1/pins?limit=0', status: 400, code: 'PAGINATION_INVALID' },
      { method: 'GET', path: '/berth/v1/pins?limit=-5', status: 400, code: 'PAGINATION_INVALID' },
      { method: 'GET', path: '/berth/v1/pins?limit=ten', status: 400, code: 'PAGINATION_INVALID' },
      { method: 'GET', path: '/berth/v1/pins?limit=99999999999999999999', status: 400, code: 'PAGINATION_INVALID' },
      { method: 'GET', path: '/berth/v1/pins?after=', status: 400, code: 'INVALID_REQUEST' },
    ]);
  });

  it('pins: creating', async () => {
    const ok = { repository: repo, reference: 'v1', reason: 'x' };
    await check([
      { method: 'POST', path: '/berth/v1/pins', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: '{"repository":', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: '[]', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: '"pin"', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: 'null', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: {}, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { repository: repo, reference: 'v1' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reason: 42 }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reason: '   ' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reason: 'r'.repeat(5000) }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, owner: '' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, expires_in: '7d' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, expiresIn: 'soon' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, expiresIn: '0' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, expiresIn: 3600 }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, expiresIn: '-1h' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, repository: 'UP' }, status: 400, code: 'NAME_INVALID' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, repository: '../etc' }, status: 400, code: 'NAME_INVALID' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reference: '' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reference: 'sha256:zz' }, status: 400, code: 'DIGEST_INVALID' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reference: 'bad tag!' }, status: 400, code: 'TAG_INVALID' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reference: 'nope' }, status: 404, code: 'MANIFEST_UNKNOWN' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, reference: `sha256:${'0'.repeat(64)}` }, status: 404, code: 'MANIFEST_UNKNOWN' },
      { method: 'POST', path: '/berth/v1/pins', body: { ...ok, repository: 'no/such' }, status: 404, code: 'NAME_UNKNOWN' },
      { method: 'POST', path: '/berth/v1/pins', body: JSON.stringify({ ...ok, reason: 'x'.repeat(70_000) }), status: 400, code: 'INVALID_REQUEST' },
    ]);
  });

  it('pins: one pin by id, and methods that do not exist', async () => {
    await check([
      { method: 'GET', path: '/berth/v1/pins/nope', status: 404, code: 'PIN_UNKNOWN' },
      { method: 'GET', path: '/berth/v1/pins/pin-0000000000000000', status: 404, code: 'PIN_UNKNOWN' },
      { method: 'GET', path: '/berth/v1/pins/%2e%2e', status: 404, code: 'PIN_UNKNOWN' },
      { method: 'DELETE', path: '/berth/v1/pins/pin-0000000000000000', status: 404, code: 'PIN_UNKNOWN' },
      { method: 'DELETE', path: `/berth/v1/pins/${'x'.repeat(5000)}`, status: 404, code: 'PIN_UNKNOWN' },
      { method: 'PUT', path: '/berth/v1/pins', body: {}, status: 405, code: 'UNSUPPORTED' },
      { method: 'DELETE', path: '/berth/v1/pins', status: 405, code: 'UNSUPPORTED' },
      { method: 'POST', path: '/berth/v1/pins/pin-0000000000000000', body: {}, status: 405, code: 'UNSUPPORTED' },
    ]);
    const res = await api(c, 'PATCH', '/berth/v1/gc', {});
    assert.equal(res.header('allow'), 'GET, POST');
  });

  it('deleted tags and restore', async () => {
    await check([
      { method: 'GET', path: '/berth/v1/repositories/Upper/deleted-tags', status: 400, code: 'NAME_INVALID' },
      { method: 'GET', path: '/berth/v1/repositories/a//b/deleted-tags', status: 400, code: 'NAME_INVALID' },
      { method: 'GET', path: '/berth/v1/repositories/a%2Fb/deleted-tags', status: 400, code: 'NAME_INVALID' },
      { method: 'GET', path: '/berth/v1/repositories/a/../b/deleted-tags', status: 400, code: 'NAME_INVALID' },
      { method: 'GET', path: '/berth/v1/repositories/no/such/deleted-tags', status: 404, code: 'NAME_UNKNOWN' },
      { method: 'GET', path: `/berth/v1/repositories/${repo}/deleted-tags?limit=x`, status: 400, code: 'PAGINATION_INVALID' },
      { method: 'POST', path: '/berth/v1/restore', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/restore', body: '{', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: repo }, status: 400, code: 'INVALID_REQUEST' },
      {
        method: 'POST',
        path: '/berth/v1/restore',
        body: { repository: repo, tag: 'v1', digest: `sha256:${'0'.repeat(64)}` },
        status: 400,
        code: 'INVALID_REQUEST',
      },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: repo, tag: 'bad tag' }, status: 400, code: 'TAG_INVALID' },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: repo, tag: `sha256:${'0'.repeat(64)}` }, status: 400, code: 'TAG_INVALID' },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: repo, digest: 'sha256:1' }, status: 400, code: 'DIGEST_INVALID' },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: repo, digest: 'v1' }, status: 400, code: 'DIGEST_INVALID' },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: repo, tag: ['v1'] }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: 'no/such', tag: 'v1' }, status: 404, code: 'NAME_UNKNOWN' },
      { method: 'POST', path: '/berth/v1/restore', body: { repository: repo, tag: 'never-deleted' }, status: 404, code: 'MANIFEST_UNKNOWN' },
      { method: 'GET', path: '/berth/v1/restore', status: 405, code: 'UNSUPPORTED' },
    ]);
  });

  it('gc and audit', async () => {
    await check([
      { method: 'POST', path: '/berth/v1/gc', body: { dryRun: 'yes' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/gc', body: { grace: 'forever' }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/gc', body: { grace: 60 }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/gc', body: { dry_run: true }, status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/gc', body: '[1]', status: 400, code: 'INVALID_REQUEST' },
      { method: 'POST', path: '/berth/v1/gc', body: 'dryRun=true', status: 400, code: 'INVALID_REQUEST' },
      { method: 'GET', path: '/berth/v1/audit?before=0', status: 400, code: 'PAGINATION_INVALID' },
      { method: 'GET', path: '/berth/v1/audit?before=abc', status: 400, code: 'PAGINATION_INVALID' },
      { method: 'GET', path: '/berth/v1/audit?limit=1.5', status: 400, code: 'PAGINATION_INVALID' },
      { method: 'GET', path: '/berth/v1/audit?repository=Bad', status: 400, code: 'NAME_INVALID' },
      { method: 'GET', path: '/berth/v1/audit?action=', status: 400, code: 'INVALID_REQUEST' },
      { method: 'GET', path: `/berth/v1/audit?action=${'a'.repeat(300)}`, status: 400, code: 'INVALID_REQUEST' },
      { method: 'DELETE', path: '/berth/v1/audit', status: 405, code: 'UNSUPPORTED' },
    ]);
  });

  it('unknown endpoints under /berth/v1 are a JSON 404', async () => {
    for (const path of ['/berth/v1', '/berth/v1/', '/berth/v1/nothing', '/berth/v1/repositories/x/nothing', '/berth/v1/pins/a/b']) {
      assertApiError(await api(c, 'GET', path), 404, 'NOT_FOUND');
    }
  });
});
