// Test code only: SHA-256/HMAC in the shape the smithy signer wants, written apart from the one in sigv4.ts on
// purpose, so tests that sign requests with it check the server's verification against an independent hasher.
import { createHash, createHmac } from 'node:crypto';

const bytes = (d: string | ArrayBuffer | ArrayBufferView): Uint8Array | string =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);

export class TestSha256 {
  readonly #h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(d: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(bytes(d));
  }
  async digest(): Promise<Uint8Array> {
    return this.#h.digest();
  }
  reset(): void {}
}
