// An answer sent before its request body has arrived (refused from the headers, too large, stalled) closes the
// connection. Destroying the socket at once would make the kernel reset it while the client is still sending, and a
// reset can throw away the answer before the client reads it; so berth lingers, briefly and boundedly: it half-closes,
// discards at most LINGER_BYTES of what still arrives, and destroys the socket after LINGER_MS (or once the client
// closes its side).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { noteStreamed } from './memory-relief.ts';

export const LINGER_MS = 1_000;
export const LINGER_BYTES = 256 * 1024;

const lingering = new WeakSet<Socket>();

/**
 * Makes Node's own close after a `Connection: close` answer to `req` (socket.destroySoon, called once the answer is
 * written) a bounded lingering close instead. The rest of the body is read and dropped, never kept: a reader that
 * gave up (too large, stalled) paused it, and a paused socket discards nothing, so the client's bytes would sit in the
 * kernel and the final destroy would reset the connection after all. The byte bound is checked as each read arrives,
 * not on a timer (a fast client can send far more than LINGER_BYTES between two ticks); past it berth stops reading.
 */
export function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket as Socket | null;
  if (!socket || lingering.has(socket)) return;
  lingering.add(socket);
  // A body nobody read is "dumped" by Node once the answer is written: its bytes are then dropped inside the parser,
  // out of sight, at whatever rate the client sends. A read (of nothing) marks it consumed so it is not dumped, and the
  // discard below, which counts, does the dropping instead.
  if (!req.complete && !req.destroyed) req.read(0);
  socket.destroySoon = function lingerThenDestroy(this: Socket): void {
    const startBytes = this.bytesRead;
    const done = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      this.off('resume', keepPaused);
      if (!this.destroyed) this.destroy();
    };
    // Body bytes reach `req` from Node's parser synchronously with each socket read, so this sees every read. Past the
    // byte bound berth stops reading but does not destroy yet: a reset now could still throw away the answer the
    // client has not read (it is busy sending); the client has until LINGER_MS, then the socket goes.
    const onData = (chunk: Buffer): void => {
      // Dropped bytes are garbage like streamed ones: counted, so the minor GCs give their buffers back early.
      noteStreamed(chunk.length);
      if (this.bytesRead - startBytes < LINGER_BYTES) return;
      req.off('data', onData);
      req.pause();
      // Pausing the request alone stops the socket only once its buffer fills, a read or two later; pausing the socket
      // stops its reads now. The request's own read-ahead (already scheduled) resumes the socket on a later tick, so
      // each such resume is paused again before the loop polls: at most the read that crossed the bound lands past it.
      this.pause();
      this.on('resume', keepPaused);
    };
    const keepPaused = (): void => void this.pause();
    const timer = setTimeout(done, LINGER_MS).unref();
    this.once('close', done);
    this.once('end', done);
    this.end();
    if (!req.complete && !req.destroyed) {
      req.on('data', onData);
      req.resume();
    }
  };
}
