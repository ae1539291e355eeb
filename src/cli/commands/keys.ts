// `berth key create|ls|rm`: access keys work for docker login and every dialect's signatures at once, even
// while the server runs (the server reads keys from the shared metadata store on every check).
import type { Command } from 'commander';
import { issueAccessKey, parseGrant } from '../../auth/index.ts';
import { type Grant, revokeAccessKey } from '../../core/index.ts';
import { action, type GlobalOptions, print, table, withDataOptions } from '../context.ts';
import { withRegistry } from './content.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerKeys(program: Command): void {
  const key = program.command('key').description('manage access keys');
  withDataOptions(key.command('create').description('create an access key and print its secret (shown only once)'))
    .option('--name <name>', 'a label for the key', 'default')
    .option('--grant <repos:actions>', 'e.g. "team/*:pull,push" (repeatable; default: everything)', collect, [])
    .action(
      action(async (o: GlobalOptions & { name: string; grant: string[] }) => {
        const grants: Grant[] = o.grant.map(parseGrant);
        const { key: created, secret } = await withRegistry(o, (r) =>
          issueAccessKey(r.deps.meta, r.keys.masterKey, { name: o.name, grants: grants.length > 0 ? grants : undefined, now: new Date() }),
        );
        print(o, { accessKeyId: created.id, secretAccessKey: secret, name: created.name, grants: created.grants }, () =>
          table([
            ['ACCESS KEY ID', 'SECRET ACCESS KEY', 'NAME'],
            [created.id, secret, created.name],
          ]),
        );
      }),
    );
  withDataOptions(key.command('ls').description('list access keys (never their secrets)')).action(
    action(async (o: GlobalOptions) => {
      const keys = await withRegistry(o, (r) => r.deps.meta.listAccessKeys());
      const rows = keys.map((k) => ({
        accessKeyId: k.id,
        name: k.name,
        grants: k.grants,
        createdAt: k.createdAt.toISOString(),
        lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      }));
      print(o, { keys: rows }, () =>
        table([
          ['ACCESS KEY ID', 'NAME', 'GRANTS', 'CREATED'],
          ...rows.map((k) => [k.accessKeyId, k.name, k.grants.map((g) => `${g.repositories}:${g.actions.join(',')}`).join(' '), k.createdAt]),
        ]),
      );
    }),
  );
  withDataOptions(key.command('rm <accessKeyId>').description('delete an access key; it stops working at once')).action(
    action(async (id: string, o: GlobalOptions) => {
      await withRegistry(o, (r) => revokeAccessKey(r.deps.meta, id));
      print(o, { deleted: id }, () => `deleted access key ${id}`);
    }),
  );
}
