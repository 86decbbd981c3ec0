import { expect } from 'chai';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { ZERO_COSTS } from '../support/zero-costs.js';

/** runtime.server: the server library's own CPU per request (net/http: costs.httpRequestUs), off by default. */
describe('runtime.server (net/http per-request CPU)', () => {
  const run = (runtime: object, ratePerS = 0, steps: object[] = [{ cpu: { dist: 'exponential', meanMs: 1 } }]) => {
    const arrival = ratePerS > 0 ? { process: 'poisson', ratePerS } : { process: 'timestamps', atS: [0, 0.5, 1] };
    const doc = {
      durationS: ratePerS > 0 ? 20 : 2,
      workload: { arrival, request: { steps } },
      runtime: { gomaxprocs: 1, ...runtime },
    };
    return runScenario(parseScenario(JSON.stringify(doc), 'server.json'), 1).summary;
  };
  const costs = { ...ZERO_COSTS, httpRequestUs: 60 };

  const cases: { name: string; server: string; expectExtraMs: number }[] = [
    { name: 'none (the default) charges nothing beyond the steps', server: 'none', expectExtraMs: 0 },
    { name: 'net/http runs httpRequestUs of CPU beside the steps', server: 'net/http', expectExtraMs: 0.06 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const base = run({ costs });
      const s = run({ costs, server: c.server });
      // Each isolated request's latency moves by exactly the charge: the steps' own draws do not move.
      expect(s.latencyMs.min - base.latencyMs.min).to.be.closeTo(c.expectExtraMs, 1e-9);
      expect(s.latencyMs.max - base.latencyMs.max).to.be.closeTo(c.expectExtraMs, 1e-9);
    });
  }

  it('the default is none: a scenario that does not say so gets the results it had', () => {
    expect(run({}, 300)).to.deep.equal(run({ server: 'none' }, 300));
  });

  it(
    'the charge is load: at 800 req/s of 1 ms a 60 µs charge raises utilisation 0.80 → 0.85 and the p99 with ' + 'it',
    () => {
      const base = run({ costs }, 800);
      const http = run({ costs, server: 'net/http' }, 800);
      expect(http.latencyMs.p99).to.be.greaterThan(base.latencyMs.p99 * 1.1);
    },
  );

  it("the validation suite's service scenario (validation/scenarios/http-service.yaml) loads and says net/http", () => {
    const s = loadScenarioFile('validation/scenarios/http-service.yaml');
    expect(s.runtime.server).to.equal('net/http');
    expect(s.runtime.costs.httpRequestUs).to.equal(60);
  });
});
