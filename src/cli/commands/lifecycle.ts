// `berth lifecycle put|ls|rm|run`: retention policies from the shell. `run --dry-run` is the preview (no second
// command for it); a run deletes through the same use case as every delete, so pins win and the trash keeps it all.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  deleteLifecyclePolicy,
  effectivePolicy,
  governedRepositories,
  type LifecyclePreview,
  type LifecycleRunResult,
  type PolicyScope,
  parseNamespaceName,
  parseRepositoryName,
  previewLifecycle,
  putLifecyclePolicy,
  runLifecycle,
  type StoredLifecyclePolicy,
} from '../../core/index.ts';
import { decisionSummary, previewJson, runJson } from '../../http/berth/lifecycle.ts';
import { action, formatBytes, type GlobalOptions, print, table, UsageError, withDataOptions } from '../context.ts';
import { gcProgressBar } from '../progress.ts';
import { cliActor, withRegistry } from './content.ts';

interface ScopeOptions extends GlobalOptions {
  namespace?: boolean;
}

interface RunOptions extends GlobalOptions {
  repository?: string;
  dryRun?: boolean;
}

const scopeOf = (o: ScopeOptions): PolicyScope => (o.namespace ? 'namespace' : 'repository');
const nameOf = (target: string, o: ScopeOptions): string => (o.namespace ? parseNamespaceName(target) : parseRepositoryName(target));

async function readPolicy(file: string): Promise<unknown> {
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(file, 'utf8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${file === '-' ? 'stdin' : file} is not JSON: ${(e as Error).message}`);
  }
}

function storedJson(p: StoredLifecyclePolicy): Record<string, unknown> {
  return {
    scope: p.scope,
    name: p.name,
    policy: p.policy,
    updatedAt: p.updatedAt.toISOString(),
    updatedBy: p.updatedBy,
    evaluatedAt: p.evaluatedAt?.toISOString() ?? null,
  };
}

function previewText(p: LifecyclePreview): string {
  const source = p.policy ? `${p.policy.source} policy${p.policy.source === 'namespace' ? ` of ${p.policy.stored.name}` : ''}` : 'no policy';
  const c = p.counts;
  const head = `${p.repository} (${source}): ${c.expire} to expire, ${c.untag} to untag, ${c.keep} kept (${c.pinned} pinned) of ${c.images}`;
  const lines = p.decisions.map((d) => `  ${d.digest.slice(0, 19)}…  ${(d.tags.join(',') || '<untagged>').padEnd(20)}  ${decisionSummary(d)}`);
  const warnings = previewJson(p).warnings as Array<{ message: string }>;
  const bytes =
    c.expire > 0 ? [`  GC frees ${formatBytes(p.bytes.reclaimable)} (${p.bytes.reclaimable} bytes) from ${p.bytes.from.toISOString()} once they expire`] : [];
  return [head, ...lines, ...bytes, ...warnings.map((w) => `  warning: ${w.message}`)].join('\n');
}

function runText(r: LifecycleRunResult): string {
  const refused = r.refused.length > 0 ? `; ${r.refused.length} kept by a pin added meanwhile` : '';
  return `${r.repository}: expired ${r.expired.length} manifest(s), removed ${r.untagged.length} tag(s), kept ${r.counts.keep} (${r.counts.pinned} pinned)${refused}`;
}

