// The test load balancer itself: the replica tests mean something only if it really moves every request (not every
// connection) to the next replica, streams bodies, keeps Host, honours pins and cuts the client when a replica dies.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { PIN_HEADER, RoundRobinProxy } from './replicas-proxy.ts';

async function echo(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/hang') return void server.emit('hang'); // answers never: the test kills it mid-request
      res.setHeader('x-replica', name);
      res.end(JSON.stringify({ host: req.headers.host, bytes: Buffer.concat(chunks).length, pin: req.headers[PIN_HEADER] ?? null }));
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the round-robin test proxy', () => {
  const replicas: Array<{ server: Server; url: string }> = [];
  let proxy: RoundRobinProxy;
  const agent = new Agent({ connections: 1 }); // one keep-alive connection: round robin must still move each request

  before(async () => {
    for (const name of ['a', 'b', 'c']) replicas.push(await echo(name));
    proxy = await RoundRobinProxy.start({ backends: replicas.map((r) => r.url) });
  });
  after(async () => {
    await agent.close();
    await proxy.close();
    for (const r of replicas) await new Promise((res) => r.server.close(res));
  });

  it('sends consecutive requests of one connection to the next replica each, with Host and body intact', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const body = Buffer.alloc(100_000 + i, 7);
      const r = await request(`${proxy.url}/x`, { method: 'PUT', body, dispatcher: agent });
      const doc = (await r.body.json()) as { host: string; bytes: number };
      assert.equal(doc.host, proxy.host, 'Host is the one the client sent');
      assert.equal(doc.bytes, body.length);
      seen.push(String(r.headers['x-replica']));
    }
    assert.deepEqual(seen, ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('honours a pin and does not forward the pin header; skips replicas out of rotation', async () => {
    const pinned = await request(`${proxy.url}/x`, { headers: { [PIN_HEADER]: '2' }, dispatcher: agent });
    assert.equal(pinned.headers['x-replica'], 'c');
    assert.equal(((await pinned.body.json()) as { pin: string | null }).pin, null);
    proxy.setBackend(1, null);
    const names = [];
    for (let i = 0; i < 4; i++) {
      const r = await request(`${proxy.url}/x`, { dispatcher: agent });
      await r.body.text();
      names.push(String(r.headers['x-replica']));
    }
    assert.ok(!names.includes('b'), `replica b is out of rotation: ${names.join(',')}`);
    proxy.setBackend(1, replicas[1]!.url);
  });

  it('cuts the client connection when the replica dies mid-request (an unknown outcome, never a made-up status)', async () => {
    const arrived = once(replicas[0]!.server, 'hang');
    const pending = request(`${proxy.url}/hang`, { headers: { [PIN_HEADER]: '0' }, dispatcher: new Agent() });
    await arrived; // the replica holds the request: now it dies mid-request, not before the proxy reached it
    replicas[0]!.server.closeAllConnections();
    await assert.rejects(pending, /socket|closed|reset/i);
  });
});
