// The loopback HTTP limits (upload and download MiB/s) that the blob rows are read against: the same client (curl)
// against a Node server that only discards what it receives or repeats one buffer, so no registry can beat them.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { MiB } from './machine.ts';

const run = promisify(execFile);

export interface LoopbackLimits {
  uploadMiBs: number;
  downloadMiBs: number;
}

function handler(chunk: Buffer, totalBytes: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'PUT') {
      req.resume();
      req.on('end', () => res.writeHead(201, { 'content-length': '0' }).end());
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(totalBytes) });
    let left = totalBytes / chunk.length;
    const pump = (): void => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}

/** Best of `runs` transfers each way of `file` (its size decides the download size too), as the blob rows use curl. */
export async function loopbackLimits(file: string, sizeMiB: number, runs = 3): Promise<LoopbackLimits> {
  const server = createServer(handler(randomBytes(MiB), sizeMiB * MiB));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe`;
  const rate = async (args: string[]): Promise<number> => {
    let best = 0;
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run('curl', ['-sS', '-H', 'Expect:', '--max-time', '120', '-o', '/dev/null', '-w', '%{time_total}', ...args, url]);
      best = Math.max(best, sizeMiB / Number(stdout.trim()));
    }
    return best;
  };
  try {
    return { uploadMiBs: await rate(['-T', file]), downloadMiBs: await rate([]) };
  } finally {
    server.closeAllConnections();
    await new Promise((res) => server.close(res));
  }
}
