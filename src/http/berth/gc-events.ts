// A GC pass's progress as server-sent events, for a console that would rather not poll: `progress` while it runs
// (read from the shared history, so a pass running on another replica streams too), one `done` when it ends, then
// the stream closes. A client that stops reading is never buffered for: progress is skipped until it drains.
import { setTimeout as sleep } from 'node:timers/promises';
import { type GcPass, RegistryError } from '../../core/index.ts';
import { type BerthHandler, REGISTRY_ADMIN } from './context.ts';
import { gcPassJson, passIdParam, sendPassUnknown } from './gc-passes.ts';

/** How often the history is read while the pass runs (progress is written at most once a second). */
const POLL_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;
/** A client that has not taken what was written for this long is gone or stuck: its stream is cut. */
const STALL_MS = 60_000;
/** Open streams per process: each reads the store once a second, so a crowd of them is refused, not served slowly. */
export const MAX_STREAMS = 64;
let open = 0;

export const getGcPassEvents: BerthHandler<{ kind: 'gc-pass-events'; id: string }> = async ({ ctx, route, reply, authorize }) => {
  const id = passIdParam(route.id);
  await authorize([REGISTRY_ADMIN]);
  const now = (): Date => ctx.deps.clock.now();
  let pass = await ctx.deps.meta.findGcPass(id, now());
  if (!pass) return sendPassUnknown(reply, id);

  if (open >= MAX_STREAMS) throw new RegistryError('TOO_MANY_REQUESTS', `${MAX_STREAMS} GC event streams are open here; poll the pass instead`);
  reply.hijack();
  const res = reply.raw;
  open++;
  res.once('close', () => open--);
  const left = new AbortController();
  // The response's close, not the request's: a GET's request is complete (and may emit close) long before the client leaves.
  res.on('close', () => left.abort());
  const signal = AbortSignal.any([left.signal, ctx.gc.stopping]);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });

  let wroteAt = Date.now();
  let stalledSince: number | null = null;
  /** Writes unless the client is behind; false when it is (the caller skips, or cuts a stuck client). */
  const write = (text: string, always = false): boolean => {
    if (res.writableNeedDrain && !always) {
      stalledSince ??= Date.now();
      if (Date.now() - stalledSince > STALL_MS) res.destroy();
      return false;
    }
    stalledSince = null;
    wroteAt = Date.now();
    res.write(text);
    return true;
  };
  const event = (name: 'progress' | 'done', p: GcPass, always = false): boolean => write(`event: ${name}\ndata: ${JSON.stringify(gcPassJson(p))}\n\n`, always);

  try {
    let sent: GcPass | null = null;
    while (!signal.aborted && !res.destroyed) {
      if (pass.state !== 'running') {
        event('done', pass, true);
        break;
      }
      if ((sent === null || pass.updatedAt.getTime() !== sent.updatedAt.getTime()) && event('progress', pass)) sent = pass;
      else if (Date.now() - wroteAt >= HEARTBEAT_MS) write(': heartbeat\n\n');
      await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      // The pass left the history (pruned) or the store failed: end the stream; the client may read the JSON.
      const next = await ctx.deps.meta.findGcPass(id, now()).catch(() => null);
      if (!next) break;
      pass = next;
    }
  } finally {
    if (!res.destroyed) res.end();
  }
};
