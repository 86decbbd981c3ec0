import { expect } from 'chai';
import { parallelEligibility } from '../../src/parallel/eligibility.js';
import { HostOnThisThread, weightedCycle } from '../../src/parallel/pod-threads.js';
import { podWorkers, WorkerTransport } from '../../src/parallel/worker-transport.js';
import { runFiles } from '../../src/report/run-files.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { Experiment, type ExperimentOptions } from '../../src/sim/experiment.js';
import { benchScenario, FATAL, files, scaledScenario } from './bench-scenario.js';

/** `count` pod hosts on this thread: the window protocol exactly as with worker threads, without them. */
const onThisThread: ExperimentOptions['podHosts'] = (init, count) =>
  Array.from({ length: count }, () => new HostOnThisThread(init));

/** Pods made, drained and killed at barriers (kubectl scale), live GOGC: windows with a pod draining. */
const SCALED = scaledScenario();

/** A run's files and how many of its slices were started before the one before was heard. */
function run(s: Scenario, options: ExperimentOptions): { files: Record<string, string>; ahead: number } {
  const exp = new Experiment(s, 1, options);
  const result = exp.finish();
  return { files: runFiles(s, 1, result), ahead: exp.slicesAhead };
}

describe('one run on every core: pipelined slices (issue 24 item 6)', function () {
  this.timeout(600_000);

  describe('a window in slices: the same files for any number of slices (no Go fatal error)', () => {
    const cases: [string, Scenario][] = [
      ['bench, 8 pods', benchScenario(8, 12)],
      ['kubectl scale up and down: pods made, drained and killed at barriers', SCALED],
      ['warm-up: new pods become Ready at barriers', loadScenarioFile('scenarios/warmup-flash-crowd.yaml')],
    ];
    for (const [name, s] of cases) {
      it(name, () => {
        expect(parallelEligibility(s).eligible).to.equal(true);
        const one = run(s, { threads: 1, slicesPerSample: 1 });
        for (const slices of [3, 4, 16]) {
          const here = run(s, { threads: 1, slicesPerSample: slices });
          expect(here.ahead, `${slices} slices route ahead`).to.be.greaterThan(0);
          expect(here.files, `${slices} slices, one thread`).to.deep.equal(one.files);
          const hosts = run(s, { slicesPerSample: slices, threads: 2, podHosts: onThisThread });
          expect(hosts.ahead).to.equal(here.ahead);
          expect(hosts.files, `${slices} slices, 2 hosts on this thread`).to.deep.equal(one.files);
        }
      });
    }
  });

  describe('slicesPerSample: a whole number of 1 or more (a NaN grid would never end a window)', () => {
    for (const bad of [0, -2, 1.5, Number.NaN]) {
      it(`${bad} is refused, saying what was expected`, () =>
        expect(() => new Experiment(SCALED, 1, { slicesPerSample: bad })).to.throw(
          RangeError,
          `slicesPerSample: expected a whole number of 1 or more, found ${bad}`,
        ));
    }
  });

  describe('weightedCycle: which host each pod of a cycle lives on', () => {
    // [case, weights, cycle]
    const cases: [string, number[], number[]][] = [
      ['equal weights: pod k on host k mod n, as before weights', [1, 1, 1], [0, 1, 2]],
      ['one host', [3], [0, 0, 0]],
      ['a third here, two thirds on the worker, spread', [1, 2], [1, 0, 1]],
      ['1:3', [1, 3], [1, 0, 1, 1]],
      ['2:3, evenly interleaved', [2, 3], [1, 0, 1, 0, 1]],
    ];
    for (const [name, weights, cycle] of cases) {
      it(name, () => expect([...weightedCycle(weights)]).to.deep.equal(cycle));
    }
    it('a weight that is not an integer >= 1 is refused', () => {
      expect(() => weightedCycle([1, 0])).to.throw(/integers >= 1/);
      expect(() => weightedCycle([1.5])).to.throw(/integers >= 1/);
    });
  });

  describe('on worker threads, the hosts running one slice while the next is routed', () => {
    const cases: [string, Scenario][] = [
      ['bench, 20 pods', benchScenario(20, 10)],
      ['kubectl scale up and down: pods made, drained and killed at barriers', SCALED],
    ];
    for (const [name, s] of cases) {
      it(name, () => {
        const one = files(s, { threads: 1, slicesPerSample: 8 });
        for (const n of [2, 3]) {
          const r = run(s, { threads: n, podHosts: podWorkers, slicesPerSample: 8 });
          expect(r.ahead).to.be.greaterThan(0);
          expect(r.files, `${n} workers`).to.deep.equal(one);
        }
      });
    }

    it('this thread hosting a share of the pods beside a worker (GMPSIM_BENCH_MIX), fatal error included', () => {
      const mixed: ExperimentOptions['podHosts'] = (init) => [
        new HostOnThisThread(init, 1),
        new WorkerTransport(init, 2),
      ];
      for (const s of [benchScenario(12, 10), SCALED, benchScenario(3, 10, FATAL)]) {
        const one = files(s, { threads: 1, slicesPerSample: 8 });
        const r = run(s, { threads: 2, podHosts: mixed, slicesPerSample: 8 });
        expect(r.ahead).to.be.greaterThan(0);
        expect(r.files, s.name).to.deep.equal(one);
      }
    });

    it('a Go fatal error with the next slice in flight: no host runs it, its arrivals are as on one thread', () => {
      const s = benchScenario(3, 10, FATAL);
      // Slices of 125 ms: the error at 0.54 s is in [0.5, 0.625), whose successor was routed and sent.
      const one = run(s, { threads: 1, slicesPerSample: 8 });
      const summary = JSON.parse(one.files['summary.json']!);
      expect(summary.fatal).to.match(/45-thread limit at 0\.5/);
      for (const n of [2, 3]) {
        expect(run(s, { threads: n, podHosts: podWorkers, slicesPerSample: 8 }).files, `${n} workers`).to.deep.equal(
          one.files,
        );
        expect(run(s, { threads: n, podHosts: onThisThread, slicesPerSample: 8 }).files, `${n} hosts`).to.deep.equal(
          one.files,
        );
      }
      // The slice after the error's, [0.625, 0.75), was routed ahead (its arrivals counted: ~1200/s × 0.75 s),
      // not only the error's (~750: one slice at a time), nor the whole window (~1200: one slice a window).
      expect(summary.requests.arrived).to.be.within(850, 960);
    });
  });
});
