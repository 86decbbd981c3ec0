import { expect } from 'chai';
import { Deployment } from '../../src/cluster/deployment.js';
import { RandomStreams } from '../../src/engine/random.js';
import { Simulation } from '../../src/engine/simulation.js';
import { sToNs } from '../../src/engine/time.js';
import type { CompletionSink, PodRuntime } from '../../src/runtime/pod-runtime.js';
import { ClusterSchema } from '../../src/scenario/cluster-schema.js';

/** A pod runtime that answers every request after `latency.s` seconds (the queue a probe waits in). */
function harness(cluster: object) {
  const sim = new Simulation();
  const latency = { s: 0.01 };
  const lost: number[] = [];
  let nextId = 0;
  const released: number[] = [];
  const factory = (_k: number, sink: CompletionSink): PodRuntime => {
    let stopped = false;
    const kind = sim.registerKind('test.done', (id) => {
      if (!stopped) sink.complete(id);
    });
    return {
      gomaxprocs: 1,
      accept: (id) => void sim.schedule(sToNs(latency.s), kind, id),
      runnable: () => 0,
      running: () => 0,
      busyIntegralNs: () => 0,
      goroutines: () => 0,
      stop: () => {
        stopped = true;
      },
    };
  };
  const dep = new Deployment(
    sim,
    ClusterSchema.parse(cluster),
    factory,
    {
      complete: () => {},
      lost: (id) => lost.push(id),
      probeRequest: () => 1_000_000 + nextId++,
      probeDone: (id) => released.push(id),
    },
    new RandomStreams(1).stream('lb'),
    new RandomStreams(1).stream('uid'),
  );
  const at = (tS: number) => sim.runUntil(sToNs(tS));
  return { sim, dep, latency, lost, released, at };
}

const phases = { schedulingS: 0, imageSizeMB: 1, initContainersS: 0, processStartS: 0, appInitializationS: 5 };

describe("kubelet probes on the Deployment's pods", () => {
  it('readinessProbe: Ready on the first tick after the app initialised — the probe period is paid', () => {
    const h = harness({ replicas: 0, pod: { startupPhases: phases, readinessProbe: { periodSeconds: 10 } } });
    h.dep.scale(1);
    const pod = h.dep.pods[0]!;
    h.at(9.9);
    expect(pod.listening).to.equal(true); // since 5 s
    expect(pod.ready).to.equal(false); // the 0 s tick found no container; the next is at 10 s
    h.at(10.1);
    expect(pod.ready).to.equal(true);
    // Running at 0.02 s (1 MB pulled at 50 MB/s); Initializing = app init + the wait for the probe's answer.
    expect(pod.startupS![4]).to.be.closeTo(9.99, 1e-9);
    expect(h.dep.probeStats).to.include({ sent: 1, failures: 0 });
  });

  it('readinessProbe under load: timeouts take the pod out of the Service, a fast answer puts it back', () => {
    const h = harness({
      replicas: 1,
      pod: { readinessProbe: { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 2 } },
    });
    const pod = h.dep.pods[0]!;
    h.at(30);
    expect(pod.ready).to.equal(true);
    h.latency.s = 5; // the pod's queue now holds 5 s of work
    h.at(60);
    expect(pod.ready).to.equal(false);
    expect(pod.phase).to.equal('NotReady');
    expect(h.dep.route(7)).to.equal(false); // no Ready endpoint
    h.latency.s = 0.01;
    h.at(90);
    expect(pod.ready).to.equal(true);
    expect(h.dep.probeStats.readinessLost).to.equal(1);
    expect(h.dep.probeStats.timeouts).to.be.at.least(2);
    expect(h.released.length).to.be.greaterThan(3); // late answers free their ids too
  });

  it('livenessProbe under load: failureThreshold timeouts restart the container, its requests are lost', () => {
    const h = harness({
      replicas: 1,
      pod: { startupPhases: phases, livenessProbe: { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 } },
    });
    const pod = h.dep.pods[0]!;
    h.at(5);
    h.latency.s = 100;
    expect(h.dep.route(1)).to.equal(true);
    expect(h.dep.route(2)).to.equal(true);
    h.at(45);
    expect(pod.restarts).to.equal(1);
    expect(h.lost).to.deep.equal([1, 2]);
    expect(h.dep.probeStats.livenessRestarts).to.equal(1);
    // Restarted at once (first back-off 0): process start and app initialisation again, then Ready.
    h.latency.s = 0.01;
    h.at(60);
    expect(pod.ready).to.equal(true);
    expect(pod.generation).to.equal(1);
  });

  it('startupProbe: the other probes wait until it succeeds; its failures restart the container', () => {
    const h = harness({
      replicas: 0,
      pod: {
        startupPhases: { ...phases, appInitializationS: 100 },
        startupProbe: { periodSeconds: 10, failureThreshold: 5 },
        livenessProbe: { periodSeconds: 1, failureThreshold: 1 },
      },
    });
    h.dep.scale(1);
    const pod = h.dep.pods[0]!;
    h.at(49);
    expect(pod.restarts).to.equal(0); // liveness (period 1, threshold 1) would have killed it long ago
    // The 0 s tick finds no container; failures (refused: the app still initialises) at 10, 20, 30, 40, 50.
    h.at(51);
    expect(pod.restarts).to.equal(1);
    expect(h.dep.probeStats.startupRestarts).to.equal(1);
  });
});
