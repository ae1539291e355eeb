import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { RegistryError } from '../../core/index.ts';
import { classify, type DialectErrors } from './error-handler.ts';

class Own extends Error {}
const words: DialectErrors<string> = {
  isOwn: (e): e is string => e instanceof Own,
  fromRegistry: (e) => `mapped ${e.code}`,
  badRequest: (m) => `bad ${m}`,
  internal: () => 'internal',
  send: () => undefined,
};
const req = (raw: object = {}) => ({ raw: { destroyed: false, readableAborted: false, ...raw } }) as unknown as FastifyRequest;

describe('the shared error handler', () => {
  it("maps each kind of failure to the dialect's words", () => {
    const own = new Own('x');
    assert.equal(classify(words, own, req()).answer, own);
    assert.deepEqual(classify(words, new RegistryError('NAME_UNKNOWN', 'n'), req()), { answer: 'mapped NAME_UNKNOWN', fault: false, gone: false });
    assert.deepEqual(classify(words, Object.assign(new Error('too big'), { statusCode: 413 }), req()), { answer: 'bad too big', fault: false, gone: false });
    assert.deepEqual(classify(words, new Error('boom'), req({ destroyed: true })), { answer: 'bad request aborted by the client', fault: false, gone: true });
    assert.deepEqual(classify(words, new Error('boom'), req()), { answer: 'internal', fault: true, gone: false });
  });

  it('treats a catalogue INTERNAL as a server fault: logged, and its message kept from the client', () => {
    assert.deepEqual(classify(words, new RegistryError('INTERNAL', 'master key is 31 bytes'), req()), { answer: 'internal', fault: true, gone: false });
  });
});
