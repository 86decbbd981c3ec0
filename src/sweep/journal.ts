import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/atomic-dir.js';
import { toStableJson } from '../report/format.js';
import { MARKER, markerContent, OutputWriteError } from '../report/out-dir.js';
import { SWEEP_METRICS } from '../scenario/sweep-schema.js';
import type { RunRecord, SweepMeta } from './aggregate.js';
import { JournalError } from './journal-error.js';
import { runSeed } from './points.js';

/** The files a finished sweep writes (sweepFiles' keys); a fresh journal removes stale ones. */
const RESULT_FILES = ['runs.csv', 'points.csv', 'sweep.json'];

/** A lock from another host not refreshed for this long is stale (its holder refreshes it 6 times as often). */
export const LOCK_STALE_MS = 60_000;

/** The journal format this code writes and reads (journal-meta.json `format`). */
export const JOURNAL_FORMAT = 2;

/**
 * What a sweep directory's runs belong to, as hashes: each top-level block of the resolved scenario
 * (trace and sample files read in, so editing one counts) and each part of the sweep block. Two
 * journals are the same sweep when every hash and the SweepMeta fields match.
 */
export interface SweepDefinition {
  scenario: Record<string, string>;
  sweep: Record<string, string>;
}

/** Journal meta (the journal's header): the sweep, its definition hashes, and the shard (null: all). */
export type JournalMeta = SweepMeta & { shard: string | null; format?: number; definition?: SweepDefinition };

export { JournalError };

/** JSON with keys sorted at every level: the same data always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha = (v: unknown) => createHash('sha256').update(canonical(v)).digest('hex').slice(0, 16);

/** The definition hashes of a resolved scenario (without its sweep block) and its sweep block. */
export function sweepDefinition(scenario: Record<string, unknown>, sweep: Record<string, unknown>): SweepDefinition {
  const { sweep: _s, variants: _v, ...rest } = scenario;
  return {
    scenario: Object.fromEntries(
      Object.keys(rest)
        .sort()
        .map((k) => [k, sha(rest[k])]),
    ),
    sweep: Object.fromEntries(
      Object.keys(sweep)
        .sort()
        .map((k) => [k, sha(sweep[k])]),
    ),
  };
}

/** The SweepMeta part of a journal header (what result files carry). */
export function sweepMetaOf(m: JournalMeta): SweepMeta {
  return {
    name: m.name,
    masterSeed: m.masterSeed,
    replications: m.replications,
    totalPoints: m.totalPoints,
    paths: m.paths,
    objective: m.objective,
  };
}

/**
 * What differs between two journal headers, in words ("scenario blocks workload, hpa", "master seed
 * 1 vs 2"); empty when they hold (shards of) the same sweep. The shard is compared only if asked.
 */
export function sweepDifferences(a: JournalMeta, b: JournalMeta, withShard = false): string[] {
  const out: string[] = [];
  if ((a.format ?? 1) !== (b.format ?? 1))
    out.push(`journal format ${a.format ?? 1} vs ${b.format ?? 1} (written by another gmpsim version)`);
  if (a.name !== b.name) out.push(`scenario name "${a.name}" vs "${b.name}"`);
  if (a.masterSeed !== b.masterSeed) out.push(`master seed ${a.masterSeed} vs ${b.masterSeed}`);
  const keys = (x: Record<string, string> = {}, y: Record<string, string> = {}) =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].sort().filter((k) => x[k] !== y[k]);
  const sc = keys(a.definition?.scenario, b.definition?.scenario);
  if (sc.length > 0) out.push(`scenario ${sc.length > 1 ? 'blocks' : 'block'} ${sc.join(', ')}`);
  const sw = keys(a.definition?.sweep, b.definition?.sweep).map((k) => `sweep.${k}`);
  if (sw.length > 0) out.push(sw.join(', '));
  if (sw.length === 0) {
    if (a.replications !== b.replications) out.push(`replications ${a.replications} vs ${b.replications}`);
    if (a.totalPoints !== b.totalPoints) out.push(`points ${a.totalPoints} vs ${b.totalPoints}`);
    if (JSON.stringify(a.objective) !== JSON.stringify(b.objective)) out.push('objective');
    if (JSON.stringify(a.paths) !== JSON.stringify(b.paths)) out.push('swept paths');
  }
  if (withShard && a.shard !== b.shard) out.push(`shard ${a.shard ?? 'none'} vs ${b.shard ?? 'none'}`);
  return out;
}

/** Do two journals hold (shards of) the same sweep? Everything but the shard must match. */
export function sameSweep(a: JournalMeta, b: JournalMeta): boolean {
  return sweepDifferences(a, b).length === 0;
}

/** One record as a line: `<byte length> <sha-256 prefix> <json>` — a torn or altered line fails its check. */
export function frameRecord(r: RunRecord): string {
  const json = JSON.stringify(r);
  const digest = createHash('sha256').update(json).digest('hex').slice(0, 16);
  return `${Buffer.byteLength(json)} ${digest} ${json}\n`;
}

