// One grant, one meaning (docs/DIALECTS.md, "Who may change what"): namespaces take admin on ns/* in every dialect,
// descriptions take push, visibility, policy and mutability take admin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutImageTagMutabilityCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { AuthClient, createKey, ecrClient, type Key, keyBasic } from './ecr-helpers.ts';
import { type RunningBerth, startBerth } from './harness.ts';
import { API, ncr } from './ncr-helpers.ts';
import { Client, pushImage, randomHex } from './oci-helpers.ts';
import { swrRaw } from './swr-helpers.ts';

describe('the same right for the same change in every dialect', () => {
  let berth: RunningBerth;
  let admin: Key;
  let writer: Key;
  let nsAdmin: Key;
  let raw: Client;
  const ns = `rr${randomHex(3)}`;
  const repo = `${ns}/app`;

  before(async () => {
    berth = await startBerth({ args: ['--auth', 'required'] });
    admin = await createKey(berth, '--name', 'rr-admin', '--admin');
    writer = await createKey(berth, '--name', 'rr-writer', '--grant', `${ns}/*:pull,push,delete`);
    nsAdmin = await createKey(berth, '--name', 'rr-ns-admin', '--grant', `${ns}/*:admin`);
    raw = new Client(berth.url);
    await pushImage(new AuthClient(berth.url, keyBasic(admin)), repo, 'v1', { layers: 1, layerSize: 10 });
  });
  after(async () => berth?.dispose());

  it('NCR: creating or deleting a registry needs admin on {registry}/*, push and delete are not enough', async () => {
    const reg = `${ns}-n`;
    const writerKey = await createKey(berth, '--name', 'rr-n-writer', '--grant', `${reg}/*:pull,push,delete`);
    const regAdmin = await createKey(berth, '--name', 'rr-n-admin', '--grant', `${reg}/*:admin`);
    assert.equal((await ncr(raw, 'POST', `${API}/repositories/${reg}`, writerKey, { body: { bucket: 'b' } })).status, 403);
    assert.equal((await ncr(raw, 'POST', `${API}/repositories/${reg}`, regAdmin, { body: { bucket: 'b' } })).status, 201);
    assert.equal((await ncr(raw, 'DELETE', `${API}/repositories/${reg}`, writerKey)).status, 403);
    assert.equal((await ncr(raw, 'DELETE', `${API}/repositories/${reg}`, regAdmin)).status, 204);
  });

  it("NCR: an image's description needs push", async () => {
    const res = await ncr(raw, 'PATCH', `${API}/repositories/${ns}/app`, writer, { body: { description: 'by a writer' } });
    assert.equal(res.status, 204, res.text);
  });

  it('SWR: creating or deleting a namespace needs admin on ns/*', async () => {
    const other = `${ns}s`;
    const writerKey = await createKey(berth, '--name', 'rr-s-writer', '--grant', `${other}/*:pull,push,delete`);
    const nsKey = await createKey(berth, '--name', 'rr-s-admin', '--grant', `${other}/*:admin`);
    assert.equal((await swrRaw(raw, 'POST', '/v2/manage/namespaces', { key: writerKey, body: { namespace: other } })).status, 403);
    assert.equal((await swrRaw(raw, 'POST', '/v2/manage/namespaces', { key: nsKey, body: { namespace: other } })).status, 201);
    assert.equal((await swrRaw(raw, 'DELETE', `/v2/manage/namespaces/${other}`, { key: writerKey })).status, 403);
    assert.equal((await swrRaw(raw, 'DELETE', `/v2/manage/namespaces/${other}`, { key: nsKey })).status, 204);
  });

  it('SWR: updateRepo needs push for the description, admin to change is_public', async () => {
    const path = `/v2/manage/namespaces/${ns}/repos/app`;
    const described = await swrRaw(raw, 'PATCH', path, { key: writer, body: { is_public: false, description: 'by a writer' } });
    assert.equal(described.status, 201, described.text);
    const shown = await swrRaw(raw, 'GET', path, { key: writer });
    assert.equal((shown.json() as { description: string }).description, 'by a writer');
    assert.equal((await swrRaw(raw, 'PATCH', path, { key: writer, body: { is_public: true } })).status, 403, 'visibility is admin');
    assert.equal((await swrRaw(raw, 'PATCH', path, { key: nsAdmin, body: { is_public: true } })).status, 201);
    assert.equal((await swrRaw(raw, 'PATCH', path, { key: writer, body: { is_public: true, description: 'again' } })).status, 201, 'unchanged is_public');
  });

  it('ECR: policy and tag mutability need admin', async () => {
    const ecr = ecrClient(berth.url, writer);
    const denied = (e: Error) => e.name === 'AccessDeniedException';
    await assert.rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: '{"Version":"2012-10-17","Statement":[]}' })), denied);
    await assert.rejects(ecr.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: 'IMMUTABLE' })), denied);
    await ecrClient(berth.url, nsAdmin).send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: 'MUTABLE' }));
  });
});
