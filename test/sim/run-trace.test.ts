import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { GC_TID, M_TID_BASE } from '../../src/runtime/gmp/trace-export.js';
import type { TraceDocument, TraceEvent } from '../../src/runtime/trace-events.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import { runScenario } from '../../src/sim/experiment.js';
import { CLUSTER_PID, LIFECYCLE_TID, podPid } from '../../src/sim/run-trace.js';
import { traceProblems } from '../support/trace-event-format.js';

const us = (s: number) => s * 1e6;
const slices = (d: TraceDocument, pid: number, name?: RegExp) =>
  d.traceEvents.filter((e) => e.ph === 'X' && e.pid === pid && (!name || name.test(e.name)));
const counterKeys = (d: TraceDocument, pid: number, name: string) =>
  new Set(
    d.traceEvents.filter((e) => e.ph === 'C' && e.pid === pid && e.name === name).flatMap((e) => Object.keys(e.args!)),
  );

describe('run --trace: the whole run as Chrome Trace Event / Perfetto JSON', function () {
  this.timeout(300_000);

  it('gc-mark-assist: GC phases in order, assists nested in G runs, mark workers named, counters, well formed', () => {
    const sc = loadScenarioFile('scenarios/gc-mark-assist.yaml');
    const d = runScenario(sc, sc.seed, { trace: { startS: 0, endS: 5, maxEvents: 1_000_000 } }).trace!;
    expect(traceProblems(d, { startUs: 0, endUs: us(5) })).to.deep.equal([]);
    const pid = podPid(0);
    const gc = d.traceEvents
      .filter((e) => e.ph === 'X' && e.pid === pid && e.tid === GC_TID)
      .sort((a, b) => a.ts! - b.ts!);
    expect(gc.length).to.be.at.least(6);
    // Each cycle: STW sweep termination, then the concurrent mark, then STW mark termination (mgc.go gcStart →
    // gcMarkDone).
    const order = ['STW sweep termination', 'mark', 'STW mark termination'];
    gc.forEach((e, i) => {
      if (i >= gc.length - (gc.length % 3)) return;
      expect(e.name).to.equal(order[i % 3]);
    });
    const assists = slices(d, pid, /^mark assist$/);
    expect(assists.length).to.be.greaterThan(100);
    expect(assists.every((e) => e.tid! < 500)).to.equal(true); // on P tracks, nested in the G's run (checked above)
    expect(slices(d, pid, /^GC worker \((dedicated|fractional|idle)\)$/).length).to.be.greaterThan(0);
    expect(slices(d, pid, /^GC worker \(\)$/)).to.have.length(0);
    expect(slices(d, pid, /^GC assist wait$/).length).to.be.greaterThan(0);
    expect([...counterKeys(d, pid, 'runtime')]).to.include.members([
      'goroutines',
      'heap_live_mb',
      'heap_goal_mb',
      'threads',
      'global_runq',
    ]);
    expect([...counterKeys(d, pid, 'runq')]).to.include.members(['P0', 'P3', 'global']);
    expect([...counterKeys(d, pid, 'cpu')]).to.deep.equal(['cores']);
    expect(d.metadata['gmpsim-truncated-at-s']).to.equal(null);
  });

  it(
    'hpa-flash-crowd: a process per pod, lifecycle and scale events in the cluster, a flow from ingress to ' + 'each G',
    () => {
      const sc = loadScenarioFile('scenarios/hpa-flash-crowd.yaml');
      const d = runScenario(sc, sc.seed, { trace: { startS: 40, endS: 200, maxEvents: 1_000_000, counterMs: 500 } })
        .trace!;
      expect(traceProblems(d, { startUs: us(40), endUs: us(200) })).to.deep.equal([]);
      const procs = d.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.pid);
      expect(procs).to.include(CLUSTER_PID);
      expect(procs.filter((p) => p >= 2).length).to.be.at.least(3); // the flash crowd scales the Deployment up
      const scale = d.traceEvents.filter(
        (e) => e.ph === 'i' && e.pid === CLUSTER_PID && /^scale up \d+→\d+$/.test(e.name),
      );
      expect(scale.length).to.be.at.least(1);
      expect([...counterKeys(d, CLUSTER_PID, 'replicas')]).to.deep.equal(['desired', 'ready', 'pending']);
      // Lifecycle: a pod started by the HPA is seen Pending or starting, then Ready.
      const late = Math.max(...procs);
      const life = slices(d, late)
        .filter((e) => e.tid === LIFECYCLE_TID)
        .map((e) => e.name);
      expect(life).to.include('Ready');
      expect(life[0]).to.not.equal('Ready');
      // Flows v2: each routed request's ingress slice flows into the first run of the G that served it.
      const outs = new Map<number, TraceEvent>();
      const ins: TraceEvent[] = [];
      for (const e of d.traceEvents) {
        if (e.bind_id === undefined) continue;
        if (e.flow_out) outs.set(e.bind_id, e);
        if (e.flow_in) ins.push(e);
      }
      expect(ins.length).to.be.greaterThan(0.9 * outs.size);
      for (const e of ins) {
        const from = outs.get(e.bind_id!)!;
        expect(from.pid).to.equal(CLUSTER_PID);
        expect(e.pid).to.be.at.least(podPid(0));
        expect(e.tid).to.be.below(M_TID_BASE); // a P track
        expect(e.ts!).to.be.at.least(from.ts!);
      }
      expect(new Set(ins.map((e) => e.pid)).size).to.be.at.least(3); // requests went to several pods
    },
  );

  it('syscalls-grow-threads: a handoff arrow from the M blocked in its syscall to the M handoffp started', () => {
    const sc = loadScenarioFile('scenarios/syscalls-grow-threads.yaml');
    const r = runScenario(sc, sc.seed, { trace: { startS: 0, endS: 4, maxEvents: 1_000_000 } });
    const d = r.trace!;
    expect(traceProblems(d, { startUs: 0, endUs: us(4) })).to.deep.equal([]);
    const pid = podPid(0);
    const starts = d.traceEvents.filter((e) => e.ph === 's' && e.cat === 'handoff');
    const ends = new Map(d.traceEvents.filter((e) => e.ph === 'f' && e.cat === 'handoff').map((e) => [e.id!, e]));
    const handoffs = d.traceEvents.filter((e) => e.ph === 'i' && e.pid === pid && e.name === 'handoff');
    expect(handoffs.length).to.be.greaterThan(0);
    // an arrow only where handoffp started an M (not when the P went idle): some, at most one per handoff
    expect(starts.length).to.be.greaterThan(0).and.at.most(handoffs.length);
    const within = (tid: number, ts: number, name: RegExp) =>
      slices(d, pid).filter((e) => e.tid === tid && name.test(e.name) && e.ts! <= ts && ts <= e.ts! + e.dur!);
    for (const s of starts) {
      const f = ends.get(s.id!)!;
      expect(f, `flow ${s.id} has an end`).to.not.equal(undefined);
      expect(f.bp).to.equal('e');
      expect(s.tid! >= M_TID_BASE && f.tid! >= M_TID_BASE, 'both ends on M tracks').to.equal(true);
      expect(f.tid, 'from one M to another').to.not.equal(s.tid);
      expect(f.ts!).to.be.at.least(s.ts!);
      // it leaves the releasing M's syscall slice (the P was taken while that M was blocked) ...
      expect(within(s.tid!, s.ts!, /^syscall$/), `flow ${s.id}: start in a syscall slice`).to.have.length(1);
      // ... at a handoff instant on the P's track, and lands on a G run of the acquiring M
      const p = (s.args as { p: number }).p;
      expect(handoffs.some((h) => h.tid === p && h.ts === s.ts)).to.equal(true);
      expect(within(f.tid!, f.ts!, /^G\d+$/), `flow ${s.id}: end in a G run`).to.have.length(1);
    }
  });

  it('--trace-pods records only the chosen pods; an OOM restart keeps one process with positive rates', () => {
    const file = 'scenarios/gomemlimit-vs-oom.yaml';
    const v = compareScenarios(readFileSync(file, 'utf8'), file).variants.find((x) => x.name === 'gogc-only')!;
    const r = runScenario(v.scenario, 1, {
      trace: { startS: 0, endS: v.scenario.durationS, pods: [0], maxEvents: 300_000 },
    });
    expect(r.summary.cluster.oomKills).to.be.greaterThan(0);
    const d = r.trace!;
    expect(traceProblems(d)).to.deep.equal([]);
    const procs = d.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.pid);
    expect(procs.sort()).to.deep.equal([CLUSTER_PID, podPid(0)]);
    for (const e of d.traceEvents) {
      if (e.ph === 'C' && e.name === 'runtime rate')
        for (const v of Object.values(e.args!)) expect(v as number).to.be.at.least(0);
    }
  });

  it('observes only: summary.json and the time series are the same with and without a trace', () => {
    const sc = loadScenarioFile('scenarios/work-stealing-burst.yaml');
    const a = runScenario(sc, 3);
    const b = runScenario(sc, 3, { trace: { startS: 0, endS: sc.durationS, maxEvents: 5_000 } });
    expect(JSON.stringify(b.summary)).to.equal(JSON.stringify(a.summary));
    expect(b.series.rows).to.deep.equal(a.series.rows);
    // The cap: bulk events stop at 5,000 and the document says when.
    const d = b.trace!;
    expect(d.metadata['gmpsim-truncated-at-s']).to.be.a('number');
    expect(d.traceEvents.filter((e) => e.ph !== 'M' && e.pid !== CLUSTER_PID).length).to.be.at.most(5_000);
    expect(traceProblems(d)).to.deep.equal([]);
  });

  it('an ideal-fifo run gets pod processes with lifecycle and counters (no scheduler tracks)', () => {
    const sc = loadScenarioFile('scenarios/mmc-four-ps.yaml');
    const d = runScenario(sc, sc.seed, { trace: { startS: 0, endS: 10, maxEvents: 100_000 } }).trace!;
    expect(traceProblems(d)).to.deep.equal([]);
    expect(counterKeys(d, podPid(0), 'cpu').has('cores')).to.equal(true);
    expect(
      slices(d, podPid(0))
        .filter((e) => e.tid === LIFECYCLE_TID)
        .map((e) => e.name),
    ).to.deep.equal(['Ready']);
  });
});