/** The record in a framed line, or undefined when the line is torn or corrupt. */
function unframe(line: string): unknown {
  const m = /^(\d+) ([0-9a-f]{16}) (.*)$/.exec(line);
  if (!m || Buffer.byteLength(m[3]!) !== Number(m[1])) return undefined;
  if (createHash('sha256').update(m[3]!).digest('hex').slice(0, 16) !== m[2]) return undefined;
  try {
    return JSON.parse(m[3]!);
  } catch {
    return undefined;
  }
}

/** Is `pid` a live process (ours to wait for)? EPERM: alive, owned by someone else. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What `read()` found: the valid runs and, when the file ended in a torn record, where the valid part ends. */
export interface JournalRead {
  runs: RunRecord[];
  /** Bytes of the file that hold whole, valid records; less than the file's size when the tail is torn. */
  validBytes: number;
  tornTail: boolean;
}

/**
 * A sweep directory while it runs: journal-meta.json (the header: the sweep, the hashes of its
 * definition, the shard) and runs.jsonl, one framed, checksummed record per finished run, fsynced as it
 * is appended — so Ctrl-C, a crash or a full disk loses at most the runs in flight, and --resume (or
 * `gmpsim merge`) picks up the rest. A torn last record (a write cut short) is dropped on --resume and
 * that run is run again; a bad record anywhere else, a duplicate or a record for a point the sweep does
 * not have is refused. journal.lock holds the writer's pid and host, so two sweeps never append to one
 * journal.
 */
export class Journal {
  private fd: number | undefined;
  private locked = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly release = () => this.unlock();

  constructor(readonly dir: string) {}

  get metaFile(): string {
    return join(this.dir, 'journal-meta.json');
  }

  get runsFile(): string {
    return join(this.dir, 'runs.jsonl');
  }

  get lockFile(): string {
    return join(this.dir, 'journal.lock');
  }

  /**
   * Who holds the lock, if a live process does: on this host, a pid that is running (a stale lock from
   * a dead one is not held); on another host sharing the directory (a retried Kubernetes pod on a
   * ReadWriteMany volume), a lock its holder refreshed within LOCK_STALE_MS.
   */
  holder(): { pid: number; host: string } | undefined {
    let text: string;
    let ageMs: number;
    try {
      text = readFileSync(this.lockFile, 'utf8');
      ageMs = Date.now() - statSync(this.lockFile).mtimeMs;
    } catch {
      return undefined;
    }
    const [p, host = hostname()] = text.trim().split(/\s+/);
    const pid = Number(p);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    if (host !== hostname()) return ageMs < LOCK_STALE_MS ? { pid, host } : undefined;
    return pid !== process.pid && alive(pid) ? { pid, host } : undefined;
  }

