import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputWriteError } from './out-dir.js';

/**
 * A results directory being written: files go into a hidden temporary sibling (`.tmp-<name>-<pid>-<t>`),
 * which `commit` renames into place only when complete, so a crash or Ctrl-C never leaves a results
 * directory that looks finished but is not. Files may be written whole (`write`) or streamed while a run
 * goes (open `path(name)` yourself). An existing directory of the same name is replaced (callers check
 * first that it is theirs: out-dir.ts). An I/O error is an OutputWriteError naming the path, and the
 * previous directory is left in place.
 */
export class AtomicDir {
  /** The hidden temporary directory the files are written into. */
  readonly tmp: string;
  private readonly tag = `${process.pid}-${Date.now().toString(36)}`;

  constructor(readonly dir: string) {
    const parent = dirname(dir);
    this.tmp = join(parent, `.tmp-${basename(dir)}-${this.tag}`);
    try {
      mkdirSync(parent, { recursive: true });
      mkdirSync(this.tmp);
    } catch (e) {
      throw new OutputWriteError(dir, e);
    }
  }

  /** Where file `name` goes until commit. */
  path(name: string): string {
    return join(this.tmp, name);
  }

  write(name: string, content: string): void {
    try {
      writeFileSync(this.path(name), content);
    } catch (e) {
      this.abort();
      throw new OutputWriteError(this.dir, e);
    }
  }

  /** Rename the finished directory into place (replacing an earlier one of the same name). */
  commit(): void {
    const { dir, tmp } = this;
    const parent = dirname(dir);
    try {
      if (existsSync(dir)) {
        const old = join(parent, `.old-${basename(dir)}-${this.tag}`);
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
      this.abort();
      throw new OutputWriteError(dir, e);
    }
  }

  /** Remove the temporary directory (a failed or interrupted run); never throws. */
  abort(): void {
    quietly(() => rmSync(this.tmp, { recursive: true, force: true }));
  }
}

/** Write a set of files as one directory, atomically (AtomicDir). */
export function writeDirAtomic(dir: string, files: Record<string, string>): void {
  const d = new AtomicDir(dir);
  for (const [name, content] of Object.entries(files)) d.write(name, content);
  d.commit();
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
