import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/** A flash crowd: 200 req/s, then 1,200 req/s from t = 120 s; 2 ms of CPU per request. */
function flashCrowd(extra: object = {}) {
  return parseScenario(
    JSON.stringify({
      durationS: 300,
      workload: {
        arrival: {
          process: 'steps',
          steps: [
            { atS: 0, ratePerS: 200 },
            { atS: 120, ratePerS: 1200 },
          ],
        },
        request: { steps: [{ cpu: { dist: 'exponential', meanMs: 2 } }] },
      },
      runtime: { gomaxprocs: 2 },
      cluster: { replicas: 2, pod: { cpuRequestCores: 1, startupS: 5, readinessDelayS: 5 } },
      hpa: {
        minReplicas: 2,
        maxReplicas: 20,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        ],
      },
      ...extra,
    }),
    'flash.json',
  );
}

describe('cluster + HPA end to end', () => {
  it(
    'flash crowd: a CPU-target HPA scales up within two sync periods of a full metrics window, to the replicas ' +
      'the load needs',
    () => {
      const r = runScenario(flashCrowd(), 1);
      const d = r.hpaDecisions!;
      // Before the crowd: 0.4 cores over 2 pods = 20% of request → proposal ceil(0.2/0.5 × 2) = 1 → min 2.
      expect(d.filter((x) => x.tS < 120).every((x) => !x.rescale && x.currentReplicas === 2)).to.equal(true);
      const firstUp = d.find((x) => x.rescale && x.desiredReplicas > x.currentReplicas)!;
      // The step is at 120 s; the first scrape whose 15 s window lies after it is at 135 s; the HPA syncs every 15 s.
      expect(firstUp.tS).to.be.within(135, 150);
      // Legacy path: the first step is capped at max(2 × 2, 4) = 4 (ScaleUpLimit).
      expect(firstUp.desiredReplicas).to.equal(4);
      expect(firstUp.scalingLimited).to.equal('True/ScaleUpLimit');
      // 2.4 cores of work at a 50% target of 1-core requests needs ceil(2.4 / 0.5) = 5 pods; it settles there (±1 for
      // noise).
      const last = d.at(-1)!;
      expect(last.currentReplicas).to.be.within(5, 6);
      expect(r.summary.cluster.maxReplicas).to.be.within(5, 6);
      expect(r.summary.hpa!.scaleUps).to.be.at.least(2);
      expect(r.summary.hpa!.scaleDowns).to.equal(0); // the 5-minute window keeps it from flapping
      // Every request was served: pods existed throughout, nothing refused or killed.
      expect(r.summary.cluster.rejected).to.equal(0);
      expect(r.summary.cluster.killed).to.equal(0);
      const readyCol = r.series.columns.indexOf('replicas_ready');
      expect(r.series.rows.at(-1)![readyCol]).to.equal(last.currentReplicas);
      // Per-pod rows: one per running pod; their CPU adds up to the offered 2.4 cores (± noise).
      const rows = r.podSeries.rows.filter((row) => row[0] === 290);
      expect(rows).to.have.length(last.currentReplicas);
      expect(rows.reduce((a, row) => a + Number(row[5]), 0)).to.be.within(2.0, 2.8);
    },
  );

  it('with behavior.scaleUp allowing only 1 pod per 60 s the same crowd is absorbed more slowly', () => {
    const r = runScenario(
      flashCrowd({
        hpa: {
          minReplicas: 2,
          maxReplicas: 20,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          ],
          behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
        },
      }),
      1,
    );
    const ups = r.hpaDecisions!.filter((x) => x.rescale);
    expect(ups.length).to.be.at.least(2);
    for (const u of ups) expect(u.desiredReplicas - u.currentReplicas).to.equal(1);
    for (let i = 1; i < ups.length; i++) expect(ups[i]!.tS - ups[i - 1]!.tS).to.be.at.least(60);
  });

  describe('faults', () => {
    // 5 pods fit 1,200 req/s (48% of request, within tolerance); load falls to 100 req/s at 60 s and
    // scale-down is immediate (window 0) unless metrics are down.
    const drop = (faults: object[], extraSteps: object[] = []) =>
      runScenario(
        parseScenario(
          JSON.stringify({
            durationS: 240,
            workload: {
              arrival: {
                process: 'steps',
                steps: [
                  { atS: 0, ratePerS: 1200 },
                  { atS: 60, ratePerS: 100 },
                ],
              },
              request: { steps: [{ cpu: { dist: 'exponential', meanMs: 2 } }, ...extraSteps] },
            },
            runtime: { gomaxprocs: 2 },
            cluster: { replicas: 5, pod: { cpuRequestCores: 1 } },
            hpa: {
              minReplicas: 1,
              maxReplicas: 20,
              metrics: [
                {
                  type: 'Resource',
                  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
                },
              ],
              behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
            },
            faults,
          }),
          'drop.json',
        ),
        2,
      );

    it(
      'metrics down: the HPA cannot compute (FailedGetResourceMetric) and does not scale down until they ' + 'return',
      () => {
        const healthy = drop([]).hpaDecisions!;
        expect(healthy.filter((x) => x.tS < 60).every((x) => !x.rescale)).to.equal(true);
        const firstDown = healthy.find((x) => x.rescale && x.desiredReplicas < x.currentReplicas)!;
        expect(firstDown.tS).to.be.within(75, 90);
        const r = drop([{ type: 'metrics-down', atS: 60, durationS: 120 }]);
        const d = r.hpaDecisions!;
        const during = d.filter((x) => x.tS >= 60 && x.tS < 180);
        expect(during.every((x) => !x.rescale && x.scalingActive === 'False/FailedGetResourceMetric')).to.equal(true);
        expect(during.every((x) => x.currentReplicas === 5)).to.equal(true);
        const after = d.find((x) => x.rescale)!;
        expect(after.tS).to.be.at.least(180);
        expect(after.desiredReplicas).to.be.below(5);
      },
    );

    it('hpa down: no syncs are recorded while it is down', () => {
      const d = drop([{ type: 'hpa-down', atS: 60, durationS: 60 }]).hpaDecisions!;
      expect(d.some((x) => x.tS >= 60 && x.tS < 120)).to.equal(false);
      expect(d.some((x) => x.tS >= 120)).to.equal(true);
    });

    it('network latency: netpoll waits started during the fault take latencyMs longer', () => {
      const s = (faults: object[]) =>
        runScenario(
          parseScenario(
            JSON.stringify({
              durationS: 30,
              workload: {
                arrival: { process: 'poisson', ratePerS: 200 },
                request: {
                  steps: [{ cpu: { dist: 'exponential', meanMs: 0.5 } }, { netpoll: { dist: 'constant', valueMs: 5 } }],
                },
              },
              runtime: { gomaxprocs: 2 },
              faults,
            }),
            'net.json',
          ),
          3,
        );
      const base = s([]);
      const slow = s([{ type: 'network-latency', atS: 10, durationS: 10, latencyMs: 40 }]);
      const p50 = (r: ReturnType<typeof runScenario>, t: number) =>
        r.series.rows.find((row) => row[0] === t)![r.series.columns.indexOf('latency_p50_ms')]!;
      expect(p50(slow, 15) - p50(base, 15)).to.be.within(39, 41);
      expect(p50(slow, 25)).to.be.closeTo(p50(base, 25), 0.5);
    });

    it('noisy neighbour: stolen cores slow every CPU burst by hostCpus / (hostCpus − stolen), then it ends', () => {
      const s = (faults: object[]) =>
        runScenario(
          parseScenario(
            JSON.stringify({
              durationS: 30,
              // Constant 2 ms bursts at low load: latency is the burst (plus µs of scheduling).
              workload: {
                arrival: { process: 'poisson', ratePerS: 50 },
                request: { steps: [{ cpu: { dist: 'constant', valueMs: 2 } }] },
              },
              runtime: { gomaxprocs: 4, hostCpus: 4 },
              faults,
            }),
            'noisy.json',
          ),
          3,
        );
      const base = s([]);
      const noisy = s([{ type: 'noisy-neighbour', atS: 10, durationS: 10, stolenCores: 3 }]);
      const p50 = (r: ReturnType<typeof runScenario>, t: number) =>
        r.series.rows.find((row) => row[0] === t)![r.series.columns.indexOf('latency_p50_ms')]!;
      expect(p50(noisy, 15) / p50(base, 15)).to.be.closeTo(4, 0.05); // 4 / (4 − 3)
      expect(p50(noisy, 25)).to.be.closeTo(p50(base, 25), 0.01);
      expect(() =>
        parseScenario(
          JSON.stringify({ runtime: { hostCpus: 2 }, faults: [{ type: 'noisy-neighbour', atS: 1, stolenCores: 2 }] }),
          'bad.json',
        ),
      ).to.throw(/faults\[0\]\.stolenCores: expected fewer stolen cores than runtime\.hostCpus \(2\), found 2/);
    });

    it('pod kill: in-flight requests are lost and the ReplicaSet replaces the pod', () => {
      // At 1,200 req/s over 5 pods with 2 ms of CPU, a pod holds about half a request at any instant, so
      // whether one is lost was down to the draw; a 50 ms wait per request keeps ~12 in flight per pod.
      const r = drop([{ type: 'pod-kill', atS: 30 }], [{ netpoll: { dist: 'constant', valueMs: 50 } }]);
      expect(r.summary.cluster.killed).to.be.greaterThan(0);
      // The replacement starts (5 s) and becomes ready (5 s): five ready pods again by 45 s.
      const readyCol = r.series.columns.indexOf('replicas_ready');
      const tCol = r.series.columns.indexOf('t_s');
      const at = (t: number) => r.series.rows.find((row) => row[tCol] === t)![readyCol];
      expect(at(31)).to.equal(4);
      expect(at(45)).to.equal(5);
    });
  });

  it('without an hpa the replica count stays fixed and the run is the single-pod model for replicas: 1', () => {
    const s = parseScenario(
      'durationS: 5\nworkload: {arrival: {process: poisson, ratePerS: 500}}\nruntime: {gomaxprocs: 2}\n',
      'one.yaml',
    );
    const r = runScenario(s, 3);
    expect(r.hpaDecisions).to.equal(undefined);
    expect(r.summary.cluster).to.deep.include({ replicasAtEnd: 1, maxReplicas: 1, rejected: 0 });
    expect(r.summary.cluster.podSeconds).to.be.closeTo(5, 1e-9);
  });

  it('replicas: 0 and no autoscaler: every request is refused (no endpoints)', () => {
    const s = parseScenario(
      'durationS: 2\ncluster: {replicas: 0}\nworkload: {arrival: {process: poisson, ratePerS: 100}}\n',
      'zero.yaml',
    );
    const r = runScenario(s, 1);
    expect(r.summary.requests.completed).to.equal(0);
    expect(r.summary.cluster.rejected).to.equal(r.summary.requests.arrived);
  });
});

