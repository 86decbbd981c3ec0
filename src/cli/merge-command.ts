import { join } from 'node:path';
import { writeFileAtomic } from '../report/atomic-dir.js';
import { sweepFiles, type RunRecord } from '../sweep/aggregate.js';
import { Journal, sameSweep } from '../sweep/journal.js';
import { UsageError } from './errors.js';
import { report } from './sweep-command.js';

/**
 * `gmpsim merge DIR...`: join the shards of one sweep (each DIR a `gmpsim sweep --shard K/N` output)
 * into exactly the files the unsharded sweep writes. Every point × replication must be present once.
 */
export function mergeCommand(dirs: string[], opts: { out?: string; json?: boolean; quiet?: boolean }): number {
  const journals = dirs.map((d) => new Journal(d));
  for (const j of journals) if (!j.exists()) throw new UsageError(`${j.dir}: not a sweep directory (no journal-meta.json)`);
  const metas = journals.map((j) => j.meta());
  const { shard: _s, ...meta } = metas[0]!;
  metas.forEach((m, i) => {
    if (!sameSweep(m, metas[0]!)) throw new UsageError(`${dirs[i]}: a different sweep than ${dirs[0]} (scenario, seed or objective differ)`);
  });
  const runs = new Map<string, RunRecord>();
  for (const j of journals) {
    for (const r of j.runs()) {
      const k = `${r.point}/${r.rep}`;
      if (runs.has(k)) throw new UsageError(`point ${r.point} replication ${r.rep} appears in more than one shard`);
      runs.set(k, r);
    }
  }
  const missing: string[] = [];
  for (let p = 0; p < meta.totalPoints; p++) for (let rep = 0; rep < meta.replications; rep++) if (!runs.has(`${p}/${rep}`)) missing.push(`${p}/${rep}`);
  if (missing.length > 0) throw new UsageError(`incomplete: ${missing.length} of ${meta.totalPoints * meta.replications} runs missing (first: point/rep ${missing.slice(0, 5).join(', ')}); finish the shards (--resume) first`);
  const out = opts.out ?? join('results', meta.name, 'sweep');
  const all = [...runs.values()];
  for (const [name, content] of Object.entries(sweepFiles(meta, all))) writeFileAtomic(join(out, name), content);
  return report(meta, all, out, opts);
}
