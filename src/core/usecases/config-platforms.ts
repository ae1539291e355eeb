// Platforms read from image config blobs, remembered by digest: a blob's bytes never change under its digest, so a
// platform read once holds for every repository and every later listing (NCR's tag list needs one config per tag).
import type { Digest } from '../model/digest.ts';
import type { Platform } from './image-platforms.ts';

/** Entries kept by default: a few hundred KiB at most, far more configs than a busy registry lists at once. */
export const CONFIG_PLATFORMS_KEPT = 4096;

/** A bounded map from config digest to the platform its bytes declare; the least recently used entry goes first. */
export class ConfigPlatforms {
  readonly #max: number;
  readonly #byDigest = new Map<Digest, Platform>();

  constructor(max: number = CONFIG_PLATFORMS_KEPT) {
    this.#max = Math.max(1, max);
  }

  get size(): number {
    return this.#byDigest.size;
  }

  /** The remembered platform (a copy, so a caller cannot change what later listings see), or undefined. */
  get(digest: Digest): Platform | undefined {
    const known = this.#byDigest.get(digest);
    if (known === undefined) return undefined;
    this.#byDigest.delete(digest);
    this.#byDigest.set(digest, known);
    return { ...known, osFeatures: [...known.osFeatures], features: [...known.features] };
  }

  set(digest: Digest, platform: Platform): void {
    this.#byDigest.delete(digest);
    this.#byDigest.set(digest, { ...platform, osFeatures: [...platform.osFeatures], features: [...platform.features] });
    if (this.#byDigest.size > this.#max) this.#byDigest.delete(this.#byDigest.keys().next().value!);
  }
}

/** The process's cache: content-addressed, so one instance serves every registry the process opens. */
export const configPlatforms = new ConfigPlatforms();