describe('KEDA ScaledObject', () => {
  it('scales from zero when the trigger activates, 1 → N through its HPA, and back to zero after the cooldown', () => {
    const s = parseScenario(
      JSON.stringify({
        durationS: 600,
        workload: {
          arrival: {
            process: 'steps',
            steps: [
              { atS: 0, ratePerS: 0 },
              { atS: 30, ratePerS: 300 },
              { atS: 200, ratePerS: 0 },
            ],
          },
          request: { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }] },
        },
        runtime: { gomaxprocs: 2 },
        cluster: { replicas: 0 },
        keda: { cooldownPeriodS: 120, maxReplicaCount: 10, trigger: { threshold: 100 } },
      }),
      'keda.json',
    );
    const r = runScenario(s, 4);
    const d = r.hpaDecisions!.filter((x) => x.rescale);
    // The first 60 s ingress window is complete at the 60 s scrape, but KEDA's 60 s poll (scheduled at
    // 30 s) runs just before that scrape, so the first poll that sees an active trigger is at 90 s.
    expect(d[0]).to.deep.include({
      tS: 90,
      currentReplicas: 0,
      desiredReplicas: 1,
      reason: 'KEDA: trigger active, scaling from zero',
    });
    // Then the generated HPA: ~300 req/s at 100 per replica → ceil(rate / 100): 3, or 4 when the Poisson
    // count in the window is just above 300 (as real KEDA would do); the 5-minute window keeps it.
    const peak = d.find((x) => x.reason.startsWith('external metric'))!;
    expect(peak.tS).to.equal(90);
    expect(peak.desiredReplicas).to.be.within(3, 4);
    const last = d.at(-1)!;
    expect(last).to.deep.include({
      desiredReplicas: 0,
      reason: 'KEDA: inactive for the cooldown period, scaling to zero',
    });
    // Load stops at 200 s; the 60 s window sees it until ~260 s; + 120 s cooldown, on a 30 s poll.
    expect(last.tS).to.be.within(360, 420);
    // From 30 s until the first pod is Ready (90 s + 5 s start + 5 s readiness) requests are refused.
    expect(r.summary.cluster.rejected).to.be.within(300 * 65, 300 * 75);
    // Served from 100 s to 200 s; nothing lost: every arrival was either served or refused.
    expect(r.summary.requests.completed).to.be.within(300 * 95, 300 * 105);
    expect(r.summary.requests.completed + r.summary.cluster.rejected).to.equal(r.summary.requests.arrived);
  });
});

