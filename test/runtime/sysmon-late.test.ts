import { expect } from 'chai';
import { hashKey, RandomStreams } from '../../src/engine/random.js';
import type { GmpPod } from '../../src/runtime/gmp/pod.js';
import { usleepLateNsAt, usleepLateness } from '../../src/runtime/gmp/sysmon.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment } from '../../src/sim/experiment.js';
import { USLEEP_LATE_BESIDE_HANDLER_2026_11_30 } from '../../validation/onset.js';
import { problems } from '../support/problems.js';
import { expectWindowedAsSingleEngine } from './sysmon-fleet.js';

/**
 * sysmon's usleep lateness as a distribution (costs.usleepLateQuantilesUs, issue 26): each loop's usleep
 * returns late by a draw keyed by the pod and the loop's number, shifted so its median is the constant
 * (timerSlackUs + threadWakeUs). The table is validation/onset.ts's `calibrate usleepdist` measurement of this VM's
 * usleep(20) beside a handler-like thread on the same core (2026-11-30: p50 70 µs, p99 208 µs, p99.9 3.1 ms).
 */
const MEASURED = USLEEP_LATE_BESIDE_HANDLER_2026_11_30;
const CONSTANT_NS = 55_000; // the default timerSlackUs 50 + threadWakeUs 5

const lateness = (points: typeof MEASURED, entity = '') =>
  usleepLateness(points, new RandomStreams(7).keyed('sysmon.usleep-late'), hashKey(entity));

/** The lateness of loops 1…n, ns. */
const draws = (points: typeof MEASURED, n: number, entity = '') => {
  const l = lateness(points, entity);
  return Array.from({ length: n }, (_, i) => usleepLateNsAt(l, CONSTANT_NS, i + 1));
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.round(q * (xs.length - 1))]!;

describe('sysmon usleep lateness as a distribution (issue 26)', () => {
  it("the draws follow the table's shape around the constant: quantile by quantile", () => {
    const xs = draws(MEASURED, 40_000);
    // [quantile, the table's offset from its median (µs) added to the constant 55 µs, tolerance µs]
    const cases: Array<[number, number, number]> = [
      [0.1, 59.8 - 70, 0.5],
      [0.5, 0, 0.5],
      [0.9, 83.1 - 70, 0.5],
      [0.99, 208 - 70, 15],
      [0.999, 3087.4 - 70, 400],
    ];
    for (const [q, offUs, tolUs] of cases) expect(quantile(xs, q) / 1000, `q ${q}`).to.be.closeTo(55 + offUs, tolUs);
    // Never negative (the table's fastest, 60 µs below its median, is clipped at 0), never past the slowest.
    expect(Math.min(...xs)).to.be.at.least(0);
    expect(Math.max(...xs)).to.be.at.most(CONSTANT_NS + (9996 - 70) * 1000);
    expect(xs.filter((x) => x > CONSTANT_NS + 230_000).length / xs.length).to.be.within(0.005, 0.02); // > 300 µs late
  });

  it('a draw is a function of (seed, pod, loop number) alone: asked twice, or out of order, it is the same', () => {
    const l = lateness(MEASURED);
    const forward = [1, 2, 3, 1000, 5].map((k) => usleepLateNsAt(l, CONSTANT_NS, k));
    const backward = [5, 1000, 3, 2, 1].map((k) => usleepLateNsAt(l, CONSTANT_NS, k)).reverse();
    expect(forward).to.deep.equal(backward);
    expect(draws(MEASURED, 50)).to.deep.equal(draws(MEASURED, 50));
    // Another pod's sysmon draws its own lateness for the same loops.
    expect(draws(MEASURED, 50, 'pod-1')).to.not.deep.equal(draws(MEASURED, 50));
  });

  it('a table without spread is the constant: loop times identical to costs without the table', () => {
    const loopTimes = (costs: object) => {
      const exp = new Experiment(
        parseScenario(
          JSON.stringify({
            durationS: 1,
            workload: {
              arrival: { process: 'timestamps', atS: [0.5] },
              request: { steps: [{ cpu: { dist: 'constant', valueMs: 1 } }] },
            },
            runtime: { gomaxprocs: 1, costs },
          }),
          'late.json',
        ),
        1,
      );
      const sysmon = (exp.fleet.pod0 as GmpPod).sched.sysmon;
      const times: number[] = [];
      for (let t = 0; times.length < 70; ) {
        t = sysmon.firstLoopAtOrAfter(t + 1);
        times.push(t);
      }
      return times;
    };
    const flat = [
      { q: 0, us: 80 },
      { q: 1, us: 80 },
    ];
    expect(loopTimes({ usleepLateQuantilesUs: flat })).to.deep.equal(loopTimes({}));
    // With the measured table: loop n follows loop n − 1 by its delay (20 µs for loops 1–51, then 40, 80 …
    // up to 10 ms) plus loop n's own draw; at the 10 ms cap, by 10 ms plus the constant.
    const times = loopTimes({ usleepLateQuantilesUs: MEASURED });
    const l = usleepLateness(MEASURED, new RandomStreams(1).keyed('sysmon.usleep-late'), hashKey(''));
    let t = 0;
    for (let n = 1; n <= 70; n++) {
      const delayUs = Math.min(20 * 2 ** Math.max(0, n - 51), 10_000);
      t += delayUs * 1000 + (delayUs < 10_000 ? usleepLateNsAt(l, CONSTANT_NS, n) : CONSTANT_NS);
      expect(times[n - 1], `loop ${n}`).to.equal(t);
    }
  });

  it("pods on engines of their own give the single engine's files with each loop's lateness drawn", function () {
    this.timeout(300_000);
    expectWindowedAsSingleEngine({ usleepLateQuantilesUs: MEASURED });
  });

  it('a bad table is an error at its path, saying what was expected', () => {
    const doc = (pts: string) => `runtime:\n  costs:\n    usleepLateQuantilesUs: ${pts}\n`;
    expect(problems(doc('[{q: 0.1, us: 5}, {q: 1, us: 9}]'))).to.deep.equal([
      'case.yaml:3:28: runtime.costs.usleepLateQuantilesUs: expected at least two points, the first at q 0 and the ' +
        'last at q 1, found 2 point(s)',
    ]);
    expect(problems(doc('[{q: 0, us: 5}, {q: 0, us: 9}, {q: 1, us: 3}]'))).to.deep.equal([
      "case.yaml:3:48: runtime.costs.usleepLateQuantilesUs[1].q: expected q above the previous point's 0, found 0",
      "case.yaml:3:70: runtime.costs.usleepLateQuantilesUs[2].us: expected at least the previous point's 9 µs, found 3",
    ]);
  });
});
