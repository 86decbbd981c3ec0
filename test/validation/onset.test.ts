import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import {
  describeOnsets,
  medianInterval,
  onsetDoc,
  onsetS,
  SYSMON_WAKE_CPU_US_2026_11_30,
  trapStats,
  USLEEP_LATE_BESIDE_HANDLER_2026_11_30,
  withBurstStretch,
  withSysmonWakeCpu,
  withUsleepLate,
  withUsleepLateDist,
} from '../../validation/onset.js';

// Issue 26's onset statistics (validation/onset.ts): what the validation report and `npm run validate:onset`
// say about when the syscall backlog starts, from each run's first second whose p50 passed 60 ms (-1: never).
describe('validation: the syscall backlog onset statistics', () => {
  it('counts an onset as the end of its second, and a run that never fell in as horizon + 1', () => {
    expect([onsetS(0, 20), onsetS(3, 20), onsetS(-1, 20)]).to.deep.equal([1, 4, 21]);
    expect(trapStats([-1, 0, 3], 10)).to.deep.equal({ share: 2 / 3, medianS: 4 });
  });

  // Coverage of [k-th smallest, k-th largest] is 1 - 2 P(Bin(n, 1/2) <= k - 1); the narrowest interval with
  // at least 85 % is taken.
  const cases: { name: string; xs: number[]; lo: number; hi: number; confidence: number }[] = [
    {
      name: '10 runs: 3rd to 8th smallest (1 - 2 * 56/1024)',
      xs: [9, 1, 4, 10, 2, 7, 3, 8, 6, 5],
      lo: 3,
      hi: 8,
      confidence: 0.890625,
    },
    { name: '6 runs: the whole range (1 - 2/64)', xs: [2, 5, 1, 3, 4.5, 2], lo: 1, hi: 5, confidence: 0.96875 },
    {
      name: '20 seeds: 7th to 14th',
      xs: Array.from({ length: 20 }, (_, i) => 20 - i),
      lo: 7,
      hi: 14,
      confidence: 1 - (2 * 60460) / 1048576,
    },
    {
      name: '3 runs: too few for 85 %, the range with its own coverage',
      xs: [21, 2, 1],
      lo: 1,
      hi: 21,
      confidence: 0.75,
    },
    { name: 'ties', xs: [2, 2, 2, 2, 2, 2], lo: 2, hi: 2, confidence: 0.96875 },
  ];
  for (const c of cases)
    it(`median interval, ${c.name}`, () => {
      const r = medianInterval(c.xs);
      expect([r.lo, r.hi]).to.deep.equal([c.lo, c.hi]);
      expect(r.confidence).to.be.closeTo(c.confidence, 1e-12);
    });

  it('covers the median as often as it says (10 runs, 4,000 draws of a skewed distribution)', () => {
    // exponential onsets with median 1: the interval must contain 1 in ~89 % of batches
    let seed = 7;
    const uniform = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed + 0.5) / 2 ** 31;
    };
    let covered = 0;
    for (let b = 0; b < 4000; b++) {
      const { lo, hi } = medianInterval(Array.from({ length: 10 }, () => -Math.log(uniform()) / Math.LN2));
      if (lo <= 1 && 1 <= hi) covered++;
    }
    expect(covered / 4000).to.be.within(0.87, 0.91);
  });

  it('describes every onset in run order with the median and its interval', () => {
    expect(describeOnsets([1, -1, 0], 20)).to.equal('2, 21, 1 (median 2, 75 % interval 1–21)');
  });

  it('gives the model a measured usleep(20) lateness as timer slack plus the default wake-up', () => {
    // as calibrate derives timerSlackUs from usleepLateNs
    const doc = onsetDoc(300, 20);
    const d = withUsleepLate(doc, 71) as { runtime: Record<string, unknown> };
    expect(d.runtime).to.deep.equal({ ...(doc.runtime as object), costs: { timerSlackUs: 66 } });
    expect((withUsleepLate(doc, 3) as typeof d).runtime.costs).to.deep.equal({ timerSlackUs: 0 });
  });

  it("adds a measured lateness table's shape beside the timer slack, which keeps the median", () => {
    const doc = onsetDoc(300, 20);
    const both = withUsleepLateDist(withUsleepLate(doc, 71), USLEEP_LATE_BESIDE_HANDLER_2026_11_30) as {
      runtime: { costs: object };
    };
    expect(both.runtime.costs).to.deep.equal({
      timerSlackUs: 66,
      usleepLateQuantilesUs: USLEEP_LATE_BESIDE_HANDLER_2026_11_30,
    });
    // The shipped table is one the scenario schema accepts.
    expect(parseScenario(JSON.stringify(both), 'onset.json').runtime.costs.usleepLateQuantilesUs).to.have.length(9);
  });

  it("stretches only the handler's CPU burst by the real runs' CPU stretch", () => {
    const doc = onsetDoc(300, 20);
    const d = withBurstStretch(doc, 1.25) as { workload: { request: { steps: object[] } } };
    expect(d.workload.request.steps).to.deep.equal([
      { cpu: { dist: 'exponential', meanMs: 1.25 } },
      { syscall: { dist: 'constant', valueMs: 5 } },
    ]);
    expect((doc.workload as typeof d.workload).request.steps[0]).to.deep.equal({
      cpu: { dist: 'exponential', meanMs: 1 },
    });
  });

  it("runs the server's threads on one host CPU, as httpsyscalls pins them, and adds sysmon's wake cost", () => {
    const doc = onsetDoc(300, 20);
    expect(parseScenario(JSON.stringify(doc), 'onset.json').runtime).to.include({ gomaxprocs: 1, hostCpus: 1 });
    const d = withSysmonWakeCpu(withUsleepLate(doc, 71), SYSMON_WAKE_CPU_US_2026_11_30) as {
      runtime: { costs: object };
    };
    expect(d.runtime.costs).to.deep.equal({ timerSlackUs: 66, sysmonWakeCpuUs: 29.8 });
    expect(parseScenario(JSON.stringify(d), 'onset.json').runtime.costs.sysmonWakeCpuUs).to.equal(29.8);
  });
});
