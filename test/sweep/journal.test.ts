import { appendFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SWEEP_METRICS } from '../../src/scenario/sweep-schema.js';
import type { RunRecord } from '../../src/sweep/aggregate.js';
import {
  frameRecord,
  Journal,
  JournalError,
  type JournalMeta,
  LOCK_STALE_MS,
  sweepDefinition,
  sweepDifferences,
} from '../../src/sweep/journal.js';
import { runSeed } from '../../src/sweep/points.js';

const base = { name: 'j', masterSeed: 1, replications: 2, totalPoints: 3, paths: ['a'], objective: { p99Ms: 1 } };
const meta = (over: Partial<JournalMeta> = {}): JournalMeta => ({
  ...base,
  shard: null,
  definition: sweepDefinition({ workload: { r: 1 }, runtime: { g: 2 } }, { grid: { a: [1, 2, 3] }, replications: 2 }),
  ...over,
});
const rec = (point: number, rep: number): RunRecord => ({
  point,
  rep,
  seed: runSeed(1, rep),
  params: [['a', point + 1]],
  metrics: SWEEP_METRICS.map(() => 1),
});

function journal(m = meta()): Journal {
  const j = new Journal(join(mkdtempSync(join(tmpdir(), 'gmpsim-journal-')), 'sd'));
  j.reset(m);
  return j;
}

describe('sweep journal (src/sweep/journal.ts)', () => {
  it('appends framed, checksummed records and reads them back', () => {
    const j = journal();
    j.append(rec(0, 0));
    j.append(rec(2, 1));
    j.unlock();
    expect(j.runs()).to.deep.equal([rec(0, 0), rec(2, 1)]);
    expect(readFileSync(j.runsFile, 'utf8')).to.match(/^\d+ [0-9a-f]{16} \{"point":0/);
  });

  it('a torn last record is reported, not read, and dropTornTail cuts exactly it', () => {
    const j = journal();
    j.append(rec(0, 0));
    j.unlock();
    const good = readFileSync(j.runsFile, 'utf8');
    appendFileSync(j.runsFile, frameRecord(rec(1, 0)).slice(0, 30));
    expect(j.read()).to.deep.include({ tornTail: true, validBytes: Buffer.byteLength(good) });
    expect(j.dropTornTail()).to.equal(true);
    expect(readFileSync(j.runsFile, 'utf8')).to.equal(good);
    // A whole line whose checksum fails, at the end, is torn too (the newline got written first).
    appendFileSync(j.runsFile, frameRecord(rec(1, 0)).replace('"rep":0', '"rep":1'));
    expect(j.read().tornTail).to.equal(true);
  });

  const refused: [string, (j: Journal) => void, RegExp][] = [
    [
      'a corrupt line before the last',
      (j) => writeFileSync(j.runsFile, `garbage\n${frameRecord(rec(0, 0))}`),
      /runs\.jsonl:1: expected a framed, checksummed run record/,
    ],
    [
      'a duplicate',
      (j) => writeFileSync(j.runsFile, frameRecord(rec(0, 0)).repeat(2)),
      /runs\.jsonl:2: point 0 replication 0 is recorded twice/,
    ],
    [
      'an unknown point',
      (j) => writeFileSync(j.runsFile, frameRecord({ ...rec(0, 0), point: 3 })),
      /expected a point from 0 to 2, found 3/,
    ],
    [
      'an unknown replication',
      (j) => writeFileSync(j.runsFile, frameRecord({ ...rec(0, 0), rep: 2 })),
      /expected a replication from 0 to 1, found 2/,
    ],
    [
      'the wrong seed',
      (j) => writeFileSync(j.runsFile, frameRecord({ ...rec(0, 0), seed: 5 })),
      /expected seed \d+, found 5/,
    ],
    [
      'neither metrics nor an error',
      (j) => writeFileSync(j.runsFile, frameRecord({ point: 0, rep: 0, seed: runSeed(1, 0), params: [] })),
      /expected 13 metrics or an error/,
    ],
  ];
  for (const [name, damage, message] of refused) {
    it(`refuses ${name}, with file:line`, () => {
      const j = journal();
      j.unlock();
      damage(j);
      expect(() => j.runs()).to.throw(JournalError, message);
    });
  }

  it('a shard refuses records of other shards', () => {
    const j = journal(meta({ shard: '2/2' }));
    j.unlock();
    writeFileSync(j.runsFile, frameRecord(rec(0, 0)));
    expect(() => j.runs()).to.throw(JournalError, /point 0 is not in shard 2\/2/);
  });

  it('the lock: a live holder is refused, a dead one is taken over, unlock removes it', () => {
    const j = journal();
    expect(() => new Journal(j.dir).lock()).not.to.throw(); // our own pid: not another writer
    j.unlock();
    writeFileSync(j.lockFile, `${process.ppid}\n`);
    expect(() => new Journal(j.dir).lock()).to.throw(
      JournalError,
      new RegExp(`another gmpsim \\(pid ${process.ppid}\\)`),
    );
    writeFileSync(j.lockFile, '2147483646\n');
    const k = new Journal(j.dir);
    k.lock();
    expect(readFileSync(j.lockFile, 'utf8').trim()).to.equal(`${process.pid} ${hostname()}`);
    k.unlock();
    expect(() => readFileSync(j.lockFile)).to.throw();
    // Another host's lock: held while its holder refreshes it, stale a minute after it stopped.
    writeFileSync(j.lockFile, '7 another-host\n');
    expect(() => new Journal(j.dir).lock()).to.throw(JournalError, /another gmpsim \(pid 7 on host another-host\)/);
    const old = new Date(Date.now() - LOCK_STALE_MS - 1000);
    utimesSync(j.lockFile, old, old);
    const m = new Journal(j.dir);
    m.lock();
    m.unlock();
  });

  it('sweepDifferences names what differs', () => {
    const a = meta();
    expect(sweepDifferences(a, meta())).to.deep.equal([]);
    const b = meta({
      masterSeed: 9,
      definition: sweepDefinition(
        { workload: { r: 2 }, runtime: { g: 2 } },
        { grid: { a: [1, 2, 4] }, replications: 2 },
      ),
    });
    expect(sweepDifferences(a, b)).to.deep.equal(['master seed 1 vs 9', 'scenario block workload', 'sweep.grid']);
    expect(sweepDifferences(a, meta({ shard: '1/2' }), true)).to.deep.equal(['shard none vs 1/2']);
    expect(sweepDifferences(a, meta({ shard: '1/2' }))).to.deep.equal([]);
  });
});
