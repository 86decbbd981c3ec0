import { expect } from 'chai';
import type { Deployment } from '../../src/cluster/deployment.js';
import type { Simulation } from '../../src/engine/simulation.js';
import { nsToS, sToNs } from '../../src/engine/time.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { idleDeployment } from '../support/idle-deployment.js';

const deployment = idleDeployment;

/** Run to `endS`, sampling every 0.25 s: the fewest Ready pods and the most live (not terminating) pods. */
function watch(sim: Simulation, dep: Deployment, endS: number) {
  let minReady = Infinity;
  let maxPods = 0;
  for (let t = nsToS(sim.now) + 0.25; t <= endS; t += 0.25) {
    sim.runUntil(sToNs(t));
    minReady = Math.min(minReady, dep.readyCount());
    maxPods = Math.max(maxPods, dep.pods.filter((p) => !p.gone && !p.terminating).length);
  }
  return { minReady, maxPods };
}

const revisions = (dep: Deployment) => dep.pods.filter((p) => !p.gone && !p.terminating).map((p) => p.revision);

describe('Deployment rolling update (pkg/controller/deployment rolling.go)', () => {
  it('maxSurge 1, maxUnavailable 0: one new pod at a time, never fewer than 4 Ready, never more than 5 pods', () => {
    const { sim, dep } = deployment({
      replicas: 4,
      pod: { startupS: 5, readinessDelayS: 5 },
      strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
    dep.rollout();
    const w = watch(sim, dep, 60);
    expect(w).to.deep.equal({ minReady: 4, maxPods: 5 });
    expect(revisions(dep)).to.deep.equal([1, 1, 1, 1]);
    expect(nsToS(dep.rollouts[0]!.completeNs)).to.equal(40); // 4 steps of 10 s start-up
  });

  it('maxSurge 0, maxUnavailable 1: an old pod goes first, capacity dips by one, never above 4 pods', () => {
    const { sim, dep } = deployment({
      replicas: 4,
      pod: { startupS: 5, readinessDelayS: 5 },
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    });
    dep.rollout();
    const w = watch(sim, dep, 60);
    expect(w).to.deep.equal({ minReady: 3, maxPods: 4 });
    expect(revisions(dep)).to.deep.equal([1, 1, 1, 1]);
  });

  it('25%/25% of 8 (the defaults): surge 2 (up), unavailable 2 (down)', () => {
    const { sim, dep } = deployment({ replicas: 8, pod: { startupS: 5, readinessDelayS: 5 } });
    dep.rollout();
    const w = watch(sim, dep, 60);
    expect(w).to.deep.equal({ minReady: 6, maxPods: 10 });
    expect(revisions(dep)).to.have.length(8);
  });

  it('minReadySeconds: a new pod counts as available only after it, so the rollout takes longer', () => {
    const { sim, dep } = deployment({
      replicas: 2,
      minReadySeconds: 20,
      pod: { startupS: 5, readinessDelayS: 5 },
      strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
    dep.rollout();
    watch(sim, dep, 120);
    // Two steps of 10 s start-up + 20 s min-ready (+ the 1 s re-queue granularity).
    expect(nsToS(dep.rollouts[0]!.completeNs)).to.be.within(60, 62);
  });

  it('the HPA scales the Deployment mid-rollout: both ReplicaSets grow in proportion, the rollout still ends', () => {
    const { sim, dep } = deployment({
      replicas: 4,
      pod: { startupS: 5, readinessDelayS: 5 },
      strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
    dep.rollout();
    sim.runUntil(sToNs(12)); // one new pod Ready, one old pod gone: 3 old + 2 new (second surging)
    dep.scale(8);
    const live = () => dep.pods.filter((p) => !p.gone && !p.terminating);
    expect(live().length).to.be.at.most(8 + 1);
    expect(live().filter((p) => p.revision === 0).length).to.be.greaterThan(3); // the old RS grew too
    const w = watch(sim, dep, 200);
    expect(w.maxPods).to.be.at.most(9);
    expect(revisions(dep)).to.deep.equal(new Array(8).fill(1));
    expect(dep.readyCount()).to.equal(8);
  });

  it('with start-up phases a rollout pulls the new image on every node', () => {
    const { sim, dep } = deployment({
      replicas: 2,
      pod: { cpuRequestCores: 1, startupPhases: { imageSizeMB: 100 } },
      nodes: { count: 3, allocatableCores: 1, imagePullMBps: 10 },
      strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
    dep.rollout();
    watch(sim, dep, 200);
    expect(revisions(dep)).to.deep.equal([1, 1]);
    expect(dep.startupSummary()!.imagePulls).to.be.at.least(2);
  });

  it('timeline: kubectl scale at a time, a rollout at another, an HPA minReplicas schedule', () => {
    const base = {
      durationS: 120,
      workload: {
        arrival: { process: 'poisson', ratePerS: 100 },
        request: { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }] },
      },
      runtime: { scheduler: 'ideal-fifo', gomaxprocs: 1 },
    };
    const fixed = runScenario(
      parseScenario(
        JSON.stringify({
          ...base,
          cluster: { replicas: 2 },
          timeline: [
            { type: 'scale', atS: 10, replicas: 4 },
            { type: 'rollout', atS: 50 },
          ],
        }),
        't.json',
      ),
      1,
    );
    const desired = fixed.series.columns.indexOf('replicas_desired');
    expect(fixed.series.rows.find((r) => r[0] === 9)![desired]).to.equal(2);
    expect(fixed.series.rows.find((r) => r[0] === 11)![desired]).to.equal(4);
    expect(fixed.summary.cluster.rollouts![0]!.completedS).to.be.within(50, 120);
    const hpa = runScenario(
      parseScenario(
        JSON.stringify({
          ...base,
          cluster: { replicas: 1 },
          hpa: { minReplicas: 1, maxReplicas: 10, controller: { syncPeriodS: 5 } },
          timeline: [
            { type: 'hpa', atS: 30, minReplicas: 5 },
            { type: 'hpa', atS: 80, minReplicas: 1 },
          ],
        }),
        'h.json',
      ),
      1,
    );
    const d = hpa.hpaDecisions!;
    expect(d.find((x) => x.tS === 35)!.desiredReplicas).to.equal(5); // raised to the new floor
    expect(d.find((x) => x.tS === 25)!.desiredReplicas).to.equal(1);
  });
});
