import { expect } from 'chai';
import { ClusterPod } from '../../src/cluster/cluster-pod.js';
import { newProbeStats, ProberManager } from '../../src/cluster/prober-manager.js';
import { Simulation } from '../../src/engine/simulation.js';
import type { Probe } from '../../src/scenario/cluster-schema.js';

/**
 * The prober manager where it lives (prober-manager.ts), built directly: prober_manager.go
 * UpdatePodStatus's gates of Ready (started, readiness Success, for the current container) and which
 * request ids are probes. The probes' timing on a running Deployment is test/cluster/probes.test.ts's.
 */

const probe: Probe = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as Probe;

type Which = 'startup' | 'readiness' | 'liveness';

function manager(which: Which[]) {
  const sim = new Simulation();
  const specs = (['startup', 'readiness', 'liveness'] as const).map((t) => (which.includes(t) ? probe : undefined));
  const stats = newProbeStats();
  const pod = new ClusterPod(0, 0, 1);
  const pm = new ProberManager(
    sim,
    specs,
    { complete: () => {}, lost: () => {}, probeRequest: () => 7, probeDone: () => {} },
    { pods: [pod], maybeReady: () => {}, notReady: () => {}, killContainer: () => {} },
    stats,
  );
  return { pm, pod, sim };
}

describe('kubelet prober manager (prober_manager.go UpdatePodStatus)', () => {
  const cases: { name: string; probes: Which[]; running: boolean; newContainer: boolean; want: boolean }[] = [
    {
      name: 'no startup or readiness probe: nothing gates Ready',
      probes: ['liveness'],
      running: false,
      newContainer: false,
      want: true,
    },
    {
      name: 'a pod Ready before the run: startup and readiness Success for its container',
      probes: ['startup', 'readiness'],
      running: true,
      newContainer: false,
      want: true,
    },
    {
      name: 'a new worker: readiness starts Failure (newWorker), so the pod is not Ready yet',
      probes: ['readiness'],
      running: false,
      newContainer: false,
      want: false,
    },
    {
      name: 'a new worker: startup starts Unknown, so the pod is not started yet',
      probes: ['startup'],
      running: false,
      newContainer: false,
      want: false,
    },
    {
      name: 'results belong to a container ID: a restarted container has none until its worker probes it',
      probes: ['readiness'],
      running: true,
      newContainer: true,
      want: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { pm, pod } = manager(c.probes);
      pm.startProbeWorkers(pod, undefined, c.running);
      if (c.newContainer) pod.generation++;
      expect(pm.readyGates(pod)).to.equal(c.want);
    });
  }

  it('isProbe: only ids of probes sent (an HTTP GET queued with the traffic) are probes', () => {
    const { pm, pod, sim } = manager(['readiness']);
    pod.listening = pod.containerUp = true;
    pod.containerRunningNs = 0;
    pod.runtime = { accept: () => {} } as unknown as ClusterPod['runtime'];
    pm.startProbeWorkers(pod, undefined, true);
    expect(pm.isProbe(7)).to.equal(false);
    sim.runUntil(0); // the readiness worker of pod 0 ticks at once: it sends request 7
    expect([pm.isProbe(7), pm.isProbe(6)]).to.deep.equal([true, false]);
    pm.probeCompleted(7);
    expect(pm.isProbe(7)).to.equal(false);
  });
});
