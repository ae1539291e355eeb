// A TCP forwarder that a test can cut and restore, put between one replica and its database or object store: cut,
// open connections are reset and new ones refused (a stopped server, as the replica sees it), without stopping the
// servers every other test shares.

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpGate {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  port = 0;

  private constructor(host: string, port: number) {
    this.#target = { host, port };
  }

  static async open(host: string, port: number): Promise<TcpGate> {
    const gate = new TcpGate(host, port);
    await gate.restore();
    return gate;
  }

  /** Accepts connections again, on the same port once one was chosen. */
  async restore(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = connect(this.#target.port, this.#target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.port, '127.0.0.1', () => res());
    });
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Refuses new connections and resets the open ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    const closed = server ? new Promise<void>((res) => server.close(() => res())) : Promise.resolve();
    for (const s of this.#sockets) s.resetAndDestroy();
    await closed;
  }

  close(): Promise<void> {
    return this.cut();
  }
}
