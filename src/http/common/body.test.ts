// readBody and discardBody over real sockets (node:http on 127.0.0.1, raw clients): limits declared and reached
// mid-stream, chunked bodies, stalls, clients that leave before or while their body is read, Expect: 100-continue, and
// the unverified budget given back in every case.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { isRegistryError } from '../../core/index.ts';
import { bodyRefusal, discardBody, readBody, senderVerified } from './body.ts';
import { attachGuard, BodyGuard, type BodyLimits } from './body-guard.ts';

const LIMITS: BodyLimits = { unverifiedBodies: 2, unverifiedBodyBytes: 1 << 20, unverifiedBodiesPerClient: 0, idleMs: 300, minRate: 0, rateWindowMs: 1_000 };

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections();
  for (const s of servers) s.close();
});

/** A server whose requests carry `guard` (as berth's onRequest hook attaches it); Expect: 100-continue is left to the readers. */
async function serve(guard: BodyGuard, handler: Handler): Promise<number> {
  const server = createServer((req, res) => {
    attachGuard(req, res, guard, '');
    handler(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end(String(e));
    });
  });
  server.on('checkContinue', (req, res) => server.emit('request', req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

interface Raw {
  socket: Socket;
  /** Everything received until the server closed (or the test destroyed) the connection. */
  received: Promise<string>;
  text(): string;
}

function raw(port: number, ...data: Array<string | Buffer>): Raw {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  for (const d of data) socket.write(d);
  return { socket, received, text: () => text };
}

const head = (headers: Record<string, string>, method = 'POST'): string =>
  `${method} / HTTP/1.1\r\nhost: test\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
const chunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

/** What the handler saw, settled: the body, 'too-large', or the error it threw. */
type Outcome = { body: Buffer } | { tooLarge: true } | { error: unknown };

function settle(p: Promise<Buffer | 'too-large'>): Promise<Outcome> {
  return p.then(
    (b) => (b === 'too-large' ? { tooLarge: true as const } : { body: b }),
    (error: unknown) => ({ error }),
  );
}

function until(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`waited ${timeoutMs} ms for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('readBody', () => {
  it('reads a declared body whole and, unless told its sender is verified, keeps its budget place until the answer is sent', async () => {
    const guard = new BodyGuard(LIMITS, false);
    let during: { bodies: number; bytes: number } | null = null;
    let answer = (): void => undefined;
    const outcome = new Promise<Outcome>((resolve) => {
      void serve(guard, async (req, res) => {
        const o = await settle(readBody(req, 1_000));
        during = guard.unverifiedInUse;
        answer = () => res.end('ok');
        resolve(o);
      }).then((port) => raw(port, head({ 'content-length': '11' }), 'hello', ' world'));
    });
    assert.deepEqual(await outcome, { body: Buffer.from('hello world') });
    assert.deepEqual(during, { bodies: 1, bytes: 11 }, 'the body is still unverified while the handler works on it');
    answer();
    await until('the place to be given back with the answer', () => guard.unverifiedInUse.bodies === 0);
    assert.deepEqual(guard.unverifiedInUse, { bodies: 0, bytes: 0 });
  });

  it('gives a signed body its place back once the handler has checked the signature, before the answer', async () => {
    const guard = new BodyGuard(LIMITS, false);
    const seen: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      void serve(guard, async (req, res) => {
        await readBody(req, 1_000);
        seen.push(guard.unverifiedInUse);
        senderVerified(req);
        seen.push(guard.unverifiedInUse);
        senderVerified(req);
        res.end('ok');
        res.once('close', () => {
          seen.push(guard.unverifiedInUse);
          resolve();
        });
      }).then((port) => raw(port, head({ 'content-length': '2' }), '{}'));
    });
    await done;
    assert.deepEqual(seen, [
      { bodies: 1, bytes: 2 },
      { bodies: 0, bytes: 0 },
      { bodies: 0, bytes: 0 },
    ]);
  });

  it('refuses a body declared over the limit before reading a byte of it, reserving nothing, and marks the answer close', async () => {
    const guard = new BodyGuard(LIMITS, false);
    let seen: { outcome: Outcome; connection: unknown; inUse: unknown } | null = null;
    const port = await serve(guard, async (req, res) => {
      const outcome = await settle(readBody(req, 1_000));
      seen = { outcome, connection: res.getHeader('connection'), inUse: guard.unverifiedInUse };
      res.end('too large');
    });
    const c = raw(port, head({ 'content-length': '50000000' }));
    await until('the answer', () => c.text().includes('too large'));
    c.socket.destroy();
    assert.deepEqual(seen, { outcome: { tooLarge: true }, connection: 'close', inUse: { bodies: 0, bytes: 0 } });
  });

  it('stops at the limit when a chunked body grows past it, and gives its place back at once', async () => {
    const guard = new BodyGuard(LIMITS, false);
    const outcome = new Promise<{ o: Outcome; inUse: unknown; connection: unknown }>((resolve) => {
      void serve(guard, async (req, res) => {
        const o = await settle(readBody(req, 1_000));
        resolve({ o, inUse: guard.unverifiedInUse, connection: res.getHeader('connection') });
        res.end();
      }).then((port) => {
        const c = raw(port, head({ 'transfer-encoding': 'chunked' }), chunk('a'.repeat(600)));
        setTimeout(() => c.socket.write(chunk('b'.repeat(600))), 50);
      });
    });
    assert.deepEqual(await outcome, { o: { tooLarge: true }, inUse: { bodies: 0, bytes: 0 }, connection: 'close' });
  });

  it('reserves the endpoint limit for a chunked body of unknown length while reading it', async () => {
    const guard = new BodyGuard(LIMITS, false);
    let during: unknown = null;
    const outcome = new Promise<Outcome>((resolve) => {
      void serve(guard, async (req, res) => {
        const read = settle(readBody(req, 4_096));
        during = guard.unverifiedInUse;
        resolve(await read);
        res.end();
      }).then((port) => {
        const c = raw(port, head({ 'transfer-encoding': 'chunked' }), chunk('abc'));
        setTimeout(() => c.socket.write(`${chunk('def')}0\r\n\r\n`), 50);
      });
    });
    assert.deepEqual(await outcome, { body: Buffer.from('abcdef') });
    assert.deepEqual(during, { bodies: 1, bytes: 4_096 });
  });

  it('refuses a body once the budget is spent, with Retry-After and Connection: close, in the dialect words bodyRefusal gives', async () => {
    const guard = new BodyGuard({ ...LIMITS, unverifiedBodies: 1, idleMs: 2_000 }, false);
    const outcomes: Outcome[] = [];
    const headers: unknown[] = [];
    const port = await serve(guard, async (req, res) => {
      outcomes.push(await settle(readBody(req, 1_000)));
      headers.push({ retryAfter: res.getHeader('retry-after'), connection: res.getHeader('connection') });
      res.end();
    });
    const holder = raw(port, head({ 'content-length': '10' }), 'abc');
    await until('the first body to take the only place', () => guard.unverifiedInUse.bodies === 1);
    const refused = raw(port, head({ 'content-length': '10' }), 'abc');
    await until('the second to be refused', () => outcomes.length === 1);
    const [first] = outcomes as [Outcome];
    assert.ok('error' in first);
    const e = bodyRefusal(first.error, {});
    assert.ok(isRegistryError(e) && e.code === 'TOO_MANY_REQUESTS', String(e));
    assert.deepEqual(headers[0], { retryAfter: '1', connection: 'close' });
    holder.socket.write('defghij');
    await until('the holder to finish', () => outcomes.length === 2);
    assert.deepEqual(outcomes[1], { body: Buffer.from('abcdefghij') });
    await until('every place back', () => guard.unverifiedInUse.bodies === 0);
    holder.socket.destroy();
    refused.socket.destroy();
  });

  it('takes no place for a verified sender, unless auth is off and every sender counts (then only while reading)', async () => {
    for (const authOff of [false, true]) {
      const guard = new BodyGuard(LIMITS, authOff);
      let during: unknown = null;
      let afterRead: unknown = null;
      const done = new Promise<Outcome>((resolve) => {
        void serve(guard, async (req, res) => {
          const read = settle(readBody(req, 1_000, { trust: 'verified' }));
          during = guard.unverifiedInUse;
          const o = await read;
          afterRead = guard.unverifiedInUse;
          resolve(o);
          res.end();
        }).then((port) => raw(port, head({ 'content-length': '2' }), '{}'));
      });
      assert.deepEqual(await done, { body: Buffer.from('{}') });
      assert.deepEqual(during, authOff ? { bodies: 1, bytes: 2 } : { bodies: 0, bytes: 0 }, `authOff ${authOff}`);
      assert.deepEqual(afterRead, { bodies: 0, bytes: 0 }, 'a verified sender is done with its place once its body is read');
    }
  });

  it('gives up a stalled body after the idle time (the stalled problem, a 400 in every dialect) and gives its place back', async () => {
    const guard = new BodyGuard(LIMITS, false);
    const started = Date.now();
    const outcome = new Promise<{ o: Outcome; ms: number; connection: unknown }>((resolve) => {
      void serve(guard, async (req, res) => {
        const o = await settle(readBody(req, 1_000));
        resolve({ o, ms: Date.now() - started, connection: res.getHeader('connection') });
        res.end();
      }).then((port) => raw(port, head({ 'content-length': '100' }), 'only this'));
    });
    const { o, ms, connection } = await outcome;
    assert.ok('error' in o);
    const e = bodyRefusal(o.error, {});
    assert.ok(isRegistryError(e) && e.code === 'INVALID_REQUEST' && /stalled/.test(e.message), String(e));
    assert.ok(ms >= 250 && ms < 1_500, `given up after ${ms} ms`);
    assert.equal(connection, 'close');
    assert.deepEqual(guard.unverifiedInUse, { bodies: 0, bytes: 0 });
  });

  it('rejects when the client disconnects mid-body and gives its place back', async () => {
    const guard = new BodyGuard({ ...LIMITS, idleMs: 0 }, false);
    const outcome = new Promise<Outcome>((resolve) => {
      void serve(guard, async (req) => resolve(await settle(readBody(req, 1_000)))).then((port) => {
        const c = raw(port, head({ 'content-length': '100' }), 'part');
        setTimeout(() => c.socket.destroy(), 100);
      });
    });
    const o = await outcome;
    assert.ok('error' in o, JSON.stringify(o));
    assert.deepEqual(guard.unverifiedInUse, { bodies: 0, bytes: 0 });
  });

  it('rejects at once, taking no place, when the client left before the read began (e.g. while a token was checked)', async () => {
    // Watchdog off: nothing else would ever settle a read of a request that can no longer emit anything.
    const guard = new BodyGuard({ ...LIMITS, idleMs: 0, minRate: 0 }, false);
    const outcome = new Promise<{ o: Outcome; inUse: unknown }>((resolve) => {
      void serve(guard, async (req) => {
        await until('the client to be gone', () => req.destroyed);
        const read = settle(readBody(req, 1_000));
        const inUse = guard.unverifiedInUse;
        resolve({ o: await Promise.race([read, new Promise<Outcome>((r) => setTimeout(() => r({ error: 'still waiting after 1 s' }), 1_000))]), inUse });
      }).then((port) => {
        const c = raw(port, head({ 'content-length': '100' }), 'part');
        setTimeout(() => c.socket.destroy(), 50);
      });
    });
    const { o, inUse } = await outcome;
    assert.ok('error' in o && o.error instanceof Error && /aborted/.test(o.error.message), `read of a gone client: ${JSON.stringify(o)}`);
    assert.deepEqual(inUse, { bodies: 0, bytes: 0 });
    assert.deepEqual(guard.unverifiedInUse, { bodies: 0, bytes: 0 });
  });

  it('answers Expect: 100-continue only when it starts reading, so an answer from the headers goes out without one', async () => {
    const guard = new BodyGuard(LIMITS, false);
    const port = await serve(guard, async (req, res) => {
      if (req.url === '/read') {
        const b = await readBody(req, 1_000);
        res.end(`read ${String(b)}`);
      } else res.writeHead(401, { connection: 'close' }).end('refused from the headers');
    });
    const reader = raw(port, head({ 'content-length': '2', expect: '100-continue' }).replace('POST /', 'POST /read'));
    await until('a 100 Continue', () => reader.text().startsWith('HTTP/1.1 100 Continue'));
    reader.socket.write('{}');
    await until('the answer', () => reader.text().includes('read {}'));
    reader.socket.destroy();
    const refused = raw(port, head({ 'content-length': '2', expect: '100-continue' }));
    assert.match(await refused.received, /^HTTP\/1\.1 401 /);
  });
});

