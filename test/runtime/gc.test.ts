import { expect } from 'chai';
import { fmtNSAsMS } from '../../src/runtime/gc/cycle.js';
import { GcPacer, PiController } from '../../src/runtime/gc/pacer.js';
import type { GmpPod } from '../../src/runtime/gmp/pod.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment, runScenario } from '../../src/sim/experiment.js';

const MiB = 1 << 20;

describe('GC pacer (mgcpacer.go)', () => {
  it('heap goal = marked + (marked + stacks + globals) × GOGC/100, never below 4 MB × GOGC/100', () => {
    const p = new GcPacer(100, Infinity);
    expect(p.heapGoal).to.equal(4 * MiB);
    p.heapMarked = 100 * MiB;
    p.stackScan = 10 * MiB;
    p.globalsScan = 2 * MiB;
    p.commit();
    expect(p.heapGoal).to.equal(212 * MiB);
    p.setGCPercent(50);
    expect(p.heapGoal).to.equal(156 * MiB);
    p.setGCPercent(-1);
    expect(p.heapGoal).to.equal(Infinity);
    expect(p.trigger).to.equal(Infinity);
  });

  it(
    'trigger: with no cons/mark estimate the runway is 0, so the trigger sits at the 61/64 bound (or goal − 4 ' +
      'MB for large heaps)',
    () => {
      const p = new GcPacer(100, Infinity);
      p.heapMarked = 2 * MiB;
      p.commit(); // goal 4 MiB (heapMinimum); span 2 MiB
      expect(p.trigger).to.equal(Math.floor((2 * MiB) / 64) * 61 + 2 * MiB);
      p.heapMarked = 100 * MiB;
      p.commit();
      expect(p.trigger).to.equal(200 * MiB - 4 * MiB);
    },
  );

  it('trigger: a large cons/mark ratio pulls it down to the 45/64 bound', () => {
    const p = new GcPacer(100, Infinity);
    p.heapMarked = p.lastHeapScan = 100 * MiB;
    p.consMark = 10;
    p.commit();
    expect(p.trigger).to.equal(Math.floor((100 * MiB) / 64) * 45 + 100 * MiB);
  });

  it('GOMEMLIMIT: goal = limit − non-heap − max(3%, 1 MiB), never below the marked heap', () => {
    const p = new GcPacer(100, 100 * MiB, () => 20 * MiB);
    p.heapMarked = 50 * MiB;
    p.commit();
    const g = 80 * MiB;
    expect(p.heapGoal).to.equal(g - Math.floor(g / 100) * 3);
    p.heapMarked = 90 * MiB;
    p.commit();
    expect(p.heapGoal).to.equal(90 * MiB);
  });

  it('mark workers: dedicated = round(0.25 P), fractional when that is > 30% off (P ≤ 3 and P = 6)', () => {
    const split = (procs: number) => {
      const p = new GcPacer(100, Infinity);
      p.startCycle(0, procs, 0);
      return [p.dedicatedMarkWorkersNeeded, Math.round(p.fractionalUtilizationGoal * 1e4) / 1e4];
    };
    expect([1, 2, 3, 4, 6, 8].map(split)).to.deep.equal([
      [0, 0.25],
      [0, 0.25],
      [0, 0.25],
      [1, 0],
      [1, 0.0833],
      [2, 0],
    ]);
  });

  it('assist ratio = remaining scan work / heap left before the goal', () => {
    const p = new GcPacer(100, Infinity);
    p.heapMarked = p.lastHeapScan = p.heapScan = 100 * MiB;
    p.commit();
    p.heapLive = 190 * MiB;
    p.startCycle(0, 4, 0);
    expect(p.assistWorkPerByte).to.be.closeTo((100 * MiB) / (10 * MiB), 1e-9);
    p.heapScanWork = 50 * MiB;
    p.heapLive = 195 * MiB;
    p.revise();
    expect(p.assistWorkPerByte).to.be.closeTo((50 * MiB) / (5 * MiB), 1e-9);
  });

  it('piController moves the estimate toward the measurement and clamps its output', () => {
    const c = new PiController(0.9, 4, 1000, -1000, 1000);
    let x = 0;
    for (let i = 0; i < 30; i++) [x] = c.next(x, 2, 1);
    expect(x).to.be.closeTo(2, 0.05);
    expect(c.next(0, 1e9, 1)[0]).to.equal(1000);
  });

  it('gctrace times use fmtNSAsMS: two significant digits under 10 ms, whole ms above', () => {
    expect([0, 26_000, 390_000, 1_500_000, 15_400_000, 999].map(fmtNSAsMS)).to.deep.equal([
      '0',
      '0.026',
      '0.39',
      '1.5',
      '15',
      '0',
    ]);
  });
});

