import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/atomic-dir.js';
import { toStableJson } from '../report/format.js';
import type { RunRecord, SweepMeta } from './aggregate.js';

/** The files a finished sweep writes (sweepFiles' keys); a fresh journal removes stale ones. */
const RESULT_FILES = ['runs.csv', 'points.csv', 'sweep.json'];

/** Journal meta: the sweep, and which shard of it the directory holds (null: all of it). */
export type JournalMeta = SweepMeta & { shard: string | null };

/** Do two journals hold (shards of) the same sweep? Everything but the shard must match. */
export function sameSweep(a: JournalMeta, b: JournalMeta): boolean {
  const { shard: _a, ...x } = a;
  const { shard: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}

/**
 * A sweep directory while it runs: journal-meta.json (the sweep, and the shard) and runs.jsonl, one
 * finished run per line, appended as runs finish — so Ctrl-C or a crash loses at most the runs in
 * flight, and --resume (or `gmpsim merge`) picks up the rest. Lines are in completion order; the
 * result files sort them.
 */
export class Journal {
  constructor(readonly dir: string) {}

  get metaFile(): string {
    return join(this.dir, 'journal-meta.json');
  }

  get runsFile(): string {
    return join(this.dir, 'runs.jsonl');
  }

  /** Start fresh: remove what an earlier sweep left in the directory. */
  reset(meta: JournalMeta): void {
    mkdirSync(this.dir, { recursive: true });
    for (const f of ['runs.jsonl', ...RESULT_FILES]) rmSync(join(this.dir, f), { force: true });
    writeFileAtomic(this.metaFile, toStableJson(meta));
  }

  exists(): boolean {
    return existsSync(this.metaFile);
  }

  meta(): JournalMeta {
    return JSON.parse(readFileSync(this.metaFile, 'utf8')) as JournalMeta;
  }

  /** The runs recorded so far (a torn last line from a crash is ignored). */
  runs(): RunRecord[] {
    if (!existsSync(this.runsFile)) return [];
    const out: RunRecord[] = [];
    for (const line of readFileSync(this.runsFile, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as RunRecord);
      } catch {
        // an interrupted write: that run is simply not done
      }
    }
    return out;
  }

  append(r: RunRecord): void {
    appendFileSync(this.runsFile, `${JSON.stringify(r)}\n`);
  }
}
