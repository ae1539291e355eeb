// SWR must not tell a key without rights which namespaces exist: the refusal for an existing and a missing one is the
// same status and the same body, byte for byte, apart from the request id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthClient, createKey, type Key, keyBasic } from './ecr-helpers.ts';
import { type RunningBerth, startBerth } from './harness.ts';
import { Client, pushImage, randomHex } from './oci-helpers.ts';
import { swrRaw } from './swr-helpers.ts';

describe('SWR refusals do not tell existence', () => {
  let berth: RunningBerth;
  let admin: Key;
  let raw: Client;
  const ns = `ex${randomHex(3)}`;

  before(async () => {
    berth = await startBerth({ args: ['--auth', 'required'] });
    admin = await createKey(berth, '--name', 'ex-admin', '--admin');
    raw = new Client(berth.url);
    await pushImage(new AuthClient(berth.url, keyBasic(admin)), `${ns}/app`, 'v1', { layers: 1, layerSize: 10 });
  });
  after(async () => berth?.dispose());

  it('SWR: a key without rights gets byte-identical refusals for an existing and a missing namespace', async () => {
    const stranger = await createKey(berth, '--name', 'ex-stranger', '--grant', 'elsewhere/*:pull,push,delete,admin');
    const missing = `${ns}zz`;
    const body = (text: string): string => text.replace(/"request_id":"[^"]*"/g, '"request_id":""');
    for (const [method, tail] of [
      ['GET', ''],
      ['DELETE', ''],
      ['GET', '/repos/app'],
      ['PATCH', '/repos/app'],
      ['DELETE', '/repos/app'],
      ['GET', '/repos/app/tags'],
      ['DELETE', '/repos/app/tags/v1'],
    ] as const) {
      const call = (name: string) =>
        swrRaw(raw, method, `/v2/manage/namespaces/${name}${tail}`, { key: stranger, ...(method === 'PATCH' ? { body: { is_public: false } } : {}) });
      const [there, absent] = [await call(ns), await call(missing)];
      assert.equal(there.status, 403, `${method} ${tail}: ${there.text}`);
      assert.equal(absent.status, there.status, `${method} ${tail}`);
      assert.equal(body(absent.text.replaceAll(missing, 'NS')), body(there.text.replaceAll(ns, 'NS')), `${method} ${tail}`);
    }
  });
});
