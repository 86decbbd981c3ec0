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

  // net/http reads the request with read(2) through syscall.Syscall before the handler runs (conn.serve →
  // bufio fill → poll.FD.Read → syscall.Read), so entersyscall runs first and, if sysmon is in its deep
  // sleep (sched.sysmonwait), wakes it with its backoff reset (proc.go reentersyscall → entersyscall_sysmon;
  // sysmon's syscallWake). A lone request on an idle pod: 8 ms of CPU, then a 5 ms blocking syscall.
  const readCases: { name: string; server: string; handoffs: number }[] = [
    {
      name: 'none: sysmon sleeps through the burst; the syscall wakes it fresh and it retakes the P',
      server: 'none',
      handoffs: 1,
    },
    {
      name:
        'net/http: the read woke sysmon at the start; it backed off during the burst and the syscall goes ' +
        'unseen twice',
      server: 'net/http',
      handoffs: 0,
    },
  ];
  for (const c of readCases) {
    it(c.name, () => {
      const doc = {
        durationS: 1,
        workload: {
          arrival: { process: 'timestamps', atS: [0.1] },
          request: {
            steps: [{ cpu: { dist: 'constant', valueMs: 8 } }, { syscall: { dist: 'constant', valueMs: 5 } }],
          },
        },
        runtime: { gomaxprocs: 1, server: c.server },
      };
      const s = runScenario(parseScenario(JSON.stringify(doc), 'server.json'), 1).summary;
      expect(s.gmp!.handoffs).to.equal(c.handoffs);
      expect(s.gmp!.syscalls).to.equal(c.server === 'net/http' ? 2 : 1); // the read is a syscall of its own
    });
  }

  it("the validation suite's service scenario (validation/scenarios/http-service.yaml) loads and says net/http", () => {
    const s = loadScenarioFile('validation/scenarios/http-service.yaml');
    expect(s.runtime.server).to.equal('net/http');
    expect(s.runtime.costs.httpRequestUs).to.equal(60);
  });
});
