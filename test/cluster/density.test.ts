import { expect } from 'chai';
import { densityStability, densityStep } from '../../src/autoscaler/density/controller.js';
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
    // λ̂ = 200 / 100 = 2: x* = 1 − 15·0.01·2 = 0.7 → ρ* = 14 → ceil(100 / 14) = 8.
    expect(densityStep(spec({ beta: 0.01 }), 5, 100, 5, 200, 0)).to.deep.include({ desired: 8, rhoStar: 14 });
    expect(densityStep(spec({ beta: 0.01, referenceRatePerPodPerS: 400 }), 5, 100, 5, 200, 0).rhoStar).to.be.closeTo(
      18.5,
      1e-9,
    ); // λ̂ = 0.5
  });

  it(
    "the article's settings have a scale: β = 0.2 at λ̂ = 1 and γ = 0.15 at 0.2 ms/s of STW move ρ* by a " +
      'fraction of the target',
    () => {
      // β = 0.2, Δt = 15, λ̂ = 1: x* = 1 − 3 → clamped at ρ* = 1 — the article's β is far too strong for a 15 s period;
      // β = 0.02: x* = 0.7.
      expect(densityStep(spec({ alpha: 0, beta: 0.02 }), 5, 100, 5, 100, 0).rhoStar).to.be.closeTo(14, 1e-9);
      // γ = 0.15 with σ_gc = 0.2 ms/s (what a pod in the tests pauses): x* = 1 + 15·0.15·0.2 = 1.45.
      expect(densityStep(spec({ alpha: 0, gamma: 0.15 }), 5, 100, 5, 0, 0.2).rhoStar).to.be.closeTo(29, 1e-9);
    },
  );

  it('a deadband holds while ρ is within ±deadbandPct of the target (no flapping on a noisy gauge)', () => {
    // ρ = 21 (5 % over 20): without a deadband ρ* = 21 + 15·0.05·(20 − 21) = 20.25 → ceil(105 / 20.25) = 6.
    expect(densityStep(spec(), 5, 105, 5, 0, 0).desired).to.equal(6);
    expect(densityStep(spec({ deadbandPct: 10 }), 5, 105, 5, 0, 0).desired).to.equal(5);
    expect(densityStep(spec({ deadbandPct: 4 }), 5, 105, 5, 0, 0).desired).to.equal(6);
  });

  it('stability: warns when α × periodS makes the discrete loop overshoot (> 1) or diverge (≥ 2)', () => {
    expect(densityStability(spec({ alpha: 0.05, periodS: 15 }))).to.equal(undefined); // 0.75: monotone
    expect(densityStability(spec({ alpha: 1 / 15, periodS: 15 }))).to.equal(undefined); // 1: dead-beat
    expect(densityStability(spec({ alpha: 0.1, periodS: 15 }))).to.match(
      /α × periodS = 1\.50 > 1: the discrete loop overshoots and oscillates.*keep α ≤ 1\/periodS = 0\.0667/,
    );
    expect(densityStability(spec({ alpha: 0.3, periodS: 15 }))).to.match(
      /α × periodS = 4\.50 ≥ 2: the discrete loop is unstable/,
    );
  });

  it(
    'steers a pod fleet to the target density (Little: 2,000 req/s × 50 ms ≈ 100 goroutines → 5 pods at 20 ' + 'each)',
    () => {
      const s = parseScenario(
        JSON.stringify({
          durationS: 300,
          workload: {
            arrival: { process: 'poisson', ratePerS: 2000 },
            request: {
              steps: [
                { cpu: { dist: 'exponential', meanMs: 0.2 } },
                { netpoll: { dist: 'constant', valueMs: 50 } },
                { cpu: { dist: 'exponential', meanMs: 0.2 } },
              ],
            },
          },
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
    },
  );

  it("σ_gc comes from the pods' GC pauses: with γ > 0 it raises the density aimed for, so fewer pods", () => {
    // γ: +σ raises ρ*: 1 ms/s of pauses with γ = 0.1 adds 15 · 0.1 · 1 = 1.5 × the target to x*.
    expect(densityStep(spec({ gamma: 0.1 }), 5, 200, 5, 0, 1).desired).to.be.below(
      densityStep(spec(), 5, 200, 5, 0, 0).desired,
    );
    const run = (gamma: number) =>
      runScenario(
        parseScenario(
          JSON.stringify({
            durationS: 120,
            workload: {
              arrival: { process: 'poisson', ratePerS: 2000 },
              request: {
                steps: [
                  { cpu: { dist: 'exponential', meanMs: 0.2 } },
                  { alloc: { dist: 'constant', valueKB: 256 } },
                  { netpoll: { dist: 'constant', valueMs: 50 } },
                ],
              },
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
    const withGc = run(0.25); // the top of the article's γ range
    expect(withGc.summary.gmp!.gc!.cycles).to.be.greaterThan(10);
    const last = (r: ReturnType<typeof run>) => r.hpaDecisions!.at(-1)!.currentReplicas;
    expect(last(withGc)).to.be.below(last(without));
  });

  it('only one autoscaler per scenario', () => {
    expect(() => parseScenario('hpa: {maxReplicas: 3}\ndensityController: {}\n', 'two.yaml')).to.throw(
      /densityController: expected one autoscaler, found hpa and densityController/,
    );
  });
});
