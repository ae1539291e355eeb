// Request targets the router cannot decode (broken %-escapes, invalid UTF-8) answer 400 in the error shape of the
// dialect the path belongs to, never a framework page, a 5xx or a dropped connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningBerth, startBerth } from './harness.ts';
import { Client } from './oci-helpers.ts';

describe('undecodable request targets', () => {
  let berth: RunningBerth;
  let c: Client;
  before(async () => {
    berth = await startBerth();
    c = new Client(berth.url);
  });
  after(async () => berth?.dispose());

  it("answer 400 in each dialect's own error shape", async () => {
    const oci = await c.get('/v2/team/%ff/tags/list');
    assert.equal(oci.status, 400, oci.describe());
    assert.equal((oci.json() as { errors: Array<{ code: string }> }).errors[0]?.code, 'NAME_INVALID');

    const swr = await c.get('/v2/manage/namespaces/%ff');
    assert.equal(swr.status, 400, swr.describe());
    assert.match(String((swr.json() as { error_code?: string }).error_code), /^SVCSTG\.SWR\.400/);
    assert.ok(swr.header('x-request-id'), 'SWR answers carry X-Request-Id');

    const ncr = await c.get('/ncr/api/v2/repositories/reg/%zz');
    assert.equal(ncr.status, 400, ncr.describe());
    assert.equal((ncr.json() as { error?: { errorCode?: string } }).error?.errorCode, '100');

    const api = await c.get('/berth/v1/repositories/%ff/deleted-tags');
    assert.equal(api.status, 400, api.describe());
    assert.equal((api.json() as { error?: { code?: string } }).error?.code, 'INVALID_REQUEST');
  });
});
