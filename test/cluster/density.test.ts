import { expect } from 'chai';
import { densityStep } from '../../src/autoscaler/density/controller.js';
import { DensitySchema } from '../../src/scenario/cluster-schema.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

const spec = (o: object = {}) => DensitySchema.parse({ targetGoroutinesPerPod: 20, maxReplicas: 50, ...o });

describe('goroutine-density controller', () => {
  it('densityStep: at the target it holds; above it adds pods, below removes, within ±maxStep and [min, max]', () => {
    expect(densityStep(spec(), 5, 100, 5, 0, 0).desired).to.equal(5); // ρ = 20 = target
    // ρ = 40: ρ* = 40 + 15·0.05·(20 − 40) = 25 → ceil(200 / 25) = 8
    expect(densityStep(spec(), 5, 200, 5, 0, 0)).to.deep.include({ desired: 8, rho: 40, rhoStar: 25 });
    expect(densityStep(spec({ maxStepReplicas: 2 }), 5, 200, 5, 0, 0).desired).to.equal(7);
    expect(densityStep(spec(), 5, 25, 5, 0, 0).desired).to.be.below(5);
    expect(densityStep(spec({ minReplicas: 4 }), 5, 5, 5, 0, 0).desired).to.equal(4);
    // β: a higher per-pod arrival rate lowers the density aimed for → more pods for the same goroutines.
    expect(densityStep(spec({ beta: 0.01 }), 5, 100, 5, 200, 0).desired).to.be.greaterThan(5);
  });

  it('steers a pod fleet to the target density (Little: 2,000 req/s × 50 ms ≈ 100 goroutines → 5 pods at 20 each)', () => {
    const s = parseScenario(
      JSON.stringify({
        durationS: 300,
        workload: { arrival: { process: 'poisson', ratePerS: 2000 }, request: { steps: [{ cpu: { dist: 'exponential', meanMs: 0.2 } }, { netpoll: { dist: 'constant', valueMs: 50 } }, { cpu: { dist: 'exponential', meanMs: 0.2 } }] } },
        runtime: { gomaxprocs: 2 },
        cluster: { replicas: 1 },
        densityController: { targetGoroutinesPerPod: 20, maxReplicas: 20 },
      }),
      'density.json',
    );
    const d = runScenario(s, 1).hpaDecisions!;
    const late = d.filter((x) => x.tS >= 120);
    expect(late.length).to.be.greaterThan(5);
    for (const x of late) expect(x.currentReplicas).to.be.within(5, 6);
  });

  it('σ_gc comes from the pods\' GC pauses: with γ > 0 it raises the density aimed for, so fewer pods', () => {
    // γ: +σ raises ρ*: a 1% pause fraction with γ = 2000 adds 15 s · 20 = 300 goroutines/pod to ρ*.
    expect(densityStep(spec({ gamma: 2000 }), 5, 200, 5, 0, 0.01).desired).to.be.below(densityStep(spec(), 5, 200, 5, 0, 0).desired);
    const run = (gamma: number) =>
      runScenario(
        parseScenario(
          JSON.stringify({
            durationS: 120,
            workload: {
              arrival: { process: 'poisson', ratePerS: 2000 },
              request: { steps: [{ cpu: { dist: 'exponential', meanMs: 0.2 } }, { alloc: { dist: 'constant', valueKB: 256 } }, { netpoll: { dist: 'constant', valueMs: 50 } }] },
            },
            runtime: { gomaxprocs: 2 },
            cluster: { replicas: 1 },
            densityController: { targetGoroutinesPerPod: 20, maxReplicas: 20, gamma },
          }),
          'density-gc.json',
        ),
        1,
      );
    const without = run(0);
    const withGc = run(5000);
    expect(withGc.summary.gmp!.gc!.cycles).to.be.greaterThan(10);
    const last = (r: ReturnType<typeof run>) => r.hpaDecisions!.at(-1)!.currentReplicas;
    expect(last(withGc)).to.be.below(last(without));
  });

  it('only one autoscaler per scenario', () => {
    expect(() => parseScenario('hpa: {maxReplicas: 3}\ndensityController: {}\n', 'two.yaml')).to.throw(/densityController: expected one autoscaler, found hpa and densityController/);
  });
});
