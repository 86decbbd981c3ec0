import { join, resolve } from 'node:path';
import { writeDirAtomic } from '../report/atomic-dir.js';
import { checkOutDir, MARKER, markerContent } from '../report/out-dir.js';
import { type RunRecord, sweepFiles } from '../sweep/aggregate.js';
import { Journal, JournalError, sweepDifferences, sweepMetaOf } from '../sweep/journal.js';
import { UsageError } from './errors.js';
import { report } from './sweep-command.js';

/**
 * `gmpsim merge DIR...`: join the shards of one sweep (each DIR a `gmpsim sweep --shard K/N` output)
 * into exactly the files the unsharded sweep writes. Every point × replication must be present once;
 * shards of another sweep, a shard still being written, duplicate records and records for points the
 * sweep does not have are refused, naming the directory (and the journal line).
 */
export function mergeCommand(dirs: string[], opts: { out?: string; json?: boolean; quiet?: boolean }): number {
  const journals = dirs.map((d) => new Journal(d));
  for (const j of journals)
    if (!j.exists()) throw new UsageError(`${j.dir}: not a sweep directory (no journal-meta.json)`);
  for (const j of journals) {
    const h = j.holder();
    if (h !== undefined)
      throw new JournalError(
        `${j.dir}: still being written by gmpsim pid ${h.pid} on ${h.host}; wait for it to finish`,
      );
  }
  const metas = journals.map((j) => j.meta());
  metas.forEach((m, i) => {
    const diff = sweepDifferences(metas[0]!, m);
    if (diff.length > 0)
      throw new UsageError(`${dirs[i]}: a different sweep than ${dirs[0]} (differs in: ${diff.join('; ')})`);
  });
  const meta = sweepMetaOf(metas[0]!);
  const out = opts.out ?? join('results', meta.name, 'sweep');
  if (dirs.some((d) => resolve(d) === resolve(out)))
    throw new UsageError(`--out ${out}: is one of the shards being merged; name another directory`);
  checkOutDir(out, 'sweep');
  const runs = new Map<string, RunRecord>();
  journals.forEach((j, i) => {
    for (const r of j.read(metas[i]).runs) {
      const k = `${r.point}/${r.rep}`;
      if (runs.has(k))
        throw new UsageError(`point ${r.point} replication ${r.rep} appears in more than one shard (${j.dir})`);
      runs.set(k, r);
    }
  });
  const missing: string[] = [];
  for (let p = 0; p < meta.totalPoints; p++)
    for (let rep = 0; rep < meta.replications; rep++) if (!runs.has(`${p}/${rep}`)) missing.push(`${p}/${rep}`);
  if (missing.length > 0)
    throw new UsageError(
      `incomplete: ${missing.length} of ${meta.totalPoints * meta.replications} runs missing (first: ` +
        `point/rep ${missing.slice(0, 5).join(', ')}); finish the shards (--resume) first`,
    );
  const all = [...runs.values()];
  writeDirAtomic(out, { ...sweepFiles(meta, all), [MARKER]: markerContent('sweep') });
  return report(meta, all, out, opts);
}
