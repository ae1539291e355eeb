// Write rates: pushing many distinct small images (2 blobs + manifest each), then deleting them by digest.
import { bounded, deleteManifest, pushSmallImage, type SmallImage } from '../http.ts';

export interface WriteRate {
  done: number;
  seconds: number;
  perSecond: number;
}

/** The same prebuilt images go to every registry, so client-side hashing and randomness are not timed. */
export async function smallImagePush(base: string, ns: string, images: SmallImage[], seconds: number, concurrency: number): Promise<WriteRate> {
  return bounded(images.length, seconds, concurrency, (i) => pushSmallImage(base, `${ns}/small`, `s${String(i).padStart(4, '0')}`, images[i]!));
}

/**
 * The same kind of pushes, each image into a repository of its own: on PostgreSQL they lock no common row, so this
 * shows whether writes overlap (issue 18); beside `smallImagePush`, where every push locks the one repository.
 */
export async function smallImagePushDistinct(base: string, ns: string, images: SmallImage[], seconds: number, concurrency: number): Promise<WriteRate> {
  return bounded(images.length, seconds, concurrency, (i) => pushSmallImage(base, `${ns}/distinct-${i}`, 'v1', images[i]!));
}

/** Deletes the first `count` images (those the push phase managed) by manifest digest. */
export async function deleteByDigest(base: string, ns: string, images: SmallImage[], count: number, seconds: number, concurrency: number): Promise<WriteRate> {
  return bounded(count, seconds, concurrency, (i) => deleteManifest(base, `${ns}/small`, images[i]!.digest));
}