/** A pod whose requests allocate: `kb` per request at `rate`/s, each request living ~`holdMs`. */
function gcRun(opts: {
  rate: number;
  kb: number;
  baseMB: number;
  gc?: object;
  durationS?: number;
  procs?: number;
  cpuMs?: number;
  holdMs?: number;
}) {
  const s = parseScenario(
    JSON.stringify({
      durationS: opts.durationS ?? 20,
      workload: {
        arrival: { process: 'poisson', ratePerS: opts.rate },
        request: {
          steps: [
            { cpu: { dist: 'exponential', meanMs: opts.cpuMs ?? 0.2 } },
            { alloc: { dist: 'constant', valueKB: opts.kb } },
            { netpoll: { dist: 'constant', valueMs: opts.holdMs ?? 20 } },
            { cpu: { dist: 'exponential', meanMs: opts.cpuMs ?? 0.2 } },
          ],
        },
      },
      runtime: { gomaxprocs: opts.procs ?? 4, gc: { baseLiveHeapMB: opts.baseMB, ...opts.gc } },
    }),
    'gc.json',
  );
  const exp = new Experiment(s, 3);
  const gc = (exp.pod as GmpPod).sched.gc!;
  const lines: string[] = [];
  gc.onTrace = (l) => lines.push(l);
  const marks: number[] = [];
  gc.onMarkPhase = (a, b) => marks.push(a, b);
  const lat: Array<[number, number]> = [];
  const complete = exp.complete.bind(exp);
  const reqs = (exp as unknown as { requests: { arrivalNs: Float64Array } }).requests;
  exp.complete = (id: number) => {
    lat.push([reqs.arrivalNs[id]!, exp.sim.now]);
    complete(id);
  };
  const result = exp.finish();
  return { result, gc, lines, marks, lat };
}

describe('GC cycles in a pod', () => {
  it('steady allocation rate A over live heap L with GOGC=100: cycles per second ≈ A / L (within 10%)', () => {
    const { gc, lines } = gcRun({ rate: 1000, kb: 100, baseMB: 50 });
    const A = 1000 * 100 * 1024; // bytes/s
    // The live heap each cycle marked: the third figure of "a->b->c MB".
    const marked = lines.map((l) => Number(/->(\d+) MB,/.exec(l)![1]) * MiB);
    const L = marked.slice(2).reduce((a, b) => a + b, 0) / (marked.length - 2);
    const perS = gc.cycles / 20;
    expect(perS).to.be.within((0.9 * A) / L, (1.1 * A) / L);
  });

  it('prints gctrace lines in Go 1.19 format', () => {
    const { lines } = gcRun({ rate: 500, kb: 100, baseMB: 20, durationS: 2 });
    expect(lines.length).to.be.greaterThan(0);
    for (const l of lines) {
      expect(l).to.match(
        new RegExp(
          /^gc \d+ @\d+\.\d{3}s \d+%: [\d.]+\+[\d.]+\+[\d.]+ ms clock, [\d.]+\+[\d.]+\/[\d.]+\/[\d.]+/.source +
            /\+[\d.]+ ms cpu, \d+->\d+->\d+ MB, \d+ MB goal, \d+ MB stacks, \d+ MB globals, 4 P$/.source,
        ),
      );
    }
  });

  it('GOMEMLIMIT below the GOGC goal raises GC frequency', () => {
    const free = gcRun({ rate: 1000, kb: 100, baseMB: 50, durationS: 10 });
    const limited = gcRun({ rate: 1000, kb: 100, baseMB: 50, durationS: 10, gc: { memoryLimitMB: 75 } });
    expect(limited.gc.cycles).to.be.greaterThan(2 * free.gc.cycles);
  });

  it('mark assist: allocation-heavy requests are slower when they overlap a mark phase', () => {
    // 2 MiB per request on a 400 MB live heap: long marks, and requests allocate fast enough to assist.
    const { marks, lat, gc } = gcRun({ rate: 200, kb: 2048, baseMB: 400, cpuMs: 1, holdMs: 1, durationS: 20 });
    expect(gc.assistNs).to.be.greaterThan(0);
    const inMark = (a: number, b: number) => {
      for (let i = 0; i < marks.length; i += 2) if (a < marks[i + 1]! && b > marks[i]!) return true;
      return false;
    };
    const during: number[] = [];
    const outside: number[] = [];
    for (const [a, b] of lat) (inMark(a, b) ? during : outside).push(b - a);
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(during.length).to.be.greaterThan(100);
    expect(mean(during)).to.be.greaterThan(1.2 * mean(outside));
  });
});