describe('discardBody', () => {
  it('drains a short declared body so the keep-alive connection serves the next request', async () => {
    const guard = new BodyGuard(LIMITS, false);
    const port = await serve(guard, async (req, res) => {
      await discardBody(req);
      res.end(`done ${req.url}`);
    });
    const c = raw(port, head({ 'content-length': '5' }), 'abcde', head({ 'content-length': '0' }, 'GET'));
    await until('both answers', () => (c.text().match(/done \//g) ?? []).length === 2);
    assert.doesNotMatch(c.text(), /connection: close/i);
    c.socket.destroy();
  });

  it('does not drain a long or chunked body: it returns at once and the answer closes the connection', async () => {
    for (const [headers, first] of [
      [{ 'content-length': '1000000' }, 'x'],
      [{ 'transfer-encoding': 'chunked' }, chunk('x')],
    ] as const) {
      const guard = new BodyGuard(LIMITS, false);
      let connection: unknown = null;
      const port = await serve(guard, async (req, res) => {
        await discardBody(req, 64 * 1024);
        connection = res.getHeader('connection');
        res.end('no');
      });
      const c = raw(port, head(headers), first);
      await until('the answer', () => c.text().includes('no'));
      assert.equal(connection, 'close', JSON.stringify(headers));
      c.socket.destroy();
    }
  });

  it('gives up a short body that stalls after the idle time, closing the connection after the answer', async () => {
    const guard = new BodyGuard(LIMITS, false);
    const started = Date.now();
    let ms = 0;
    const port = await serve(guard, async (req, res) => {
      await discardBody(req);
      ms = Date.now() - started;
      res.end('gave up');
    });
    const c = raw(port, head({ 'content-length': '100' }), 'abc');
    await until('the answer', () => c.text().includes('gave up'));
    assert.match(c.text(), /connection: close/i);
    assert.ok(ms >= 250 && ms < 1_500, `after ${ms} ms`);
    c.socket.destroy();
  });

  it('returns at once for a request whose client has already gone (its end will never come)', async () => {
    const guard = new BodyGuard({ ...LIMITS, idleMs: 0, minRate: 0 }, false);
    const waited = new Promise<string>((resolve) => {
      void serve(guard, async (req) => {
        await until('the client to be gone', () => req.destroyed);
        resolve(
          await Promise.race([discardBody(req).then(() => 'returned'), new Promise<string>((r) => setTimeout(() => r('still waiting after 1 s'), 1_000))]),
        );
      }).then((port) => {
        const c = raw(port, head({ 'content-length': '100' }), 'abc');
        setTimeout(() => c.socket.destroy(), 50);
      });
    });
    assert.equal(await waited, 'returned');
  });
});
