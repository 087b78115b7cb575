import { link, rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes a file so that no reader ever sees it half-written: a temporary file, then a rename —
 * or, when the target must not exist yet, a hard link, which fails atomically if it does.
 */
export async function writeFileAtomic(path: string, text: string, options: { exclusive?: boolean } = {}): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
  try {
    if (options.exclusive) await link(temporary, path);
    else await rename(temporary, path);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
