// berth on the S3 blob store with blobs.s3.redirect: a blob GET answers 307 to a short-lived presigned URL of the
// object store (layer bytes bypass berth), after the same checks as a streamed GET; skopeo follows it and gets the
// exact image back. Without redirect, blobs stream through berth.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type S3Server, s3Server } from '../servers.ts';
import { type RunningBerth, startBerth } from './harness.ts';
import { Client, pushBlob, pushImage, random, sha256 } from './oci-helpers.ts';

const run = promisify(execFile);

function s3Url(server: S3Server, prefix: string): string {
  const q = new URLSearchParams({ endpoint: server.endpoint, region: server.region, forcePathStyle: 'true' });
  return `s3://${server.bucket}/${prefix}?${q}`;
}

describe('blobs on S3 with redirects', () => {
  let server: S3Server;
  let berth: RunningBerth;
  let dir: string;
  before(async () => {
    server = await s3Server();
    dir = await mkdtemp(join(tmpdir(), 'berth-redirect-'));
    const config = join(dir, 'berth.yaml');
    await writeFile(config, `blobs:\n  url: "${s3Url(server, `redirect-${randomUUID()}`)}"\n  s3:\n    redirect: true\n`);
    berth = await startBerth({ args: ['--config', config], env: { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey } });
  });
  after(async () => {
    await berth?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a blob GET with 307 to a presigned URL that serves exactly the blob; unknown blobs stay 404 in berth', async () => {
    const c = new Client(berth.url);
    const bytes = random(40_000);
    const blob = await pushBlob(c, 'redirect/app', bytes);
    const res = await c.get(`/v2/redirect/app/blobs/${blob.digest}`);
    assert.equal(res.status, 307, res.describe());
    assert.equal(res.header('docker-content-digest'), blob.digest);
    const location = res.header('location')!;
    assert.ok(location.startsWith(server.endpoint), location);
    const fetched = Buffer.from(await (await fetch(location)).arrayBuffer());
    assert.equal(sha256(fetched), blob.digest);
    const ranged = await fetch(location, { headers: { range: 'bytes=10-19' } });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), bytes.subarray(10, 20));
    assert.equal((await c.get(`/v2/redirect/app/blobs/${sha256(random(10))}`)).status, 404);
    assert.equal((await c.get(`/v2/redirect/other/blobs/${blob.digest}`)).status, 404, 'another repository cannot see it');
  });

  it('skopeo follows the redirects and copies the image back byte for byte', async () => {
    const c = new Client(berth.url);
    const img = await pushImage(c, 'redirect/img', 'v1', { layers: 2, layerSize: 30_000 });
    const out = join(dir, 'copy');
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${berth.host}/redirect/img:v1`, `dir:${out}`]);
    const { stdout } = await run('skopeo', ['inspect', '--raw', `dir:${out}`]);
    assert.equal(sha256(Buffer.from(stdout)), img.digest);
  });
});
