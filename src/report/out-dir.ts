import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  type Stats,
  statfsSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Where gmpsim may write. `--out` is a new path or an earlier gmpsim results directory of the same kind,
 * recognised by its marker file (MARKER, holding the kind); anything else — a file, a directory with
 * other content, the working directory or one of its parents, a parent of other results — is refused
 * before anything is simulated, so a typo never replaces a user's files. The check also proves the
 * place is writable and has some free space, so a long simulation does not end in a failed write.
 */

/** The kinds of results directory; a directory is only ever replaced by one of its own kind. */
export type ResultsKind = 'run' | 'compare' | 'sweep' | 'tune';

/** The marker file in every results directory gmpsim writes (content: the kind). */
export const MARKER = '.gmpsim-results';

/**
 * Files each kind writes (besides the marker): a directory holding only these (and made by a gmpsim
 * from before the marker existed) is recognised too. Temporary names (.tmp-*) are ours as well.
 */
const KNOWN_FILES: Record<ResultsKind, RegExp> = {
  run: /^(summary\.json|timeseries\.csv|scenario\.resolved\.yaml|pods\.csv|hpa_decisions\.csv|report\.html|charts)$/,
  compare:
    /^(compare(-summary)?\.csv|compare\.json|(timeseries|hpa_decisions)-[A-Za-z0-9._-]+\.csv|report\.html|charts)$/,
  sweep: /^(journal-meta\.json|runs\.jsonl|runs\.csv|points\.csv|sweep\.json|journal\.lock|report\.html|charts)$/,
  tune: /^(tune\.json|report\.html|charts)$/,
};

/** Free space below which a run is refused before it starts (results are small; this catches a full disk). */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

/** A place gmpsim must not or cannot write: refused before simulating (exit 2). */
export class OutDirError extends Error {
  override name = 'OutDirError';
}

/** Writing results failed after the simulation (disk full, permissions): exit 1, previous results kept. */
export class OutputWriteError extends Error {
  override name = 'OutputWriteError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const e = cause as NodeJS.ErrnoException;
    const why = e?.code ? `${e.code} (${describeCode(e.code)})` : String(e?.message ?? e);
    super(`cannot write ${path}: ${why}; earlier results there are unchanged`);
  }
}

function describeCode(code: string): string {
  const known: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a path component is not a directory',
    EISDIR: 'is a directory',
    EEXIST: 'already exists',
    EIO: 'input/output error',
  };
  return known[code] ?? 'I/O error';
}

/** The kind a directory's marker names, or undefined (no marker, or not ours). */
export function markerKind(dir: string): ResultsKind | undefined {
  try {
    const k = readFileSync(join(dir, MARKER), 'utf8').trim();
    return k in KNOWN_FILES ? (k as ResultsKind) : undefined;
  } catch {
    return undefined;
  }
}

/** The marker file's content for a kind (callers add it to the files they write). */
export function markerContent(kind: ResultsKind): string {
  return `${kind}\n`;
}

/** Is `dir` a results directory of this kind (its marker, or only files this kind writes)? */
export function isResultsDir(dir: string, kind: ResultsKind): boolean {
  const m = markerKind(dir);
  if (m !== undefined) return m === kind;
  const entries = readdirSync(dir).filter((e) => !e.startsWith('.tmp-') && !e.startsWith('.old-'));
  return entries.length > 0 && entries.every((e) => KNOWN_FILES[kind].test(e));
}

/** Is `a` the same path as `b` or a parent of it? */
function contains(a: string, b: string): boolean {
  const r = relative(a, b);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
}

/**
 * Check `--out DIR` for a results directory of `kind` before simulating; throws OutDirError (exit 2).
 * Accepts a path that does not exist (its nearest existing parent must be a writable directory) or a
 * results directory of the same kind; `what` names the option in messages ("--out").
 */
