import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Files a brief may name (a `json_schema` path, a `module:` check). They resolve inside the
 * brief's own folder — or a workspace the caller names — and nowhere else: no `../`, no absolute
 * path outside, no symlink that leads out. Anything but a regular file of a bounded size is
 * refused, each for what it is (missing, a directory, a named pipe, a device, a symlink loop, too
 * large, unreadable), and no message ever quotes the content of a file Baton could not use.
 */

/** A schema or module larger than this is almost certainly the wrong file. */
export const MAX_NAMED_FILE_BYTES = 1024 * 1024;

export interface NamedFileOptions {
  /** The folder relative paths start from (the brief's folder). */
  baseDir: string;
  /** The folder the file must be inside (default `baseDir`). */
  root?: string;
}

export type NamedFile = { ok: true; absolute: string } | { ok: false; reason: string };

/**
 * Resolves a path a brief names to a regular file inside the allowed folder, or says why not.
 *
 * @example
 * await resolveNamedFile('schema.json', { baseDir: '/briefs' }) // { ok: true, absolute: '/briefs/schema.json' }
 * await resolveNamedFile('/etc/shadow', { baseDir: '/briefs' }) // { ok: false, reason: '…outside the brief's folder…' }
 */
export async function resolveNamedFile(path: string, options: NamedFileOptions): Promise<NamedFile> {
  const fail = (reason: string): NamedFile => ({ ok: false, reason });
  if (path.includes('\0')) return fail('the path contains a NUL character');
  const root = resolve(options.root ?? options.baseDir);
  const absolute = resolve(options.baseDir, path);
  const where = `the brief's folder (${root})`;
  if (!inside(root, absolute)) return fail(`${absolute} is outside ${where}: a brief may only name files in its own folder`);

  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    return fail(describeFsError(absolute, error));
  }
  const realRoot = await realpath(root).catch(() => root);
  if (!inside(realRoot, real)) return fail(`${absolute} is a symbolic link to a file outside ${where}`);

  let info;
  try {
    info = await stat(real);
  } catch (error) {
    return fail(describeFsError(absolute, error));
  }
  if (info.isDirectory()) return fail(`${absolute} is a directory, not a file`);
  if (info.isFIFO()) return fail(`${absolute} is a named pipe (FIFO), not a file`);
  if (info.isCharacterDevice() || info.isBlockDevice()) return fail(`${absolute} is a device, not a file`);
  if (info.isSocket()) return fail(`${absolute} is a socket, not a file`);
  if (!info.isFile()) return fail(`${absolute} is not a regular file`);
  if (info.size > MAX_NAMED_FILE_BYTES) return fail(`${absolute} is ${info.size} bytes; a file a brief names may be at most ${MAX_NAMED_FILE_BYTES} bytes`);
  return { ok: true, absolute: real };
}

/**
 * Reads a file `resolveNamedFile` accepted, as UTF-8, never more than the limit (it may have
 * grown, or been swapped for a pipe, since). Non-blocking open: a FIFO cannot hang the read.
 */
export async function readNamedFile(absolute: string): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  let handle;
  try {
    handle = await open(absolute, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    return { ok: false, reason: describeFsError(absolute, error) };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, reason: `${absolute} is not a regular file` };
    const buffer = Buffer.alloc(MAX_NAMED_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_NAMED_FILE_BYTES) return { ok: false, reason: `${absolute} is larger than ${MAX_NAMED_FILE_BYTES} bytes` };
    }
    try {
      return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length)) };
    } catch {
      return { ok: false, reason: `${absolute} is not UTF-8 text` };
    }
  } catch (error) {
    return { ok: false, reason: describeFsError(absolute, error) };
  } finally {
    await handle.close();
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' ? false : !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** What went wrong with a path, in words, by its error code; never the file's content. */
export function describeFsError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `${path} does not exist`;
    case 'ENOTDIR':
      return `${path} does not exist (a part of the path is not a folder)`;
    case 'ELOOP':
      return `${path} is a symbolic link loop`;
    case 'EACCES':
    case 'EPERM':
      return `${path} cannot be read: permission denied`;
    case 'EISDIR':
      return `${path} is a directory, not a file`;
    case 'ENAMETOOLONG':
      return `${path}: the path is too long`;
    default:
      return `${path} cannot be read (${code ?? 'unknown error'})`;
  }
}