describe('nodes', () => {
  const base = (extra: object) =>
    parseScenario(
      JSON.stringify({
        durationS: 150,
        workload: {
          arrival: { process: 'poisson', ratePerS: 1500 },
          request: { steps: [{ cpu: { dist: 'exponential', meanMs: 2 } }] },
        },
        runtime: { gomaxprocs: 2 },
        cluster: { replicas: 4, pod: { cpuRequestCores: 1 }, nodes: { count: 2, allocatableCores: 2 } },
        ...extra,
      }),
      'nodes.json',
    );
  const col = (r: ReturnType<typeof runScenario>, name: string, t: number) =>
    r.series.rows.find((row) => row[0] === t)![r.series.columns.indexOf(name)];

  it('a pod that fits on no node stays Pending: the HPA asks for 6, only 4 fit on 2 × 2 cores', () => {
    const r = runScenario(
      base({
        hpa: {
          minReplicas: 4,
          maxReplicas: 10,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          ],
        },
      }),
      1,
    );
    // 3 cores of work at 50% of 1-core requests → 6 pods wanted.
    expect(r.summary.cluster.maxReplicas).to.be.at.least(6);
    expect(col(r, 'replicas_ready', 150)).to.equal(4);
    expect(col(r, 'pods_pending', 150)).to.equal(r.summary.cluster.replicasAtEnd - 4);
  });

  it('a node-loss fault needs counted nodes: with unlimited nodes it is a scenario error', () => {
    expect(() => parseScenario('faults: [{type: node-loss, atS: 1}]\n', 'nl.yaml')).to.throw(
      /nl\.yaml:1:\d+: faults\[0\]\.type: expected cluster\.nodes\.count ≥ 1 for a node-loss fault/,
    );
  });

  it('node loss: its pods die, their replacements wait Pending until the node returns', () => {
    const r = runScenario(base({ faults: [{ type: 'node-loss', atS: 30, durationS: 60 }] }), 1);
    expect(r.summary.cluster.killed).to.be.greaterThan(0);
    expect(col(r, 'replicas_ready', 29)).to.equal(4);
    expect(col(r, 'replicas_ready', 31)).to.equal(2);
    expect(col(r, 'pods_pending', 31)).to.equal(2);
    expect(col(r, 'pods_pending', 91)).to.equal(0); // node back at 90 s: scheduled, starting
    expect(col(r, 'replicas_ready', 101)).to.equal(4); // 5 s start + 5 s readiness
  });
});