export function checkOutDir(dir: string, kind: ResultsKind, what = '--out'): void {
  const abs = resolve(dir);
  if (contains(abs, process.cwd())) {
    throw new OutDirError(
      `${what} ${dir}: refusing to write results into the working directory or a parent of it; name a new directory`,
    );
  }
  let st: Stats | undefined;
  try {
    st = lstatSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new OutDirError(`${what} ${dir}: cannot inspect it (${code})`);
  }
  if (st) {
    if (!st.isDirectory()) {
      const kind = st.isSymbolicLink() ? 'symbolic link' : 'file';
      throw new OutDirError(`${what} ${dir}: is a ${kind}, not a results directory; refusing to replace it`);
    }
    const entries = readdirSync(abs);
    if (entries.length > 0 && !isResultsDir(abs, kind)) {
      const other = markerKind(abs);
      const nested = entries.some((e) => existsSync(join(abs, e, MARKER)));
      const why = other
        ? `holds gmpsim ${other} results, not ${kind} results`
        : nested
          ? 'is a parent of other results'
          : `holds other files (e.g. ${entries.slice(0, 3).join(', ')}) and is not a gmpsim ${kind} results directory`;
      throw new OutDirError(`${what} ${dir}: ${why}; refusing to replace it (name a new directory)`);
    }
  }
  checkWritable(abs, dir, what);
}

/** The nearest existing directory at or above `abs`, which must be writable and have free space. */
function checkWritable(abs: string, shown: string, what: string): void {
  let d = abs;
  while (!existsSync(d)) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  let st: Stats;
  try {
    st = lstatSync(d);
  } catch {
    throw new OutDirError(`${what} ${shown}: no existing parent directory`);
  }
  if (!st.isDirectory() && !st.isSymbolicLink())
    throw new OutDirError(`${what} ${shown}: ${d} is a file, not a directory`);
  try {
    accessSync(d, constants.W_OK | constants.X_OK);
  } catch {
    throw new OutDirError(`${what} ${shown}: ${d} is not writable`);
  }
  try {
    const fs = statfsSync(d);
    const free = fs.bavail * fs.bsize;
    if (free < MIN_FREE_BYTES) {
      const need = `need at least ${MIN_FREE_BYTES / 1024 / 1024} MiB`;
      throw new OutDirError(
        `${what} ${shown}: only ${Math.floor(free / 1024)} KiB free on the device of ${d} (${need})`,
      );
    }
  } catch (e) {
    if (e instanceof OutDirError) throw e;
    // statfs unsupported here: the write itself will report a full disk.
  }
}

/**
 * Check a single output file (`--trace FILE`, `import --out`, `export --out`): a new path or an existing
 * regular file, writable. With `owner`, an existing file is replaced only if it begins as that command's
 * files do (`marker`): an earlier output, never a user's own file.
 */
export function checkOutFile(file: string, what: string, owner?: { command: string; marker: string }): void {
  const abs = resolve(file);
  try {
    const st = lstatSync(abs);
    if (!st.isFile()) throw new OutDirError(`${what} ${file}: not a regular file; refusing to replace it`);
    if (owner && !startsWith(abs, owner.marker)) {
      throw new OutDirError(
        `${what} ${file}: the file exists and was not written by gmpsim ${owner.command}; choose a new path`,
      );
    }
  } catch (e) {
    if (e instanceof OutDirError) throw e;
  }
  checkWritable(dirname(abs), file, what);
}

/** Whether the file's first bytes are `prefix` (reads only that much, whatever the file's size). */
function startsWith(file: string, prefix: string): boolean {
  const want = Buffer.from(prefix, 'utf8');
  const got = Buffer.alloc(want.length);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, got, 0, want.length, 0) === want.length && got.equals(want);
  } finally {
    closeSync(fd);
  }
}

/** Run `write`, turning an I/O error into one line naming the path (exit 1). */
export function writing<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof OutputWriteError) throw e;
    if ((e as NodeJS.ErrnoException)?.code) throw new OutputWriteError(path, e);
    throw e;
  }
}
