import { expect } from 'chai';
import { toMilli } from '../../src/scenario/cluster-schema.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/** Steady load at `rate` req/s on `replicas` pods with an HPA on `metrics`. */
function run(
  metrics: object[],
  opts: { rate?: number; steps?: object[]; pipeline?: object; pod?: object; runtime?: object; durationS?: number } = {},
) {
  return runScenario(
    parseScenario(
      JSON.stringify({
        durationS: opts.durationS ?? 120,
        workload: {
          arrival: { process: 'poisson', ratePerS: opts.rate ?? 500 },
          request: { steps: opts.steps ?? [{ cpu: { dist: 'exponential', meanMs: 1 } }] },
        },
        runtime: { gomaxprocs: 2, ...opts.runtime },
        cluster: { replicas: 2, pod: { cpuRequestCores: 1, startupS: 5, readinessDelayS: 5, ...opts.pod } },
        metricsPipeline: { ...opts.pipeline },
        hpa: { minReplicas: 1, maxReplicas: 30, metrics, behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } },
      }),
      'metrics.json',
    ),
    1,
  );
}
const firstUp = (r: ReturnType<typeof run>) =>
  r.hpaDecisions!.find((d) => d.rescale && d.desiredReplicas > d.currentReplicas);

describe('HPA metric sources', () => {
  it('quantities take the binary suffixes memory uses', () => {
    expect(toMilli('256Mi')).to.equal(256 * 1024 * 1024 * 1000);
    expect(toMilli('1Gi')).to.equal(1024 ** 3 * 1000);
    expect(toMilli('2k')).to.equal(2_000_000);
    expect(toMilli('500m')).to.equal(500);
  });

  it('Object metric (requests_per_second on the Service, AverageValue 100): ~500 req/s → 5 (or 6) replicas', () => {
    const r = run([
      {
        type: 'Object',
        object: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: 100 } },
      },
    ]);
    // The measured rate is 500 ± Poisson noise: ceil(rate / 100) is 5 or 6.
    expect(firstUp(r)!.desiredReplicas).to.be.within(5, 6);
    expect(r.hpaDecisions!.at(-1)!.currentReplicas).to.be.within(5, 6);
  });

  it(
    'External metric (ingress_requests_per_second, Value 250 for the whole Deployment): scales by usage / ' + 'target',
    () => {
      const r = run([
        {
          type: 'External',
          external: { metric: { name: 'ingress_requests_per_second' }, target: { type: 'Value', value: 250 } },
        },
      ]);
      // ≈ 500 / 250 = 2 × the 2 ready pods → 4 (5 when the noisy rate is just over 500).
      expect(firstUp(r)!.desiredReplicas).to.be.within(4, 5);
    },
  );

  it('External ingress_latency_p99_ms: a slow service (p99 over the target) scales up; a fast one scales down', () => {
    // 0.9 of a core per pod on GOMAXPROCS 1: queues build, p99 ≈ 46 ms ≫ 20 ms.
    const slow = run(
      [
        {
          type: 'External',
          external: { metric: { name: 'ingress_latency_p99_ms' }, target: { type: 'Value', value: 20 } },
        },
      ],
      {
        rate: 1800,
        runtime: { gomaxprocs: 1 },
      },
    );
    expect(firstUp(slow)).to.not.equal(undefined);
    // (Scale-down waits for the default 5-minute stabilization window.)
    const fast = run(
      [
        {
          type: 'External',
          external: { metric: { name: 'ingress_latency_p99_ms' }, target: { type: 'Value', value: 200 } },
        },
      ],
      { rate: 100, durationS: 400 },
    );
    expect(fast.hpaDecisions!.some((d) => d.rescale && d.desiredReplicas < d.currentReplicas)).to.equal(true);
  });

  it('Resource memory (Utilization of memoryRequestMB): pods holding heap scale out', () => {
    // Each request holds 1 MiB for 200 ms: ~100 MiB in flight per pod at 500 req/s over 2 pods, plus the runtime's 8
    // MiB.
    const steps = [
      { alloc: { dist: 'constant', valueKB: 1024 } },
      { netpoll: { dist: 'constant', valueMs: 200 } },
      { cpu: { dist: 'exponential', meanMs: 0.2 } },
    ];
    const r = run(
      [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 50 } } }],
      {
        steps,
        pod: { memoryRequestMB: 128 },
        durationS: 60,
      },
    );
    expect(firstUp(r)!.desiredReplicas).to.be.within(3, 8);
  });

  it('Pods metrics from the Go runtime: run-queue length and GC CPU fraction are served', () => {
    const r = run(
      [
        {
          type: 'Pods',
          pods: {
            metric: { name: 'go_sched_runnable_goroutines' },
            target: { type: 'AverageValue', averageValue: '500m' },
          },
        },
      ],
      {
        rate: 1800,
        runtime: { gomaxprocs: 1 },
        durationS: 60,
      },
    );
    expect(firstUp(r)!.desiredReplicas).to.be.greaterThan(2);
    const g = run(
      [
        {
          type: 'Pods',
          pods: { metric: { name: 'go_gc_cpu_fraction' }, target: { type: 'AverageValue', averageValue: '2m' } },
        },
      ],
      {
        steps: [{ cpu: { dist: 'exponential', meanMs: 0.5 } }, { alloc: { dist: 'constant', valueKB: 512 } }],
        durationS: 60,
      },
    );
    expect(firstUp(g)!.desiredReplicas).to.be.greaterThan(2);
  });

  it("Pods http_request_duration_p99_ms: each pod's p99 over the rate window drives the HPA", () => {
    const m = [
      {
        type: 'Pods',
        pods: { metric: { name: 'http_request_duration_p99_ms' }, target: { type: 'AverageValue', averageValue: 20 } },
      },
    ];
    const slow = run(m, { rate: 1800, runtime: { gomaxprocs: 1 }, durationS: 90 });
    expect(firstUp(slow)!.desiredReplicas).to.be.greaterThan(2);
    const fast = run(m, { rate: 100, durationS: 90 });
    expect(firstUp(fast)).to.equal(undefined);
  });

  it('adapter delay: custom metrics reach the HPA adapterDelayS late; resource metrics do not', () => {
    const pods = [
      {
        type: 'Pods',
        pods: { metric: { name: 'http_requests_in_flight' }, target: { type: 'AverageValue', averageValue: '100m' } },
      },
    ];
    const now = firstUp(run(pods))!.tS;
    const late = firstUp(run(pods, { pipeline: { adapterDelayS: 60 } }))!.tS;
    expect(late - now).to.be.within(60, 75);
    const cpu = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 10 } } },
    ];
    expect(firstUp(run(cpu, { pipeline: { adapterDelayS: 60 } }))!.tS).to.equal(firstUp(run(cpu))!.tS);
  });

  it(
    "ContainerResource on the pod's one container (app) equals Resource; another container name is a metric " + 'error',
    () => {
      const res = (type: string, extra: object = {}) => [
        {
          type,
          [type === 'Resource' ? 'resource' : 'containerResource']: {
            name: 'cpu',
            ...extra,
            target: { type: 'Utilization', averageUtilization: 10 },
          },
        },
      ];
      const a = run(res('Resource'));
      const b = run(res('ContainerResource', { container: 'app' }));
      const decisions = (r: ReturnType<typeof run>) =>
        r.hpaDecisions!.map((d) => [d.tS, d.currentReplicas, d.desiredReplicas, d.rescale]);
      expect(decisions(b)).to.deep.equal(decisions(a));
      // Only the failure reason names the source type (no metrics before the first full window).
      expect(b.hpaDecisions![0]!.scalingActive).to.equal('False/FailedGetContainerResourceMetric');
      expect(a.hpaDecisions![0]!.scalingActive).to.equal('False/FailedGetResourceMetric');
      const c = run(res('ContainerResource', { container: 'sidecar' }));
      expect(c.hpaDecisions!.every((d) => !d.rescale)).to.equal(true);
      expect(c.hpaDecisions!.at(-1)!.scalingActive).to.equal('False/FailedGetContainerResourceMetric');
    },
  );

  it('target types Kubernetes rejects are scenario errors (Utilization on an External metric)', () => {
    expect(() =>
      parseScenario(
        JSON.stringify({
          hpa: {
            maxReplicas: 3,
            metrics: [
              {
                type: 'External',
                external: {
                  metric: { name: 'ingress_requests_per_second' },
                  target: { type: 'Utilization', averageUtilization: 50 },
                },
              },
            ],
          },
        }),
        'bad.json',
      ),
    ).to.throw(
      new RegExp(
        /hpa\.metrics\[0\]\.external\.target\.type: expected a target type Kubernetes accepts for Extern/.source +
          /al metrics, found Utilization/.source,
      ),
    );
  });
});
