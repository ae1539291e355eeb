// `npm run torture` (node test/torture/run.ts): the GC torture test for minutes instead of the CI test's seconds.
// Flags: --duration 3m, --clients 4, --seed N (printed by every run, to replay a failure), --kill-every 3s-9s, --sweep-every 1s-3s,
// --grace 1s, --gc-interval 200ms, --restore-window 0, --keep-data, --no-tagged-referrers, --replicas N (N berth replicas
// behind a round-robin proxy; kills hit one at a time) with --backend postgres-s3|embedded-shared|postgres-file. Exits 1 when any check failed.
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/config/index.ts';
import { replicaBackend } from '../e2e/replicas-stores.ts';
import { DEFAULTS, runTorture } from './engine.ts';
import { randomSeed } from './prng.ts';
import { formatSummary } from './report.ts';

const { values: f } = parseArgs({
  options: {
    duration: { type: 'string' },
    clients: { type: 'string' },
    seed: { type: 'string' },
    'kill-every': { type: 'string' }, // "MIN-MAX" durations, or "0" for no kills
    'sweep-every': { type: 'string' }, // a second sweeper in this process, "MIN-MAX" or "0" for none
    grace: { type: 'string' },
    'gc-interval': { type: 'string' },
    'restore-window': { type: 'string' },
    'keep-data': { type: 'boolean', default: false },
    'no-tagged-referrers': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    replicas: { type: 'string' },
    backend: { type: 'string' }, // postgres-s3 (default; env BERTH_REPLICA_BACKEND), embedded-shared or postgres-file
  },
});

function range(text: string | undefined, fallback: [number, number]): [number, number] {
  if (text === undefined) return fallback;
  if (text === '0') return [0, 0];
  const [lo, hi = lo] = text.split('-');
  return [parseDuration(lo!), parseDuration(hi!)];
}

const seed = f.seed !== undefined ? Number(f.seed) >>> 0 : randomSeed();
const log = (line: string): void => void process.stderr.write(`torture: ${line}\n`);
const options = {
  ...DEFAULTS,
  seed,
  durationMs: f.duration !== undefined ? parseDuration(f.duration) : DEFAULTS.durationMs,
  clients: f.clients !== undefined ? Math.max(1, Math.min(64, Number(f.clients))) : DEFAULTS.clients,
  killEveryMs: range(f['kill-every'], DEFAULTS.killEveryMs),
  sweepEveryMs: range(f['sweep-every'], DEFAULTS.sweepEveryMs),
  grace: f.grace ?? DEFAULTS.grace,
  gcInterval: f['gc-interval'] ?? DEFAULTS.gcInterval,
  restoreWindow: f['restore-window'] ?? DEFAULTS.restoreWindow,
  keepData: f['keep-data'],
  taggedReferrers: !f['no-tagged-referrers'],
  replicas: f.replicas !== undefined ? Math.max(0, Math.min(8, Number(f.replicas))) : DEFAULTS.replicas,
  backend: replicaBackend(f.backend ?? process.env.BERTH_REPLICA_BACKEND),
  log: f.quiet ? () => undefined : log,
};
log(
  `seed ${seed}: ${options.clients} clients for ${options.durationMs / 1000} s, kills every ${options.killEveryMs.join('-')} ms, ` +
    `grace ${options.grace}, gc every ${options.gcInterval}, restore window ${options.restoreWindow}` +
    `${options.replicas > 0 ? `; ${options.replicas} replicas on ${options.backend} behind a round-robin proxy` : ''}`,
);
const result = await runTorture(options);
process.stdout.write(`${formatSummary(result)}\n`);
process.exitCode = result.ok ? 0 : 1;
