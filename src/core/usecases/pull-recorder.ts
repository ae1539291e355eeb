// Last-pulled times feed "in use" protection, but a write per pull would serialise every GET: so pulls are
// collected in memory and written in one batch every few seconds.
import type { Digest } from '../model/digest.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

type PullRecorderDeps = UsesMeta<'recordPulls'> & Pick<RegistryDeps, 'clock'>;

export class PullRecorder {
  readonly #pending = new Map<string, { repository: string; digest: Digest; at: Date }>();
  readonly #deps: PullRecorderDeps;

  constructor(deps: PullRecorderDeps) {
    this.#deps = deps;
  }

  record(repository: string, digest: Digest): void {
    this.#pending.set(`${repository}@${digest}`, { repository, digest, at: this.#deps.clock.now() });
  }

  /** Writes what was collected; safe to call at any time, e.g. on a timer and at shutdown. */
  async flush(): Promise<number> {
    if (this.#pending.size === 0) return 0;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    await this.#deps.meta.recordPulls(batch);
    return batch.length;
  }
}
