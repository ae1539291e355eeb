// Large-blob throughput: monolithic push (POST, then one PUT ?digest= streaming the file with Content-Length) and
// streamed pull of the same bytes. curl moves the bytes: a Node client tops out near the rates being compared.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startUpload } from '../http.ts';
import { type BigBlob, type BlobVariant, flushDirtyPages, MiB } from '../machine.ts';

const run = promisify(execFile);

export interface Rates {
  runs: number[];
  median: number;
  best: number;
}

const summarize = (runs: number[]): Rates => {
  const sorted = [...runs].sort((a, b) => a - b);
  return { runs, median: sorted[Math.floor(sorted.length / 2)]!, best: sorted[sorted.length - 1]! };
};

/** Runs curl once; returns the status, curl's own transfer time (s) and the bytes it moved. */
async function curl(args: string[]): Promise<{ status: number; seconds: number; bytes: number }> {
  const { stdout } = await run('curl', [
    '-sS',
    '-g',
    '-H',
    'Expect:',
    '--max-time',
    '300',
    '-w',
    '%{http_code} %{time_total} %{size_upload} %{size_download}',
    ...args,
  ]);
  const [status, seconds, up, down] = stdout.trim().split(' ').map(Number);
  return { status: status!, seconds: seconds!, bytes: Math.max(up!, down!) };
}

/** Each run pushes a variant with its own digest (first..first+runs-1), so no registry can skip work by dedupe. */
export async function blobPush(base: string, ns: string, blob: BigBlob, runs: number, firstVariant: number): Promise<{ rates: Rates; pushed: BlobVariant }> {
  const rates: number[] = [];
  let pushed: BlobVariant | undefined;
  for (let i = 0; i < runs; i++) {
    pushed = await blob.variant(firstVariant + i);
    flushDirtyPages();
    const t = performance.now();
    const url = await startUpload(base, `${ns}/big`);
    const postSeconds = (performance.now() - t) / 1000;
    url.searchParams.set('digest', pushed.digest);
    const put = await curl(['-T', pushed.path, '-H', 'Content-Type: application/octet-stream', '-o', '/dev/null', url.href]);
    if (put.status !== 201 || put.bytes !== pushed.size) throw new Error(`blob push: HTTP ${put.status}, ${put.bytes} of ${pushed.size} bytes sent`);
    rates.push(pushed.size / MiB / (postSeconds + put.seconds));
  }
  return { rates: summarize(rates), pushed: pushed! };
}

export async function blobPull(base: string, ns: string, blob: BlobVariant, runs: number): Promise<Rates> {
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const get = await curl(['-L', '-o', '/dev/null', `${base}/v2/${ns}/big/blobs/${blob.digest}`]);
    if (get.status !== 200 || get.bytes !== blob.size) throw new Error(`blob pull: HTTP ${get.status}, ${get.bytes} of ${blob.size} bytes`);
    rates.push(blob.size / MiB / get.seconds);
  }
  return summarize(rates);
}
