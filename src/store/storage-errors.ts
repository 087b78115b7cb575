import { BatonError } from '../errors.js';

/**
 * Failures of the storage itself — a full disk, a read-only file or folder, a path that cannot
 * be created — named for a person: which file, what happened, what to do. They are not bugs, and
 * reading an exploration keeps working when only writing fails.
 */

const READ_STILL_WORKS = 'Reading still works (board, show, export, ls).';

/** The `storage_unavailable` error for a SQLite or file-system error code, or undefined when it is something else. */
export function storageError(error: unknown, location: string): BatonError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const fail = (what: string, todo: string): BatonError =>
    new BatonError('storage_unavailable', `${location}: ${what} — ${todo}`, { cause: error, location: { file: location } });
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return fail(
      'the disk is full (or the database reached its size limit); nothing was half-written',
      `free some space, or point --db / BATON_DB at a file on another disk, then run the command again. ${READ_STILL_WORKS}`,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return fail(
      'the database is read-only (the file, its folder, or the disk cannot be written by this user)',
      `make the file and its folder writable, or copy it somewhere writable and point --db / BATON_DB at the copy. ${READ_STILL_WORKS}`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return fail('permission denied: this user may not write here', `check the permissions of the file and its folder, or point --db / BATON_DB elsewhere. ${READ_STILL_WORKS}`);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'ENOTDIR' || code === 'EISDIR') {
    return fail('the database file cannot be opened or created', 'check that the path is a file in a folder that exists and can be written, or point --db / BATON_DB elsewhere');
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return fail(`the disk reported an I/O error (${code})`, `check the disk (is it full, removed, or failing?) and run the command again. ${READ_STILL_WORKS}`);
  }
  return undefined;
}