  /** Take the lock (journal.lock: our pid and host); refuse if a live process holds it, replace a stale one. */
  lock(): void {
    mkdirSync(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockFile, 'wx');
        writeSync(fd, `${process.pid} ${hostname()}\n`);
        closeSync(fd);
        this.locked = true;
        process.on('exit', this.release);
        // Refresh the lock's time so writers on other hosts can tell a live holder from a dead one.
        this.heartbeat = setInterval(() => {
          try {
            const now = new Date();
            utimesSync(this.lockFile, now, now);
          } catch {
            // the directory went away: nothing to refresh
          }
        }, LOCK_STALE_MS / 6);
        this.heartbeat.unref();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputWriteError(this.lockFile, e);
      }
      const h = this.holder();
      if (h !== undefined) {
        const where = h.host === hostname() ? '' : ` on host ${h.host}`;
        throw new JournalError(
          `${this.dir}: another gmpsim (pid ${h.pid}${where}) is writing this sweep; wait for it to finish or ` +
            `use another --out`,
        );
      }
      rmSync(this.lockFile, { force: true }); // stale: its process is gone
    }
    throw new JournalError(`${this.dir}: cannot take ${this.lockFile}; another gmpsim is starting on it`);
  }

  unlock(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (!this.locked) return;
    this.locked = false;
    process.off('exit', this.release);
    try {
      const [p, host] = readFileSync(this.lockFile, 'utf8').trim().split(/\s+/);
      if (Number(p) === process.pid && (host === undefined || host === hostname())) unlinkSync(this.lockFile);
    } catch {
      // already gone
    }
  }

  /** Start fresh: remove what an earlier sweep left in the directory, write the header. */
  reset(meta: JournalMeta): void {
    mkdirSync(this.dir, { recursive: true });
    for (const f of ['runs.jsonl', ...RESULT_FILES]) rmSync(join(this.dir, f), { force: true });
    writeFileAtomic(join(this.dir, MARKER), markerContent('sweep'));
    writeFileAtomic(this.metaFile, toStableJson({ ...meta, format: JOURNAL_FORMAT }));
  }

  exists(): boolean {
    return existsSync(this.metaFile);
  }

  meta(): JournalMeta {
    let m: unknown;
    try {
      m = JSON.parse(readFileSync(this.metaFile, 'utf8'));
    } catch (e) {
      throw new JournalError(
        `${this.metaFile}: expected the journal header (JSON), ` +
          `found ${e instanceof SyntaxError ? 'malformed JSON' : (e as Error).message}`,
      );
    }
    const h = m as Partial<JournalMeta> | null;
    if (
      !h ||
      typeof h !== 'object' ||
      typeof h.name !== 'string' ||
      !Number.isInteger(h.totalPoints) ||
      !Number.isInteger(h.replications)
    ) {
      throw new JournalError(
        `${this.metaFile}: expected a journal header with name, totalPoints and replications, found something else`,
      );
    }
    return h as JournalMeta;
  }

  /**
   * Read and check every record against the header: framed and checksummed, a known point and
   * replication (in this shard), the seed the sweep gives it, once. A torn last record is reported in
   * the result (not an error); anything else wrong is a JournalError naming the file and line.
   */
  read(meta: JournalMeta = this.meta()): JournalRead {
    if (!existsSync(this.runsFile)) return { runs: [], validBytes: 0, tornTail: false };
    const buf = readFileSync(this.runsFile);
    const shard = meta.shard ? meta.shard.split('/').map(Number) : undefined;
    const runs: RunRecord[] = [];
    const seen = new Set<string>();
    let offset = 0;
    let lineNo = 0;
    while (offset < buf.length) {
      lineNo++;
      const nl = buf.indexOf(0x0a, offset);
      const end = nl < 0 ? buf.length : nl;
      const line = buf.subarray(offset, end).toString('utf8');
      const rec = nl < 0 ? undefined : unframe(line);
      if (rec === undefined) {
        // Only the last record may be torn (a write cut short); anything before it was whole once.
        if (nl < 0 || nl === buf.length - 1) return { runs, validBytes: offset, tornTail: true };
        throw new JournalError(
          `${this.runsFile}:${lineNo}: expected a framed, checksummed run record, found a corrupt line; remove ` +
            `the directory or restore the line`,
        );
      }
      const why = badRecord(rec, meta, shard);
      if (why) throw new JournalError(`${this.runsFile}:${lineNo}: ${why}`);
      const r = rec as RunRecord;
      const key = `${r.point}/${r.rep}`;
      if (seen.has(key))
        throw new JournalError(
          `${this.runsFile}:${lineNo}: point ${r.point} replication ${r.rep} is recorded twice (two writers?); ` +
            `remove the directory and run again`,
        );
      seen.add(key);
      runs.push(r);
      offset = end + 1;
    }
    return { runs, validBytes: buf.length, tornTail: false };
  }

  /** The runs recorded so far (a torn last record is not a run). */
  runs(): RunRecord[] {
    return this.read().runs;
  }

  /** Cut a torn tail off (so the next record starts on a line of its own). Returns whether one was cut. */
  dropTornTail(meta?: JournalMeta): boolean {
    const r = this.read(meta);
    if (!r.tornTail) return false;
    const fd = openSync(this.runsFile, 'r+');
    try {
      ftruncateSync(fd, r.validBytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /** Append one record and fsync it: once this returns, the run survives a crash or power loss. */
  append(r: RunRecord): void {
    try {
      this.fd ??= openSync(this.runsFile, 'a');
      writeSync(this.fd, frameRecord(r));
      fsyncSync(this.fd);
    } catch (e) {
      throw new OutputWriteError(this.runsFile, e);
    }
  }

  /** The size of runs.jsonl (0 if absent). */
  size(): number {
    return existsSync(this.runsFile) ? statSync(this.runsFile).size : 0;
  }
}

/** Why a parsed record does not belong to the sweep in `meta`, or undefined if it does. */
function badRecord(rec: unknown, meta: JournalMeta, shard: number[] | undefined): string | undefined {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec))
    return 'expected a run record (point, rep, seed, params, metrics or error), found something else';
  const r = rec as Partial<RunRecord>;
  if (!Number.isInteger(r.point) || r.point! < 0 || r.point! >= meta.totalPoints) {
    return `expected a point from 0 to ${meta.totalPoints - 1}, found ${JSON.stringify(r.point)}`;
  }
  if (shard && r.point! % shard[1]! !== shard[0]! - 1) return `point ${r.point} is not in shard ${meta.shard}`;
  if (!Number.isInteger(r.rep) || r.rep! < 0 || r.rep! >= meta.replications) {
    return `expected a replication from 0 to ${meta.replications - 1}, found ${JSON.stringify(r.rep)}`;
  }
  if (r.seed !== runSeed(meta.masterSeed, r.rep!))
    return (
      `point ${r.point} replication ${r.rep}: expected seed ${runSeed(meta.masterSeed, r.rep!)}, ` +
      `found ${JSON.stringify(r.seed)}`
    );
  if (!Array.isArray(r.params)) return `point ${r.point}: expected params, found none`;
  const okMetrics =
    Array.isArray(r.metrics) &&
    r.metrics.length === SWEEP_METRICS.length &&
    r.metrics.every((x) => typeof x === 'number' || x === null);
  if (!okMetrics && typeof r.error !== 'string')
    return `point ${r.point} replication ${r.rep}: expected ${SWEEP_METRICS.length} metrics or an error, found neither`;
  return undefined;
}