describe('container memory limit (OOM kill) and GOMEMLIMIT', () => {
  const run = (gc: object) =>
    runScenario(
      parseScenario(
        JSON.stringify({
          durationS: 60,
          workload: {
            arrival: { process: 'poisson', ratePerS: 500 },
            request: {
              steps: [
                { cpu: { dist: 'exponential', meanMs: 1 } },
                { alloc: { dist: 'constant', valueKB: 256 } },
                { netpoll: { dist: 'constant', valueMs: 100 } },
              ],
            },
          },
          // GOGC=100 on ~92 MB live: the heap peaks near 185 MB, over a 180 MB container limit.
          runtime: { gomaxprocs: 4, memoryLimitMB: 180, gc: { baseLiveHeapMB: 80, ...gc } },
        }),
        'oom.json',
      ),
      1,
    ).summary;

  it(
    'a heap growing past the container limit is OOM-killed: requests lost, the pod refuses work while kubelet ' +
      'restarts it (back-off)',
    () => {
      const r = run({});
      expect(r.cluster.oomKills).to.be.within(2, 6); // restarts at once, then after 10 s, 20 s, 40 s
      expect(r.cluster.oomLostRequests).to.be.greaterThan(0);
      expect(r.requests.failed).to.equal(r.cluster.oomLostRequests + r.cluster.rejected);
      expect(r.cluster.rejected).to.be.greaterThan(500 * 10); // at least the 10 s back-off refused
    },
  );

  it('GOMEMLIMIT under the container limit makes the GC collect sooner instead: no OOM kill', () => {
    const r = run({ memoryLimitMB: 150 });
    expect(r.cluster.oomKills).to.equal(0);
    expect(r.requests.failed).to.equal(0);
    expect(r.gmp!.gc!.peakRssMB).to.be.below(180);
  });
});

describe('sweeping', () => {
  it(
    "every cycle's in-use heap is swept — mostly by allocating Gs, paced to finish before the next trigger — " +
      'and it costs them time',
    () => {
      const a = gcRun({ rate: 1000, kb: 100, baseMB: 50, durationS: 10, gc: { sweepNsPerKB: 0 } });
      const b = gcRun({ rate: 1000, kb: 100, baseMB: 50, durationS: 10, gc: { sweepNsPerKB: 500 } });
      const sw = b.gc.sweep;
      expect(sw.byAllocation + sw.atStw + b.gc.unswept).to.be.closeTo(sw.assigned, 1e-3 * sw.assigned);
      expect(sw.atStw).to.be.below(0.1 * sw.assigned);
      // Each request sweeps ~ its share of the swept heap: (assigned − unswept) / requests at 500 ns/KiB.
      const perReqMs = ((sw.byAllocation / b.result.summary.requests.completed) * 500) / 1024 / 1e6;
      const extra = b.result.summary.latencyMs.mean - a.result.summary.latencyMs.mean;
      expect(extra).to.be.within(0.5 * perReqMs, 1.5 * perReqMs);
    },
  );
});
