// What the engine reads (one image's facts, streamed from an index) and what it answers (one decision per image), kept
// apart from the rules so the store, the preview and the apply step can share them without the engine's internals.
import type { Digest } from '../model/digest.ts';
import type { Pin } from '../model/records.ts';

/** A tag as retention sees it: its name and when it was last pushed or moved (the tags table's updated_at). */
export interface LifecycleTag {
  name: string;
  pushedAt: Date;
}

/** One manifest of the repository, as the index streams it (oldest push first). */
export interface LifecycleImage {
  digest: Digest;
  pushedAt: Date;
  /** The last pull berth recorded, or null if it recorded none (see `pullsRecordedSince`). */
  lastPulledAt: Date | null;
  tags: readonly LifecycleTag[];
}

/** The pins that protect a digest: the caller resolves indexes, children and subjects; Map satisfies it. */
export interface PinLookup {
  get(digest: Digest): readonly Pick<Pin, 'id' | 'reason' | 'expiresAt'>[] | undefined;
}

export interface EvaluationContext {
  now: Date;
  pins: PinLookup;
  /** When berth started recording pulls for this repository: a pull-age rule never looks further back than this. */
  pullsRecordedSince: Date;
}

/**
 * Who decided an image. `rule`: an expire rule, by priority. `keep-rules`: keep rules by index (a removed tag was
 * released by every rule; a kept image names the rules that kept any of its tags). `pinned`: live pins keep it.
 * `none`: no rule selects it (an untagged image under keep rules, or one no expire rule's selection matches).
 */
export type DecidedBy =
  | { kind: 'rule'; priority: number }
  | { kind: 'keep-rules'; rules: readonly number[] }
  | { kind: 'pinned'; pins: readonly { id: string; reason: string }[] }
  | { kind: 'none' };

/** A pull-age rule expires an image berth never saw pulled: it may have been pulled before recording began. */
export interface LifecycleWarning {
  code: 'never-pulled-since-recording';
  since: Date;
}

export interface Decision {
  /** Position in the input stream (0-based): decisions may come out of order, this puts them back. */
  seq: number;
  digest: Digest;
  /** The image's push time (ECR's preview lists it), so no reader has to keep the images beside the decisions. */
  pushedAt: Date;
  tags: readonly string[];
  /** expire: the manifest goes (with all its tags). untag: only `removeTags` go. keep: nothing changes. */
  verdict: 'expire' | 'untag' | 'keep';
  /** The tags the verdict removes: all of them for expire, some for untag, none for keep. */
  removeTags: readonly string[];
  by: DecidedBy;
  warnings: readonly LifecycleWarning[];
}

/**
 * A policy's evaluation driven one image at a time (push order): `push` answers the decisions that image settled (its
 * own, or older images a count window let go), `finish` the rest. Holds only the count rules' windows.
 */
export interface Engine {
  push(image: LifecycleImage): Decision[];
  finish(): Decision[];
}

/** The live pins of a digest, in the shape a decision names them; empty when nothing protects it at `now`. */
export function livePins(pins: PinLookup, digest: Digest, now: Date): { id: string; reason: string }[] {
  const found = pins.get(digest) ?? [];
  return found.filter((p) => p.expiresAt === null || p.expiresAt > now).map((p) => ({ id: p.id, reason: p.reason }));
}
