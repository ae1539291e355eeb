// `berth pin add|ls|rm`: deployment pins from the shell, for pipelines that deploy with scripts and for operators
// who must keep an image that a delete or GC would otherwise take. Works on the live data while the server runs.
import type { Command } from 'commander';
import { createPin, deletePin, listPins, type Pin, parseRepositoryName } from '../../core/index.ts';
import { action, durationArg, type GlobalOptions, print, table, withDataOptions } from '../context.ts';
import { cliActor, parseImageRef, withRegistry } from './content.ts';
import { registerPinSync } from './pin-sync.ts';

function pinJson(p: Pin): Record<string, string | null> {
  return {
    id: p.id,
    repository: p.repository,
    digest: p.digest,
    reason: p.reason,
    owner: p.owner,
    createdAt: p.createdAt.toISOString(),
    expiresAt: p.expiresAt?.toISOString() ?? null,
    source: p.source,
  };
}

function pinTable(pins: Pin[]): string {
  if (pins.length === 0) return 'no pins';
  return table([
    ['PIN', 'IMAGE', 'OWNER', 'EXPIRES', 'REASON'],
    ...pins.map((p) => [p.id, `${p.repository}@${p.digest}`, p.owner, p.expiresAt?.toISOString() ?? 'never', p.reason]),
  ]);
}

interface AddOptions extends GlobalOptions {
  reason: string;
  expires?: number;
  owner?: string;
}

export function registerPins(program: Command): void {
  const pin = program.command('pin').description('protect images that deployments run from deletes and GC');
  withDataOptions(pin.command('add <image>').description('pin REPO@DIGEST, or REPO:TAG (pins the digest the tag points at now)'))
    .requiredOption('--reason <text>', 'why: which deployment runs it')
    .option('--expires <duration>', 'remove the pin by itself after this long, e.g. 7d (default: never)', durationArg)
    .option('--owner <name>', 'who to ask before breaking it (default: the CLI user)')
    .action(
      action(async (ref: string, o: AddOptions) => {
        const { repository, reference } = parseImageRef(ref);
        const created = await withRegistry(o, (r) =>
          createPin(r.deps, { repository, reference, reason: o.reason, owner: o.owner, expiresInMs: o.expires }, cliActor()),
        );
        print(o, { pin: pinJson(created) }, () => `pinned ${created.repository}@${created.digest} as ${created.id}`);
      }),
    );
  withDataOptions(pin.command('ls [repository]').description('list live pins, of one repository or of all')).action(
    action(async (repository: string | undefined, o: GlobalOptions) => {
      const name = repository === undefined ? undefined : parseRepositoryName(repository);
      const pins = await withRegistry(o, (r) => listPins(r.deps, { repository: name }));
      print(o, { pins: pins.map(pinJson) }, () => pinTable(pins));
    }),
  );
  withDataOptions(pin.command('rm <pinId>').description('remove a pin; the image may then be deleted and collected')).action(
    action(async (id: string, o: GlobalOptions) => {
      const removed = await withRegistry(o, (r) => deletePin(r.deps, id, cliActor()));
      print(o, { pin: pinJson(removed) }, () => `removed pin ${removed.id} (${removed.repository}@${removed.digest})`);
    }),
  );
  registerPinSync(pin);
}
