// `berth pin sync --source NAME FILE|-`: the pins of one source become what a platform reports as running (kubectl
// or podman JSON, or a list of references), on the data directory; a cluster uses PUT /berth/v1/pin-sets instead.
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { registryHostNames } from '../../config/index.ts';
import { MAX_PIN_SET_DOCUMENT_BYTES, type PinSyncResult, syncPinSet } from '../../core/index.ts';
import { action, configFrom, durationArg, type GlobalOptions, print, UsageError, withDataOptions } from '../context.ts';
import { cliActor, withRegistry } from './content.ts';

interface SyncOptions extends GlobalOptions {
  source: string;
  expires?: number;
}

async function readBounded(chunks: AsyncIterable<Buffer | string>, what: string): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += b.length;
    if (total > MAX_PIN_SET_DOCUMENT_BYTES) throw new UsageError(`${what} is larger than ${MAX_PIN_SET_DOCUMENT_BYTES} bytes`);
    parts.push(b);
  }
  return Buffer.concat(parts, total).toString('utf8');
}

/** The report from a file, or from stdin for "-" (`kubectl get pods -A -o json | berth pin sync --source prod -`). */
async function readDocument(path: string): Promise<string> {
  if (path === '-') return readBounded(process.stdin, 'stdin');
  const file = await open(path, 'r');
  try {
    return await readBounded(file.createReadStream(), path);
  } finally {
    await file.close();
  }
}

function summary(r: PinSyncResult): string {
  const lines = [`pin set ${r.source} (${r.format}): ${r.added} added, ${r.kept} kept, ${r.removed} removed; ${r.pinned} images pinned, ${r.ignored} ignored`];
  if (r.skippedCount > 0)
    lines.push(`skipped ${r.skippedCount}:`, ...r.skipped.map((s) => `  ${s.reference} (${s.why === 'tag-unknown' ? 'tag unknown' : 'not stored'})`));
  return lines.join('\n');
}

export function registerPinSync(pin: Command): void {
  withDataOptions(
    pin
      .command('sync <file>')
      .description(
        'make the pins of a source exactly the images a platform reports running (kubectl get pods -A -o json, podman ps --format json, or REPO refs one a line; - = stdin)',
      ),
  )
    .requiredOption('--source <name>', 'the pin set to replace, e.g. prod (a-z 0-9 . _ -)')
    .option('--expires <duration>', 'every pin of the set lapses after this long unless a later sync renews it, e.g. 2h', durationArg)
    .action(
      action(async (path: string, o: SyncOptions) => {
        const document = await readDocument(path);
        const hostNames = registryHostNames(configFrom(o));
        const result = await withRegistry(o, (r) => syncPinSet(r.deps, { source: o.source, document, hostNames, expiresInMs: o.expires }, cliActor()));
        print(o, result, () => summary(result));
        // The CLI does not know serve's --listen: a forgotten BERTH_LISTEN would otherwise pin nothing, silently.
        if (result.pinned === 0 && result.ignored > 0) {
          process.stderr.write(
            `berth: every reference was taken as another registry's; this registry's names here are ${hostNames.join(', ')} ` +
              `(set registry.hostNames or BERTH_LISTEN as berth serve has them)\n`,
          );
        }
      }),
    );
}
