// The lane mechanism on a real loopback server: what a lane may take, what it answers, and that everything else
// reaches the fallback (Fastify in the server) untouched.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Lane, laneMayTake, laneOrFastify } from './lane.ts';

function fakeRequest(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { method, url, headers } as unknown as IncomingMessage;
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('laneMayTake', () => {
  it('takes only bodiless GET and HEAD with a plain target', () => {
    assert.equal(laneMayTake(fakeRequest('GET', '/v2/a/manifests/latest')), true);
    assert.equal(laneMayTake(fakeRequest('HEAD', '/v2/a/tags/list?n=1')), true);
    assert.equal(laneMayTake(fakeRequest('PUT', '/v2/a/manifests/latest')), false);
    assert.equal(laneMayTake(fakeRequest('GET', '/v2/a/manifests/latest', { 'content-length': '0' })), false);
    assert.equal(laneMayTake(fakeRequest('GET', '/v2/a/manifests/latest', { 'transfer-encoding': 'chunked' })), false);
    assert.equal(laneMayTake(fakeRequest('GET', '/v2/a/manifests/latest', { expect: '100-continue' })), false);
    assert.equal(laneMayTake(fakeRequest('GET', '/v2/a%2fb/manifests/latest')), false);
    assert.equal(laneMayTake(fakeRequest('GET', `/v2/${'a'.repeat(1100)}/manifests/latest`)), false);
  });
});

describe('laneOrFastify', () => {
  let server: Server;
  let port: number;
  const fallback: string[] = [];
  const counted: string[] = [];
  const lanes: Record<string, Lane> = {
    '/answer': async () => ({ status: 200, headers: { 'content-type': 'text/plain', 'content-length': 2, 'x-lane': 'yes' }, body: Buffer.from('ok') }),
    '/decline': () => null,
    '/decline-later': async () => null,
    '/fails': async () => {
      throw new Error('lane broke');
    },
  };
  before(async () => {
    const fastify = (req: IncomingMessage, res: ServerResponse): void => {
      fallback.push(`${req.method} ${req.url}`);
      res.writeHead(299, { 'content-type': 'text/plain' }).end('fallback');
    };
    const handler = laneOrFastify(
      (url) => (url in lanes ? { name: 'test', lane: lanes[url]! } : undefined),
      fastify,
      (name, method, status, seconds) => {
        assert.ok(seconds >= 0 && seconds < 10);
        counted.push(`${name} ${method} ${status}`);
      },
    );
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('writes a lane answer as it is and counts it under the lane name', async () => {
    const r = await send(port, 'GET', '/answer');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-lane'], 'yes');
    assert.equal(r.body, 'ok');
    const head = await send(port, 'HEAD', '/answer');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '2');
    assert.equal(head.body, '');
    assert.deepEqual(counted, ['test GET 200', 'test HEAD 200']);
    assert.deepEqual(fallback, []);
  });

  it('hands the request to the fallback when the lane declines, at once or later, or fails', async () => {
    fallback.length = 0;
    for (const path of ['/decline', '/decline-later', '/fails']) {
      const r = await send(port, 'GET', path);
      assert.equal(r.status, 299, path);
      assert.equal(r.body, 'fallback');
    }
    assert.deepEqual(fallback, ['GET /decline', 'GET /decline-later', 'GET /fails']);
  });

  it('never offers a lane what it may not take: bodies, other methods, targets no lane claims', async () => {
    fallback.length = 0;
    counted.length = 0;
    await send(port, 'POST', '/answer', {}, 'x');
    await send(port, 'GET', '/answer', { 'content-length': '1' }, 'x');
    await send(port, 'GET', '/unclaimed');
    assert.deepEqual(fallback, ['POST /answer', 'GET /answer', 'GET /unclaimed']);
    assert.deepEqual(counted, []);
  });
});
