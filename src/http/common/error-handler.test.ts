import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { RegistryError } from '../../core/index.ts';
import { readBody } from './body.ts';
import { classify, clientWentAway, type DialectErrors, setDialectErrorHandler } from './error-handler.ts';

class Own extends Error {}
const words: DialectErrors<string> = {
  isOwn: (e): e is string => e instanceof Own,
  fromRegistry: (e) => `mapped ${e.code}`,
  badRequest: (m) => `bad ${m}`,
  internal: () => 'internal',
  send: () => undefined,
};

describe('the shared error handler', () => {
  it("maps each kind of failure to the dialect's words", () => {
    const own = new Own('x');
    assert.equal(classify(words, own, false).answer, own);
    assert.deepEqual(classify(words, new RegistryError('NAME_UNKNOWN', 'n'), false), { answer: 'mapped NAME_UNKNOWN', fault: false, gone: false });
    assert.deepEqual(classify(words, Object.assign(new Error('too big'), { statusCode: 413 }), false), { answer: 'bad too big', fault: false, gone: false });
    assert.deepEqual(classify(words, new Error('boom'), true), { answer: 'bad request aborted by the client', fault: false, gone: true });
    assert.deepEqual(classify(words, new Error('boom'), false), { answer: 'internal', fault: true, gone: false });
  });

  it('takes a client as gone only when its body was cut short or its connection closed, not when its body was read', () => {
    const at = (raw: object, res: object = {}) =>
      clientWentAway(
        { raw: { destroyed: true, readableAborted: false, socket: { destroyed: false }, ...raw } } as unknown as FastifyRequest,
        { raw: { destroyed: false, ...res } } as unknown as FastifyReply,
      );
    assert.equal(at({}), false, 'a body read to the end leaves the request stream destroyed; the client is still there');
    assert.equal(at({ readableAborted: true }), true);
    assert.equal(at({ socket: { destroyed: true } }), true);
    assert.equal(at({}, { destroyed: true }), true);
  });

  it('treats a catalogue INTERNAL as a server fault: logged, and its message kept from the client', () => {
    assert.deepEqual(classify(words, new RegistryError('INTERNAL', 'master key is 31 bytes'), false), { answer: 'internal', fault: true, gone: false });
  });
});

describe('the shared error handler on a live request', () => {
  async function appThatFailsAfterReading(): Promise<{ app: FastifyInstance; logs: Array<{ level: number; msg: string }> }> {
    const logs: Array<{ level: number; msg: string }> = [];
    const stream = { write: (line: string) => logs.push(JSON.parse(line) as { level: number; msg: string }) };
    const app = Fastify({ loggerInstance: pino({ level: 'info' }, stream) as FastifyBaseLogger });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    setDialectErrorHandler(app, { ...words, send: (_req, reply, answer) => reply.code(answer === 'internal' ? 500 : 400).send(answer) });
    app.post('/', async (req) => {
      await readBody(req.raw, 1024);
      throw new Error('a store failed after the whole body was read');
    });
    return { app, logs };
  }

  // Over a real socket: Node destroys a request stream once its body has been read to the end (inject's fake one is not).
  it('answers an error thrown after a complete body read as a logged 500, not as a client that went away', async () => {
    const { app, logs } = await appThatFailsAfterReading();
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const res = await fetch(url, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'internal');
      assert.ok(
        logs.some((l) => l.level === 50 && l.msg === 'request failed'),
        JSON.stringify(logs),
      );
      assert.ok(!logs.some((l) => l.msg === 'client went away'), JSON.stringify(logs));
    } finally {
      await app.close();
    }
  });
});