export function registerLifecycle(program: Command): void {
  const lc = program.command('lifecycle').description('retention policies: which images berth expires on its own (pins always win)');
  withDataOptions(
    lc
      .command('put <target> <file>')
      .description('store the retention policy of a repository (or, with --namespace, a namespace default) from a JSON file or - for stdin'),
  )
    .option('--namespace', 'target is a namespace: its default for repositories without their own')
    .action(
      action(async (target: string, file: string, o: ScopeOptions) => {
        const body = await readPolicy(file);
        const policy = await withRegistry(o, (r) => putLifecyclePolicy(r.deps, scopeOf(o), nameOf(target, o), body, cliActor()));
        print(o, { [scopeOf(o)]: target, policy }, () => `stored the ${policy.family} policy (${policy.rules.length} rule(s)) of ${scopeOf(o)} ${target}`);
      }),
    );
  withDataOptions(lc.command('ls [repository]').description('list stored policies, or show the policy that governs one repository and its source')).action(
    action(async (repository: string | undefined, o: GlobalOptions) => {
      if (repository !== undefined) {
        const name = parseRepositoryName(repository);
        const p = await withRegistry(o, (r) => effectivePolicy(r.deps, name));
        const out = { repository: name, source: p?.source ?? null, ...(p ? storedJson(p.stored) : { policy: null }) };
        print(o, out, () =>
          p
            ? `${name}: ${p.source} policy${p.source === 'namespace' ? ` of ${p.stored.name}` : ''}\n${JSON.stringify(p.stored.policy, null, 2)}`
            : `${name}: no policy`,
        );
        return;
      }
      const all = await withRegistry(o, async (r) => {
        const out: StoredLifecyclePolicy[] = [];
        for (let after: string | undefined, i = 0; i < 10_000; i++) {
          const page = await r.deps.meta.listLifecyclePolicies({ after, limit: 500 });
          out.push(...page);
          if (page.length < 500) break;
          after = `${page.at(-1)!.scope}\0${page.at(-1)!.name}`;
        }
        return out;
      });
      print(o, { policies: all.map(storedJson) }, () =>
        all.length === 0
          ? 'no policies'
          : table([
              ['SCOPE', 'NAME', 'FAMILY', 'RULES', 'UPDATED', 'LAST RUN'],
              ...all.map((p) => [
                p.scope,
                p.name,
                p.policy.family,
                String(p.policy.rules.length),
                p.updatedAt.toISOString(),
                p.evaluatedAt?.toISOString() ?? 'never',
              ]),
            ]),
      );
    }),
  );
  withDataOptions(lc.command('rm <target>').description("remove a repository's policy (or, with --namespace, a namespace default)"))
    .option('--namespace', 'target is a namespace')
    .action(
      action(async (target: string, o: ScopeOptions) => {
        await withRegistry(o, (r) => deleteLifecyclePolicy(r.deps, scopeOf(o), nameOf(target, o), cliActor()));
        print(o, { deleted: true }, () => `removed the policy of ${scopeOf(o)} ${target}`);
      }),
    );
  withDataOptions(lc.command('run').description('apply the policies now (every governed repository, or one); --dry-run previews'))
    .option('--repository <name>', 'only this repository')
    .option('--dry-run', 'show what would expire, what pins keep, and warnings; change nothing')
    .action(
      action(async (o: RunOptions) => {
        await withRegistry(o, async (r) => {
          const repos = o.repository !== undefined ? [parseRepositoryName(o.repository)] : await governedRepositories(r.deps);
          if (o.dryRun) {
            const previews: LifecyclePreview[] = [];
            for (const repo of repos) previews.push(await previewLifecycle(r.deps, repo));
            print(o, { previews: previews.map(previewJson) }, () =>
              previews.length === 0 ? 'no repository has a policy' : previews.map(previewText).join('\n'),
            );
            return;
          }
          const bar = gcProgressBar(process.stderr, 'lifecycle');
          const runs: LifecycleRunResult[] = [];
          try {
            for (const repo of repos) {
              runs.push(
                await runLifecycle(r.deps, repo, cliActor(), {
                  onProgress: bar ? (p) => bar.update({ phase: p.repository, done: p.done, total: p.images, bytes: 0, totalBytes: null }) : undefined,
                }),
              );
            }
          } finally {
            bar?.stop();
          }
          print(o, { runs: runs.map(runJson) }, () => (runs.length === 0 ? 'no repository has a policy' : runs.map(runText).join('\n')));
        });
      }),
    );
}
