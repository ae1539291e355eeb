// `berth restore`: undo a delete while the restore window lasts (deleted tags and manifests wait in the trash until
// GC purges them), on the live data while the server runs.
import type { Command } from 'commander';
import { listDeletedTags, parseRepositoryName, restore } from '../../core/index.ts';
import { action, type GlobalOptions, print, table, UsageError, withDataOptions } from '../context.ts';
import { cliActor, parseImageRef, withRegistry } from './content.ts';

interface RestoreOptions extends GlobalOptions {
  list?: string;
}

export function registerRestore(program: Command): void {
  withDataOptions(program.command('restore [image]').description('bring back a deleted REPO:TAG or REPO@DIGEST (with the tags and referrers deleted with it)'))
    .option('--list <repository>', 'list the deleted tags of a repository that can still be restored')
    .action(
      action(async (ref: string | undefined, o: RestoreOptions) => {
        if ((ref === undefined) === (o.list === undefined)) throw new UsageError('give either REPO:TAG|REPO@DIGEST to restore, or --list REPO');
        if (o.list !== undefined) {
          const repository = parseRepositoryName(o.list);
          const tags = await withRegistry(o, (r) => listDeletedTags(r.deps, repository));
          const rows = tags.map((t) => ({ tag: t.tag, digest: t.digest, deletedAt: t.deletedAt.toISOString() }));
          print(o, { repository, tags: rows }, () =>
            rows.length === 0
              ? `nothing restorable in ${repository}`
              : table([['TAG', 'DIGEST', 'DELETED'], ...rows.map((t) => [t.tag, t.digest, t.deletedAt])]),
          );
          return;
        }
        const { repository, reference } = parseImageRef(ref!);
        const restored = await withRegistry(o, (r) => restore(r.deps, repository, reference, cliActor()));
        print(o, { repository, ...restored }, () =>
          [
            `restored ${repository}@${restored.digest}`,
            ...restored.tags.map((t) => `  tag ${repository}:${t}`),
            ...restored.manifests.filter((d) => d !== restored.digest).map((d) => `  manifest ${repository}@${d}`),
          ].join('\n'),
        );
      }),
    );
}
