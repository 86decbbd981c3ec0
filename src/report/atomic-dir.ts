import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputWriteError } from './out-dir.js';

/**
 * Write a set of files as one directory, atomically: everything goes into a hidden temporary sibling
 * first and is renamed into place only when complete, so a crash or Ctrl-C never leaves a results
 * directory that looks finished but is not. An existing directory of the same name is replaced (callers
 * check first that it is theirs: out-dir.ts). An I/O error is an OutputWriteError naming the path, and
 * the previous directory is left in place.
 */
export function writeDirAtomic(dir: string, files: Record<string, string>): void {
  const parent = dirname(dir);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.tmp-${basename(dir)}-${tag}`);
  try {
    mkdirSync(parent, { recursive: true });
    mkdirSync(tmp);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(tmp, name), content);
    if (existsSync(dir)) {
      const old = join(parent, `.old-${basename(dir)}-${tag}`);
      renameSync(dir, old);
      try {
        renameSync(tmp, dir);
      } catch (e) {
        renameSync(old, dir); // put the previous results back
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, dir);
  } catch (e) {
    quietly(() => rmSync(tmp, { recursive: true, force: true }));
    throw new OutputWriteError(dir, e);
  }
}

/** Write one file atomically (temporary sibling, then rename). */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = join(dirname(file), `.tmp-${basename(file)}-${process.pid}`);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (e) {
    quietly(() => rmSync(tmp, { force: true }));
    throw new OutputWriteError(file, e);
  }
}

/** Clean-up that must not hide the error being reported. */
function quietly(f: () => void): void {
  try {
    f();
  } catch {
    // the original error is the one to report
  }
}
