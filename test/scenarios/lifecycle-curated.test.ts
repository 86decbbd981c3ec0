import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { compareScenarios } from '../../src/scenario/variants.js';
import { type RunResult, runScenario } from '../../src/sim/experiment.js';

/** Run each variant of a curated compare scenario once (seed 1). */
function variants(file: string): Record<string, RunResult> {
  const { variants: vs } = compareScenarios(readFileSync(file, 'utf8'), file);
  return Object.fromEntries(vs.map((v) => [v.name, runScenario(v.scenario, 1)]));
}

const column = (r: RunResult, name: string) => {
  const i = r.series.columns.indexOf(name);
  return r.series.rows.map((row) => ({ t: row[0]!, v: row[i]! }));
};

describe('curated scenarios: pod lifecycle (issue 17)', () => {
  it(
    'liveness-cascade: a 1 s liveness timeout restarts pods into an outage that outlasts the crowd; a lenient ' +
      'one does not',
    () => {
      const r = variants('scenarios/liveness-cascade.yaml');
      const strict = r['strict-liveness']!;
      const lenient = r['lenient-liveness']!;
      expect(strict.summary.cluster.probes!.livenessRestarts).to.be.greaterThan(5);
      expect(lenient.summary.cluster.probes!.livenessRestarts).to.equal(0);
      expect(strict.summary.cluster.killed).to.be.greaterThan(10 * lenient.summary.cluster.killed + 1000);
      // After the crowd (150 s) the strict Deployment keeps losing pods: some sample has no Ready pod.
      const afterCrowd = (res: RunResult) => column(res, 'replicas_ready').filter((x) => x.t > 200);
      expect(Math.min(...afterCrowd(strict).map((x) => x.v))).to.equal(0);
      expect(Math.min(...afterCrowd(lenient).map((x) => x.v))).to.equal(4);
      // The restarts are visible per pod.
      const phase = strict.podSeries.columns.indexOf('phase');
      const phases = new Set(strict.podSeries.rows.map((row) => row[phase]));
      expect([...phases]).to.include.members(['Ready', 'Initializing']);
    },
  );

  it(
    "startup-flash-crowd: 40 s of start-up per pod raises the crowd's p99; raising minReplicas ahead of it " +
      'removes it',
    () => {
      const r = variants('scenarios/startup-flash-crowd.yaml');
      const p99 = (v: string) => r[v]!.summary.latencyMs.p99;
      expect(p99('reactive')).to.be.greaterThan(1.3 * p99('instant-start'));
      expect(p99('scheduled-min')).to.be.below(0.5 * p99('instant-start'));
      const st = r.reactive!.summary.cluster.startup!;
      expect(st.meanToReadyS).to.be.greaterThan(40); // 1 + 20 (600 MB at 30 MB/s) + 2 + 1 + 20 s
      expect(st.imagePulls).to.be.greaterThan(0);
      // The schedule made the pods Ready before the crowd (180 s).
      const ready = column(r['scheduled-min']!, 'replicas_ready').find((x) => x.t === 180)!;
      expect(ready.v).to.equal(6);
    },
  );

  it(
    'rollout-during-peak: 25%/25% drops a Ready pod for the rollout and the tail grows; maxSurge-only keeps ' + 'six',
    () => {
      const r = variants('scenarios/rollout-during-peak.yaml');
      const during = (v: string) => column(r[v]!, 'replicas_ready').filter((x) => x.t > 121 && x.t < 150);
      expect(Math.min(...during('defaults-25-25').map((x) => x.v))).to.equal(5);
      expect(Math.min(...during('surge-only').map((x) => x.v))).to.equal(6);
      const p99 = (v: string) =>
        Math.max(
          ...column(r[v]!, 'latency_p99_ms')
            .filter((x) => x.t > 121 && x.t < 160)
            .map((x) => x.v),
        );
      expect(p99('defaults-25-25')).to.be.greaterThan(p99('surge-only'));
      for (const v of ['defaults-25-25', 'surge-only']) {
        const ro = r[v]!.summary.cluster.rollouts!;
        expect(ro).to.have.length(1);
        expect(ro[0]!.completedS).to.be.within(130, 250);
        // Every live pod at the end runs the new revision.
        const rev = r[v]!.podSeries.columns.indexOf('revision');
        const last = r[v]!.podSeries.rows.filter((row) => row[0] === 360);
        expect(last.length).to.be.greaterThan(5);
        for (const row of last) expect(row[rev]).to.equal(1);
      }
    },
  );

  it(
    'hpa-waits-for-nodes: Pending pods wait for the cluster-autoscaler; faster provisioning or spare room ' +
      'recovers sooner',
    function () {
      this.timeout(300_000); // three 10-minute cluster runs: ~16 s of CPU, past mocha's 60 s on a loaded machine
      const r = variants('scenarios/hpa-waits-for-nodes.yaml');
      /** The first sample after the crowd's backlog from which the p99 stays under 100 ms. */
      const recovered = (v: string) => {
        const p = column(r[v]!, 'latency_p99_ms').filter((x) => x.t > 150 && x.t < 600);
        let t = NaN;
        for (const x of p)
          if (x.v >= 100) t = NaN;
          else if (Number.isNaN(t)) t = x.t;
        return t;
      };
      expect(recovered('autoscaled-180s')).to.be.greaterThan(recovered('fast-provisioning-60s') + 60);
      expect(recovered('fast-provisioning-60s')).to.be.greaterThan(recovered('room-to-spare'));
      expect(Math.max(...column(r['autoscaled-180s']!, 'pods_pending').map((x) => x.v))).to.be.greaterThan(0);
      expect(r['autoscaled-180s']!.summary.cluster.nodeAutoscaler!.nodesAdded).to.equal(4);
      expect(r['room-to-spare']!.summary.cluster.nodeAutoscaler!.nodesAdded).to.equal(0);
      expect(Math.max(...column(r['autoscaled-180s']!, 'nodes').map((x) => x.v))).to.equal(6);
    },
  );
  it(
    "gomaxprocs-above-node-cores: two pods bursting on one node stretch each other's bursts; the isolated " +
      'model hides it',
    () => {
      const r = variants('scenarios/gomaxprocs-above-node-cores.yaml');
      const p99 = (v: string) => r[v]!.summary.latencyMs.p99;
      expect(p99('shared-node')).to.be.greaterThan(1.25 * p99('isolated-cores'));
      // GOMAXPROCS at the request never over-commits the node but loses the cores the neighbour leaves idle.
      expect(p99('gomaxprocs-2')).to.be.greaterThan(p99('shared-node'));
      // The same work is done (no CPU limit: the node is work-conserving), only later.
      const cpu = (v: string) => r[v]!.summary.utilization * r[v]!.summary.gomaxprocs;
      expect(cpu('shared-node')).to.be.closeTo(cpu('isolated-cores'), 0.05 * cpu('isolated-cores'));
    },
  );
  it(
    "warmup-flash-crowd: cold new pods stretch the crowd's tail and make the HPA add more; warm pods ahead of " +
      'it fix both',
    () => {
      const r = variants('scenarios/warmup-flash-crowd.yaml');
      const p99 = (v: string) => r[v]!.summary.latencyMs.p99;
      const podS = (v: string) => r[v]!.summary.cluster.podSeconds;
      expect(p99('cold-pods')).to.be.greaterThan(5 * p99('always-warm'));
      expect(podS('cold-pods')).to.be.greaterThan(1.2 * podS('always-warm'));
      for (const fix of ['min-replicas-6', 'scheduled-min']) expect(p99(fix)).to.be.below(2 * p99('always-warm'));
    },
  );
});
