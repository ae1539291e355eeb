// `berth key create|ls|rm`: access keys work for docker login and every dialect's signatures at once, even
// while the server runs (the server reads keys from the shared metadata store on every check).
import type { Command } from 'commander';
import { fullAccessGrants, issueAccessKey, parseGrant } from '../../auth/index.ts';
import { type Grant, revokeAccessKey } from '../../core/index.ts';
import { action, type GlobalOptions, print, table, UsageError, withDataOptions } from '../context.ts';
import { withRegistry } from './content.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const grantText = (grants: readonly Grant[]): string => grants.map((g) => `${g.repositories}:${g.actions.join(',')}`).join(' ');

/** A key with every right is asked for by name (--admin), never the silent result of a forgotten --grant. */
function chosenGrants(o: { grant: string[]; admin?: boolean }): Grant[] {
  if (o.admin && o.grant.length > 0) throw new UsageError('pass either --grant or --admin, not both');
  if (o.admin) return fullAccessGrants();
  if (o.grant.length === 0) {
    throw new UsageError('key create needs --grant REPOS:ACTIONS (e.g. "team/*:pull,push", "team/*:*") or --admin for every right on every repository');
  }
  return o.grant.map(parseGrant);
}

export function registerKeys(program: Command): void {
  const key = program.command('key').description('manage access keys');
  withDataOptions(key.command('create').description('create an access key and print its secret (shown only once)'))
    .option('--name <name>', 'a label for the key', 'default')
    .option('--grant <repos:actions>', 'e.g. "team/*:pull,push" or "team/*:*" (repeatable)', collect, [])
    .option('--admin', 'every right on every repository (instead of --grant)')
    .action(
      action(async (o: GlobalOptions & { name: string; grant: string[]; admin?: boolean }) => {
        const grants = chosenGrants(o);
        const { key: created, secret } = await withRegistry(o, (r) => issueAccessKey(r.deps.meta, r.keys.masterKey, { name: o.name, grants, now: new Date() }));
        const admin = o.admin === true;
        print(o, { accessKeyId: created.id, secretAccessKey: secret, name: created.name, admin, grants: created.grants }, () => {
          const rows = table([
            ['ACCESS KEY ID', 'SECRET ACCESS KEY', 'NAME', 'GRANTS'],
            [created.id, secret, created.name, grantText(created.grants)],
          ]);
          return admin ? `${rows}\nthis key has every right on every repository (--admin)` : rows;
        });
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
        table([['ACCESS KEY ID', 'NAME', 'GRANTS', 'CREATED'], ...rows.map((k) => [k.accessKeyId, k.name, grantText(k.grants), k.createdAt])]),
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
