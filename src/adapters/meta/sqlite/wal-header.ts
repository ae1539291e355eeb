// Every commit to a WAL database, by any connection in any process, rewrites the WAL-index header at the start of the
// `-shm` file; reading its 96 bytes (one pread, ~1 µs) says "nothing was committed anywhere" more cheaply than
// `PRAGMA data_version` (a read transaction: two fcntl locks, ~3 µs alone and 8-9 µs under GET load).
import { openSync, readSync, statSync } from 'node:fs';

/** The header's two copies (48 bytes each): SQLite writes copy 1, then copy 0, and counts every commit in both. */
const HEADER_BYTES = 96;

export interface WalHeaderWatch {
  /**
   * Reads the header and says whether it is byte for byte what the previous call read. True means no commit finished
   * in between; false means one may have (or the file could not be read) and the caller must check another way.
   */
  unchanged(): boolean;
  /** Makes the next call answer false: the caller could not finish the check that a false answer asked for. */
  forget(): void;
}

/**
 * One descriptor per -shm file, kept open for the life of the process and never closed: POSIX drops every fcntl lock
 * a process holds on a file when any of its descriptors for that file closes, and SQLite holds its WAL locks (among
 * them the one that stops another process from resetting the file) on this one, for every connection in the process.
 * Keyed by device and inode, so a file removed and created again under the same name is a new one.
 */
const descriptors = new Map<string, number>();

function descriptor(file: string): number | undefined {
  try {
    // Called with a connection open, which keeps this file in place: stat and open see the same one.
    const { dev, ino } = statSync(file);
    const key = `${dev}:${ino}`;
    let fd = descriptors.get(key);
    if (fd === undefined) descriptors.set(key, (fd = openSync(file, 'r')));
    return fd;
  } catch {
    return undefined;
  }
}

/**
 * Watches `<dbFile>-shm` (call with the database open in WAL mode), or answers undefined when there is none to watch
 * (an in-memory database, no WAL).
 */
export function walHeaderWatch(dbFile: string): WalHeaderWatch | undefined {
  const fd = descriptor(`${dbFile}-shm`);
  if (fd === undefined) return undefined;
  let seen = Buffer.alloc(HEADER_BYTES);
  let read = Buffer.alloc(HEADER_BYTES);
  let primed = false;
  return {
    unchanged() {
      let n: number;
      try {
        n = readSync(fd, read, 0, HEADER_BYTES, 0);
      } catch {
        return false;
      }
      // A header caught mid-write has unequal copies; byte 12 (isInit) is 0 until SQLite has written one.
      const same = primed && n === HEADER_BYTES && read[12] === 1 && read.equals(seen) && read.compare(read, 0, 48, 48, 96) === 0;
      const last = seen;
      seen = read;
      read = last;
      primed = true;
      return same;
    },
    forget() {
      primed = false;
    },
  };
}
