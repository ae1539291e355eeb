// An answer sent before its request body has arrived (refused from the headers, too large, stalled) closes the
// connection. Destroying the socket at once would make the kernel reset it while the client is still sending, and a
// reset can throw away the answer before the client reads it; so berth lingers, briefly and boundedly: it half-closes,
// discards what still arrives for at most LINGER_MS or LINGER_BYTES, then destroys the socket.
import type { Socket } from 'node:net';

export const LINGER_MS = 1_000;
export const LINGER_BYTES = 256 * 1024;
const CHECK_MS = 100;

const lingering = new WeakSet<Socket>();

/**
 * Makes Node's own close after a `Connection: close` answer (socket.destroySoon, called once the answer is written)
 * a bounded lingering close instead. The body's bytes are still discarded by Node's parser, never kept.
 */
export function lingerOnClose(socket: Socket | null | undefined): void {
  if (!socket || lingering.has(socket)) return;
  lingering.add(socket);
  socket.destroySoon = function lingerThenDestroy(this: Socket): void {
    const started = Date.now();
    const startBytes = this.bytesRead;
    this.end();
    const timer = setInterval(() => {
      if (this.destroyed || Date.now() - started >= LINGER_MS || this.bytesRead - startBytes >= LINGER_BYTES) {
        clearInterval(timer);
        this.destroy();
      }
    }, CHECK_MS);
    timer.unref();
    this.once('close', () => clearInterval(timer));
    this.once('end', () => this.destroy());
  };
}
