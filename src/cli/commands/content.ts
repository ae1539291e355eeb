// `berth repo ls|rm`, `berth tag ls`, `berth image rm`: work directly on the data the running server uses.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  type Actor,
  deleteManifest,
  deleteRepository,
  listRepositories,
  listTags,
  type Pin,
  parseRepositoryName,
  previewDelete,
  previewTarget,
  RegistryError,
} from '../../core/index.ts';
import { type OpenedRegistry, openRegistry } from '../../main.ts';
import { action, configFrom, type GlobalOptions, print, table, withDataOptions } from '../context.ts';
import { bytesLine, previewText } from './delete-preview-text.ts';

export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep "unknown".
  }
  return { principal: `cli:${user}`, dialect: 'cli' };
}

export async function withRegistry<T>(options: GlobalOptions, fn: (r: OpenedRegistry) => Promise<T>): Promise<T> {
  const opened = await openRegistry(configFrom(options));
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

/** "repo:tag" or "repo@sha256:..." into its parts. */
export function parseImageRef(ref: string): { repository: string; reference: string } {
  const at = ref.indexOf('@');
  if (at > 0) return { repository: parseRepositoryName(ref.slice(0, at)), reference: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > 0 && !ref.slice(colon).includes('/')) return { repository: parseRepositoryName(ref.slice(0, colon)), reference: ref.slice(colon + 1) };
  throw new RegistryError('INVALID_REQUEST', `expected REPO:TAG or REPO@DIGEST, got "${ref}"`);
}

function brokenText(pins: Pin[]): string {
  return pins.length === 0 ? '' : `; broke pin(s) ${pins.map((p) => p.id).join(', ')}`;
}

export function registerContent(program: Command): void {
  const repo = program.command('repo').description('list and delete repositories');
  withDataOptions(repo.command('ls').description('list repositories')).action(
    action(async (o: GlobalOptions) => {
      const names = await withRegistry(o, (r) => listRepositories(r.deps, {}));
      print(o, { repositories: names.items }, () => names.items.join('\n'));
    }),
  );
  withDataOptions(repo.command('rm <name>').description('delete a repository (refused while it holds images unless --force)'))
    .option('--force', 'delete even if the repository still holds images')
    .option('--break-pins', 'delete even if deployments pin its images (the pins are removed and audited)')
    .option('--dry-run', 'show what would go, the pins in the way and the bytes GC gets back from when; change nothing')
    .action(
      action(async (name: string, o: GlobalOptions & { force?: boolean; breakPins?: boolean; dryRun?: boolean }) => {
        const repository = parseRepositoryName(name);
        await withRegistry(o, async (r) => {
          const preview = await previewDelete(r.deps, repository, { kind: 'repository' }, { canBreakPins: true });
          if (o.dryRun) return print(o, preview, () => previewText(preview));
          const result = await deleteRepository(r.deps, repository, o.force === true, cliActor(), { breakPins: o.breakPins === true });
          print(
            o,
            { deleted: name, id: result.repository.id, brokenPins: result.brokenPins.map((p) => p.id), bytes: preview.bytes },
            () => `deleted repository ${name} (its content is left to garbage collection)${brokenText(result.brokenPins)}\n${bytesLine(preview)}`,
          );
        });
      }),
    );

  const tag = program.command('tag').description('list tags');
  withDataOptions(tag.command('ls <repository>').description('list the tags of a repository')).action(
    action(async (name: string, o: GlobalOptions) => {
      const tags = await withRegistry(o, (r) => listTags(r.deps, parseRepositoryName(name), {}));
      print(o, { name, tags: tags.items }, () => tags.items.join('\n'));
    }),
  );

  const image = program.command('image').description('delete images');
  withDataOptions(image.command('rm <ref>').description('delete REPO:TAG (only that tag) or REPO@DIGEST (the manifest, its tags and referrers)'))
    .option('--break-pins', 'delete even if deployments pin it (the pins are removed and audited)')
    .option('--dry-run', 'show what would go, the pins in the way and the bytes GC gets back from when; change nothing')
    .action(
      action(async (ref: string, o: GlobalOptions & { breakPins?: boolean; dryRun?: boolean }) => {
        const { repository, reference } = parseImageRef(ref);
        const target = previewTarget(reference.includes(':') ? { digest: reference } : { tag: reference });
        await withRegistry(o, async (r) => {
          const preview = await previewDelete(r.deps, repository, target, { canBreakPins: true });
          if (o.dryRun) return print(o, preview, () => previewText(preview));
          const deleted = await deleteManifest(r.deps, repository, reference, cliActor(), { breakPins: o.breakPins === true });
          print(o, { repository, ...deleted, brokenPins: deleted.brokenPins.map((p) => p.id), bytes: preview.bytes }, () =>
            [
              table([
                ['KIND', 'REFERENCE'],
                ...deleted.tags.map((t) => ['tag', `${repository}:${t}`]),
                ...deleted.manifests.map((d) => ['manifest', `${repository}@${d}`]),
                ...deleted.brokenPins.map((p) => ['broken pin', `${p.id} (${p.owner}: ${p.reason})`]),
              ]),
              bytesLine(preview),
            ].join('\n'),
          );
        });
      }),
    );
}
