import { expect } from 'chai';
import type { GmpPod } from '../../src/runtime/gmp/pod.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment } from '../../src/sim/experiment.js';
import { problems } from '../support/problems.js';
import { expectWindowedAsSingleEngine } from './sysmon-fleet.js';

/**
 * sysmon's wakes on the handler's core (costs.sysmonWakeCpuUs, issue 26): when the pod's Ms running Go code
 * and sysmon outnumber runtime.hostCpus, each wake of sysmon's thread (a switch in, its loop, a switch out;
 * proc.go sysmon's usleep(delay) then the loop body) takes that CPU from a running M, so the M's burst runs
 * longer by the wakes it spans. With the defaults sysmon's "20 µs" loops take 75 µs (timerSlackUs 50 +
 * threadWakeUs 5 late), so a burst beside them lasts ns / (1 − cost / 75 µs); once sysmon backs off (50 idle
 * loops, then doubling to 10 ms) it wakes, and costs, less per ms.
 */
const LOOP_US = 75;

/** One request at 0.5 s: `steps`, on one P, on `hostCpus` host CPUs, each sysmon wake costing `wakeUs`. */
function oneRequest(steps: object[], hostCpus: number, wakeUs: number): { latencyMs: number; chargedUs: number } {
  const exp = new Experiment(
    parseScenario(
      JSON.stringify({
        durationS: 1,
        warmupS: 0,
        workload: { arrival: { process: 'timestamps', atS: [0.5] }, request: { steps } },
        runtime: { gomaxprocs: 1, hostCpus, costs: { sysmonWakeCpuUs: wakeUs } },
      }),
      'wake.json',
    ),
    1,
  );
  const pod = exp.fleet.pod0 as GmpPod;
  const r = exp.finish().summary;
  expect(r.requests.completed).to.equal(1);
  return { latencyMs: r.latencyMs.max, chargedUs: pod.sched.cpu.sysmonChargedNs / 1000 };
}

// A 0.1 ms syscall first: its entersyscall wakes sysmon from its deep sleep with its backoff reset, so the CPU
// burst that follows runs beside sysmon's shortest loops (as net/http's read wakes it before the handler).
const afterSyscall = (cpuMs: number) => [
  { syscall: { dist: 'constant', valueMs: 0.1 } },
  { cpu: { dist: 'constant', valueMs: cpuMs } },
];

describe('sysmon wakes cost the running M its core (costs.sysmonWakeCpuUs, issue 26)', () => {
  it('a burst is longer by its share of the wakes it spans, only when threads outnumber host CPUs', () => {
    // [case, steps, hostCpus, wake µs, the latency added (ms): at least, at most]
    const fixedPoint = (cpuMs: number, wakeUs: number) => cpuMs / (1 - wakeUs / LOOP_US) - cpuMs;
    const cases: Array<[string, object[], number, number, number, number]> = [
      ['a spare core (hostCpus 2): sysmon runs beside the M, free', afterSyscall(1), 2, 30, 0, 0],
      [
        'sysmon in its deep sleep (nothing woke it): no wakes, no cost',
        [{ cpu: { dist: 'constant', valueMs: 1 } }],
        1,
        30,
        0,
        0,
      ],
      // 1 ms / (1 − 10/75) = 1.154 ms: 15 or 16 wakes of 10 µs, by where the burst falls between loops.
      [
        'one core, 10 µs a wake beside 75 µs loops',
        afterSyscall(1),
        1,
        10,
        fixedPoint(1, 10) - 0.01,
        fixedPoint(1, 10) + 0.01,
      ],
      // 1 ms / (1 − 30/75) = 1.667 ms: 22 or 23 wakes of 30 µs (the VM's measured cost: 1.46× the burst).
      ['one core, 30 µs a wake (this VM)', afterSyscall(1), 1, 30, fixedPoint(1, 30) - 0.03, fixedPoint(1, 30) + 0.03],
    ];
    for (const [name, steps, hostCpus, wakeUs, lo, hi] of cases) {
      const free = oneRequest(steps, hostCpus, 0);
      const paid = oneRequest(steps, hostCpus, wakeUs);
      const addedMs = paid.latencyMs - free.latencyMs;
      expect(addedMs, name).to.be.within(lo, hi);
      // What the CPU counted as sysmon's is what the request waited for.
      expect(paid.chargedUs / 1000, name).to.be.closeTo(addedMs, 1e-9);
    }
  });

  it('once sysmon backs off it wakes less: an 8 ms burst pays less per ms than a 1 ms burst', () => {
    const perMs = (cpuMs: number) =>
      (oneRequest(afterSyscall(cpuMs), 1, 10).latencyMs - oneRequest(afterSyscall(cpuMs), 1, 0).latencyMs) / cpuMs;
    // 1 ms: every ms beside 75 µs loops (0.154 ms a ms). 8 ms: ~50 such loops (~3.8 ms), then 95, 135, 215 …
    // 1.3 ms apart: about 56 wakes in 8.6 ms, 0.07 ms a ms.
    expect(perMs(1)).to.be.within(0.14, 0.165);
    expect(perMs(8)).to.be.within(0.05, 0.09);
  });

  it('the skipping sysmon counts the wakes the every-loop sysmon makes', () => {
    const run = (everyLoop: boolean) => {
      const exp = new Experiment(
        parseScenario(
          JSON.stringify({
            durationS: 1,
            workload: {
              arrival: { process: 'poisson', ratePerS: 300 },
              request: {
                steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { syscall: { dist: 'constant', valueMs: 5 } }],
              },
            },
            runtime: { gomaxprocs: 1, hostCpus: 1, server: 'net/http', costs: { sysmonWakeCpuUs: 30 } },
          }),
          'wake.json',
        ),
        2,
      );
      const pod = exp.fleet.pod0 as GmpPod;
      pod.sched.sysmon.everyLoop = everyLoop;
      const { latencyMs } = exp.finish().summary;
      return { latencyMs, chargedNs: pod.sched.cpu.sysmonChargedNs };
    };
    const skipping = run(false);
    expect(skipping.chargedNs).to.be.above(0);
    expect(skipping).to.deep.equal(run(true));
  });

  it("pods on engines of their own give the single engine's files with sysmon's wakes charged", function () {
    this.timeout(300_000);
    expectWindowedAsSingleEngine({ sysmonWakeCpuUs: 30 }, { hostCpus: 2 });
  });

  it('a negative cost is an error at its path', () => {
    expect(problems('runtime:\n  costs:\n    sysmonWakeCpuUs: -1\n')).to.deep.equal([
      'case.yaml:3:22: runtime.costs.sysmonWakeCpuUs: expected a number ≥ 0, found -1',
    ]);
  });
});
