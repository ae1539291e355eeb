// Micro-bench for the retention engine: a synthetic 100,000-manifest repository streamed in push order through an
// ECR-style and an SWR-style policy, printing time and heap growth (goal: <= 2 s, flat memory). Run:
//   node --expose-gc bench/lifecycle-eval.ts [manifests]

import type { EvaluationContext, LifecycleImage } from '../src/core/lifecycle/decision.ts';
import { evaluate, evaluateStream } from '../src/core/lifecycle/evaluate.ts';
import type { RetentionPolicy } from '../src/core/lifecycle/rules.ts';
import type { Digest } from '../src/core/model/digest.ts';

const DAY = 86_400_000;
const TOTAL = Number(process.argv[2] ?? 100_000);
const NOW = new Date('2026-03-01T00:00:00Z');
const START = NOW.getTime() - 400 * DAY;

/** Like an index scan: one image at a time, oldest push first; about a third untagged, some with two tags. */
function* repository(n: number): Generator<LifecycleImage> {
  const step = (400 * DAY) / n;
  for (let i = 0; i < n; i++) {
    const pushedAt = new Date(START + Math.floor(i * step));
    const kind = i % 3;
    const names = kind === 0 ? [] : kind === 1 ? [`prod-${i}`] : [`dev-${i}`, ...(i % 10 === 2 ? [`release-${i}`] : [])];
    yield {
      digest: `sha256:${i.toString(16).padStart(64, '0')}` as Digest,
      pushedAt,
      lastPulledAt: i % 7 === 0 ? null : new Date(pushedAt.getTime() + DAY),
      tags: names.map((name) => ({ name, pushedAt })),
    };
  }
}

const ECR: RetentionPolicy = {
  family: 'expire',
  rules: [
    { kind: 'expire', priority: 1, tagStatus: 'tagged', tagPatterns: ['prod-*'], tagPrefixes: [], count: { type: 'imageCountMoreThan', n: 500 } },
    { kind: 'expire', priority: 2, tagStatus: 'tagged', tagPatterns: [], tagPrefixes: ['dev-'], count: { type: 'sinceImagePulled', days: 30 } },
    { kind: 'expire', priority: 3, tagStatus: 'untagged', tagPatterns: [], tagPrefixes: [], count: { type: 'sinceImagePushed', days: 7 } },
    { kind: 'expire', priority: 4, tagStatus: 'any', tagPatterns: [], tagPrefixes: [], count: { type: 'imageCountMoreThan', n: 1000 } },
  ],
};

const SWR: RetentionPolicy = {
  family: 'keep',
  rules: [
    {
      kind: 'tag_rule',
      n: 1000,
      exceptions: [
        { kind: 'regexp', pattern: '^release-' },
        { kind: 'label', pattern: 'latest' },
      ],
    },
    { kind: 'date_rule', days: 30, exceptions: [] },
  ],
};

const gc = (globalThis as { gc?: () => void }).gc;

/** `live`: collect garbage at every sample, so the peak is what the evaluation really holds (slower, so not timed). */
function measure(name: string, policy: RetentionPolicy, keepAll: boolean, live = false): void {
  const pins = new Map([[`sha256:${(5).toString(16).padStart(64, '0')}` as Digest, [{ id: 'pin-bench', reason: 'bench', expiresAt: null }]]]);
  const ctx: EvaluationContext = { now: NOW, pins, pullsRecordedSince: new Date(START + 100 * DAY) };
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const tally = { expire: 0, untag: 0, keep: 0, warned: 0 };
  const t0 = performance.now();
  const decisions = keepAll ? evaluate(repository(TOTAL), policy, ctx) : evaluateStream(repository(TOTAL), policy, ctx);
  let i = 0;
  for (const d of decisions) {
    tally[d.verdict] += 1;
    if (d.warnings.length > 0) tally.warned += 1;
    if (++i % 5000 !== 0) continue;
    if (live) gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const mib = (b: number): string => `${b >= 0 ? '+' : ''}${(b / 1048576).toFixed(1)} MiB`;
  console.log(
    `${name.padEnd(22)} ${TOTAL} manifests  ${live ? '    -' : ms.toFixed(0).padStart(5)} ms  heap ${live ? 'live' : 'peak'} ${mib(peak - before)}  retained ${mib(after - before)}  ` +
      `expire ${tally.expire} untag ${tally.untag} keep ${tally.keep} warned ${tally.warned}`,
  );
}

if (!gc) console.log('(run with --expose-gc for steadier heap figures)');
for (let round = 0; round < 2; round++) {
  measure('ecr stream', ECR, false);
  measure('swr stream', SWR, false);
  measure('ecr array (evaluate)', ECR, true);
}
if (gc) {
  measure('ecr stream, live heap', ECR, false, true);
  measure('swr stream, live heap', SWR, false, true);
  measure('ecr array, live heap', ECR, true, true);
}
