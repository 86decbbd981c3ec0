import { expect } from 'chai';
import type { ClusterPod } from '../../src/cluster/deployment.js';
import { NodeImages } from '../../src/cluster/nodes.js';
import type { Simulation } from '../../src/engine/simulation.js';
import { sToNs } from '../../src/engine/time.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { idleDeployment } from '../support/idle-deployment.js';

const deployment = idleDeployment;

const phaseAt = (sim: Simulation, pod: ClusterPod, tS: number) => {
  sim.runUntil(sToNs(tS));
  return pod.phase;
};

describe('pod start-up phases (cluster.pod.startupPhases)', () => {
  it(
    'NodeImages: the first pod on a node pulls, a second one during the pull waits for it, later ones hit the ' +
      'cache',
    () => {
      const img = new NodeImages(2);
      img.hold(0);
      expect(img.acquire(0, 5, 10)).to.equal(5); // cached
      expect(img.acquire(1, 5, 10)).to.equal(15); // pull
      expect(img.acquire(1, 8, 10)).to.equal(15); // shares the pull in progress
      expect(img.acquire(1, 20, 10)).to.equal(20); // cached now
      expect({ pulls: img.pulls, hits: img.hits }).to.deep.equal({ pulls: 1, hits: 2 });
      img.clear(1); // a replacement node comes back empty
      expect(img.acquire(1, 30, 10)).to.equal(40);
    },
  );

  it('scheduling → image pull (size ÷ bandwidth) → init → process start → app initialisation → Ready, per pod', () => {
    const { sim, dep } = deployment({
      replicas: 1,
      pod: {
        cpuRequestCores: 1,
        startupPhases: {
          schedulingS: 1,
          imageSizeMB: 100,
          initContainersS: 2,
          processStartS: 1,
          appInitializationS: 3,
        },
      },
      nodes: { count: 3, allocatableCores: 1, imagePullMBps: 10 },
    });
    dep.scale(4); // pods 1, 2 fit on nodes 1, 2 (no image there); pod 3 fits nowhere
    const [, p1, p2, p3] = dep.pods as [ClusterPod, ClusterPod, ClusterPod, ClusterPod];
    expect(p3.phase).to.equal('Pending');
    expect(phaseAt(sim, p1, 0.5)).to.equal('Scheduling');
    expect(phaseAt(sim, p1, 5)).to.equal('PullingImage'); // 1 → 11 s: 100 MB at 10 MB/s
    expect(phaseAt(sim, p1, 12)).to.equal('Init'); // 11 → 13
    expect(phaseAt(sim, p1, 13.5)).to.equal('ContainerCreating'); // 13 → 14
    expect(p1.running).to.equal(false);
    expect(phaseAt(sim, p1, 15)).to.equal('Initializing'); // Running at 14, app initialises to 17
    expect(p1.running && !p1.ready).to.equal(true);
    expect(phaseAt(sim, p1, 17)).to.equal('Ready');
    expect(p2.phase).to.equal('Ready');
    expect(dep.readyCount()).to.equal(3);
    expect(p3.phase).to.equal('Pending');
    // Scale down to 1, then up again: the nodes now hold the image, so no pull.
    dep.scale(1);
    sim.runUntil(sToNs(20));
    dep.scale(3);
    const fresh = dep.pods.filter((p) => !p.gone && p.createdNs === sToNs(20));
    expect(fresh).to.have.length(2);
    sim.runUntil(sToNs(20 + 1 + 2 + 1 + 3));
    for (const p of fresh) expect(p.phase).to.equal('Ready');
    const s = dep.startupSummary()!;
    expect(s.imagePulls).to.equal(2);
    expect(s.imageCacheHits).to.equal(2);
    expect(s.podsStarted).to.equal(4);
    expect(s.maxS).to.deep.equal({ Scheduling: 1, PullingImage: 10, Init: 2, ContainerCreating: 1, Initializing: 3 });
    expect(s.meanToReadyS).to.be.closeTo((17 + 17 + 7 + 7) / 4, 1e-9);
  });

  it('time Pending for lack of room counts as scheduling', () => {
    const { sim, dep } = deployment({
      replicas: 1,
      pod: {
        startupPhases: { schedulingS: 1, imageSizeMB: 1, initContainersS: 0, processStartS: 0, appInitializationS: 0 },
      },
      nodes: { count: 1, allocatableCores: 1, imagePullMBps: 1 },
    });
    dep.scale(2); // pod 1 fits nowhere
    const waiting = dep.pods[1]!;
    sim.runUntil(sToNs(10));
    expect(waiting.phase).to.equal('Pending');
    dep.killPod(0); // room appears at 10 s; the ReplicaSet's replacement for pod 0 queues behind pod 1
    expect(phaseAt(sim, waiting, 10.5)).to.equal('Scheduling');
    expect(phaseAt(sim, waiting, 11)).to.equal('Ready'); // the node holds the image: no pull
    expect(waiting.startupS![0]).to.equal(11); // 10 s Pending + 1 s scheduling
    expect(dep.pods[2]!.phase).to.equal('Pending');
  });

  it(
    'off by default; on, pods.csv gets a phase column with rows for pods not yet Running, summary the phase ' + 'times',
    () => {
      const base = {
        durationS: 60,
        workload: {
          arrival: { process: 'poisson', ratePerS: 400 },
          request: { steps: [{ cpu: { dist: 'exponential', meanMs: 5 } }] },
        },
        runtime: { scheduler: 'ideal-fifo', gomaxprocs: 1 },
        hpa: { minReplicas: 1, maxReplicas: 6, controller: { syncPeriodS: 5 } },
        metricsPipeline: { scrapeIntervalS: 5, cpuWindowS: 5 },
      };
      const off = runScenario(parseScenario(JSON.stringify({ ...base, cluster: { replicas: 1 } }), 'off.json'), 1);
      expect(off.podSeries.columns).to.not.include('phase');
      expect(off.summary.cluster.startup).to.equal(undefined);
      const on = runScenario(
        parseScenario(
          JSON.stringify({
            ...base,
            cluster: {
              replicas: 1,
              pod: { startupPhases: { imageSizeMB: 300, appInitializationS: 4 } },
              nodes: { imagePullMBps: 30 },
            },
          }),
          'on.json',
        ),
        1,
      );
      const phase = on.podSeries.columns.indexOf('phase');
      expect(phase).to.be.greaterThan(0);
      const seen = new Set(on.podSeries.rows.map((r) => r[phase]));
      expect([...seen]).to.include.members(['Ready', 'PullingImage', 'Initializing']);
      const st = on.summary.cluster.startup!;
      expect(st.podsStarted).to.be.greaterThan(0);
      // Unlimited nodes share one cache: the initial pod's node holds the image, so no pod pulls.
      expect(st.imagePulls).to.equal(0);
      expect(st.meanS.Initializing).to.equal(4);
    },
  );
});
