import { expect } from 'chai';
import { runFiles } from '../../src/report/run-files.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment, runScenario } from '../../src/sim/experiment.js';

const scenario = parseScenario(
  'durationS: 30\nworkload: {arrival: {process: poisson, ratePerS: 3000}, request: {steps: [{cpu: {dist: ' +
    'lognormal, meanMs: 1, cv: 2}}, {syscall: {dist: exponential, meanMs: 0.05}}, {netpoll: {dist: constant, ' +
    'valueMs: 0.2}}]}}\nruntime: {gomaxprocs: 4}\n',
  'det.yaml',
);

describe('determinism', () => {
  it('the same scenario and seed give byte-identical result files', () => {
    const a = runFiles(scenario, 5, runScenario(scenario, 5));
    const b = runFiles(scenario, 5, runScenario(scenario, 5));
    expect(a).to.deep.equal(b);
  });

  it('running in slices (as the progress bar does) changes nothing', () => {
    const whole = runScenario(scenario, 9);
    const exp = new Experiment(scenario, 9);
    for (let t = 0; !exp.done; t += 1_234_567_891) exp.advanceTo(t);
    expect(exp.finish()).to.deep.equal(whole);
  });

  it('different seeds give different runs', () => {
    expect(runScenario(scenario, 1).summary.latencyMs.mean).not.to.equal(
      runScenario(scenario, 2).summary.latencyMs.mean,
    );
  });
});
