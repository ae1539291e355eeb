// `berth gc` and `berth fsck`: reclaim space now (or see what would go) and check that metadata and bytes agree,
// from the shell, on the live data: every GC step is compare-and-act, so this is safe while the server runs and sweeps.
import type { Command } from 'commander';
import { expireAbandonedUploads, type FsckReport, type GcReport, runFsck, runRecordedGc } from '../../core/index.ts';
import { replicaName } from '../../gc/index.ts';
import { openRegistry } from '../../main.ts';
import { action, configFrom, durationArg, formatBytes, type GlobalOptions, print, table, withDataOptions } from '../context.ts';
import { gcProgressBar } from '../progress.ts';
import { withRegistry } from './content.ts';

/** A dry run's text lists this many entries per kind; --json lists all the plan holds. */
const SHOWN = 50;

interface GcCommandOptions extends GlobalOptions {
  dryRun?: boolean;
  grace?: number;
}

function listed<T>(items: T[], row: (item: T) => string[]): string[][] {
  const rows = items.slice(0, SHOWN).map(row);
  if (items.length > SHOWN) rows.push([`... and ${items.length - SHOWN} more`]);
  return rows;
}

function planText(r: GcReport): string {
  const plan = r.plan!;
  const rows: string[][] = [
    ['WOULD', 'WHAT', 'SIZE'],
    ...listed(plan.manifests, (m) => ['trash', `${m.repository}@${m.digest}`, formatBytes(m.size)]),
    ...listed(plan.trash, (t) => ['purge', `${t.repository}@${t.digest}`, '']),
    ...listed(plan.blobs, (b) => ['remove', `blob ${b.digest}`, formatBytes(b.size)]),
  ];
  const summary =
    `dry run: would remove ${r.blobsRemoved} blob(s), ${formatBytes(r.bytesReclaimed)} (${r.bytesReclaimed} bytes); ` +
    `trash ${r.manifestsCollected} untagged manifest(s), purge ${r.manifestsPurged} from the trash, ` +
    `${plan.deletedRepositories} deleted repositor(y/ies) to purge; ${r.manifestsPinned} kept by pins. Nothing was changed.`;
  // The store queues a manifest's blobs only when the manifest is purged, so the plan cannot count them yet.
  const more =
    plan.trash.length + plan.manifests.length > 0
      ? '\nBlobs used only by the manifests above are not counted: the same pass queues and reclaims them once they are purged.'
      : '';
  return `${rows.length > 1 ? `${table(rows)}\n` : ''}${summary}${more}`;
}

function runText(r: GcReport): string {
  const seconds = ((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1);
  return (
    `gc: removed ${r.blobsRemoved} blob(s), ${formatBytes(r.bytesReclaimed)} (${r.bytesReclaimed} bytes) reclaimed; ` +
    `${r.manifestsCollected} manifest(s) trashed, ${r.manifestsPurged + r.repositoryManifestsPurged} purged, ` +
    `${r.repositoriesPurged} repositor(y/ies) purged, ${r.pinsExpired} expired pin(s) removed, ${r.manifestsPinned} kept by pins; ` +
    `${r.errors} error(s); ${seconds} s`
  );
}

function fsckText(r: FsckReport): string {
  const lines = [
    ...r.missingBlobs.map((b) => `missing blob   ${b.digest} (${b.size} bytes expected)`),
    ...r.wrongSizes.map((b) => `wrong size     ${b.digest} (${b.actual} bytes, expected ${b.expected})`),
    ...r.orphanFiles.map((d) => `orphan file    ${d}`),
    ...r.orphanUploads.map((id) => `orphan upload  ${id}`),
    ...r.abandonedUploads.map((id) => `abandoned      upload ${id} (its berth process is gone)`),
    ...r.strays.map((s) => `stray ${s.kind.padEnd(9)}${s.key} (${s.size !== undefined ? `${s.size} bytes, ` : ''}written ${s.modifiedAt.toISOString()})`),
    ...r.manifestMismatches.map((m) => `bad manifest   ${m.repository}@${m.digest} hashes to ${m.actual}`),
    ...r.integrity.map((i) => `${i.kind.padEnd(14)} ${i.repository ?? '-'} ${i.target}: ${i.message}`),
  ];
  const repaired =
    r.repaired.orphanFiles + r.repaired.orphanUploads + r.repaired.abandonedUploads + r.repaired.strays > 0
      ? ` repaired: ${r.repaired.orphanFiles} orphan file(s), ${r.repaired.orphanUploads} orphan upload(s), ${r.repaired.abandonedUploads} abandoned upload(s), ${r.repaired.strays} stray(s) removed.`
      : '';
  const verdict = r.ok ? 'fsck: OK' : 'fsck: problems remain';
  return [...lines, `${verdict} (${r.blobsChecked} blob record(s), ${r.filesChecked} file(s), ${r.manifestsChecked} manifest(s) checked).${repaired}`].join(
    '\n',
  );
}

export function registerGc(program: Command): void {
  withDataOptions(program.command('gc').description('run one online garbage collection pass now (safe while the server runs)'))
    .option('--dry-run', 'report what would be removed and how many bytes, change nothing')
    .option('--grace <duration>', 'only what has been unreferenced this long (default: config gc.grace)', durationArg)
    .action(
      action(async (o: GcCommandOptions) => {
        const config = configFrom(o);
        const opened = await openRegistry(config);
        const abort = new AbortController();
        const onSignal = (): void => abort.abort();
        process.once('SIGINT', onSignal);
        const bar = o.dryRun ? null : gcProgressBar(process.stderr);
        try {
          // Sessions of dead processes first (a dry run leaves them): their claims and bytes then go in this pass.
          const expired = o.dryRun ? 0 : await expireAbandonedUploads(opened.deps, config.uploads.ownerLease);
          // Recorded in the shared pass history (trigger "cli"), so the server's API and every replica list it.
          const report = await runRecordedGc(
            opened.deps,
            {
              graceMs: o.grace ?? config.gc.grace,
              restoreWindowMs: config.deletion.restoreWindow,
              dryRun: o.dryRun === true,
              onProgress: bar ? (p) => bar.update(p) : undefined,
              signal: abort.signal,
            },
            { trigger: 'cli', replica: replicaName() },
          );
          bar?.stop();
          // The expiry step runs before runGc, so its count joins the report here (text and --json alike).
          const out = { ...report, abandonedUploadsExpired: expired };
          print(o, out, () => (report.dryRun ? planText(report) : `${runText(report)}${expired > 0 ? `; ${expired} abandoned upload(s) expired` : ''}`));
          if (report.errors > 0) process.exitCode = 1;
        } finally {
          bar?.stop();
          process.off('SIGINT', onSignal);
          await opened.close();
        }
      }),
    );
  withDataOptions(program.command('fsck').description('check metadata against stored bytes; exits 1 while problems remain'))
    .option('--repair', 'remove orphan blob files, orphan upload areas, strays and upload sessions of dead processes (never other metadata)')
    .option('--stray-age <duration>', 'report and remove only strays at least this old (default 1h; 0 only while nothing writes)', durationArg)
    .action(
      action(async (o: GlobalOptions & { repair?: boolean; strayAge?: number }) => {
        const report = await withRegistry(o, (r) =>
          runFsck(r.deps, { repair: o.repair === true, ownerLeaseMs: configFrom(o).uploads.ownerLease, strayAgeMs: o.strayAge }),
        );
        print(o, report, () => fsckText(report));
        if (!report.ok) process.exitCode = 1;
      }),
    );
}
