import { expect } from 'chai';
import {
  hpaPod,
  metricErrorPrefix,
  type PodForHpa,
  statusReplicasOf,
  syncEvents,
} from '../../src/autoscaler/hpa/controller.js';
import {
  getExternalPerPodMetricReplicas,
  getObjectPerPodMetricReplicas,
  groupPods,
} from '../../src/autoscaler/hpa/replica-calculator.js';
import {
  describeEvents,
  formatHpaMetrics,
  formatQuantity,
  humanDuration,
  type MetricStatus,
} from '../../src/autoscaler/hpa/status.js';
import type { MetricSpec } from '../../src/scenario/cluster-schema.js';

const cpu = (averageUtilization: number): MetricSpec => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } },
});
const cpuValue = (averageValue: string): MetricSpec => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'AverageValue', averageValue } },
});
const pods = (averageValue: string | number): MetricSpec =>
  ({
    type: 'Pods',
    pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue } },
  }) as MetricSpec;
const external = (target: { averageValue?: string | number; value?: string | number }): MetricSpec =>
  ({
    type: 'External',
    external: {
      metric: { name: 'ingress_requests_per_second' },
      target: { type: target.value !== undefined ? 'Value' : 'AverageValue', ...target },
    },
  }) as MetricSpec;
const object = (target: { averageValue?: string | number; value?: string | number }): MetricSpec =>
  ({
    type: 'Object',
    object: {
      metric: { name: 'requests_per_second' },
      describedObject: { apiVersion: 'v1', kind: 'Service', name: 's' },
      target: { type: target.value !== undefined ? 'Value' : 'AverageValue', ...target },
    },
  }) as MetricSpec;

describe('status.currentMetrics as kubectl prints it (formatHPAMetrics, kubectl printers.go)', () => {
  it('Quantity.String(): canonical DecimalSI from milli-units, BinarySI for a binary target', () => {
    const table: [number, boolean, string][] = [
      [0, false, '0'],
      [150, false, '150m'],
      [2000, false, '2'],
      [1500, false, '1500m'],
      [3_000_000, false, '3k'],
      [12_345_000, false, '12345'],
      [-250, false, '-250m'],
      [512 * 1048576 * 1000, true, '512Mi'],
      [1024 * 1048576 * 1000, true, '1Gi'],
      [1536_000, true, '1536'],
    ];
    for (const [milli, binary, want] of table)
      expect(formatQuantity(milli, binary), `${milli}${binary ? ' binary' : ''}`).to.equal(want);
  });

  // Named after kubectl's TestPrintHPA cases (pkg/printers/internalversion/printers_test.go).
  const cases: { name: string; specs: MetricSpec[]; statuses: (MetricStatus | undefined)[]; want: string }[] = [
    { name: 'minReplicas unset / no metrics', specs: [], statuses: [], want: '<none>' },
    {
      name: 'external source type, target average value (no current)',
      specs: [external({ averageValue: '100m' })],
      statuses: [],
      want: '<unknown>/100m (avg)',
    },
    {
      name: 'external source type, target average value',
      specs: [external({ averageValue: '100m' })],
      statuses: [{ averageValueMilli: 50 }],
      want: '50m/100m (avg)',
    },
    {
      name: 'external source type, target value',
      specs: [external({ value: 100 })],
      statuses: [{ valueMilli: 50_000 }],
      want: '50/100',
    },
    { name: 'pods source type (no current)', specs: [pods('100m')], statuses: [undefined], want: '<unknown>/100m' },
    { name: 'pods source type', specs: [pods('100m')], statuses: [{ averageValueMilli: 50 }], want: '50m/100m' },
    {
      name: 'object source type, target average value',
      specs: [object({ averageValue: '100m' })],
      statuses: [{ averageValueMilli: 50 }],
      want: '50m/100m (avg)',
    },
    {
      name: 'object source type, target value (no current)',
      specs: [object({ value: 10 })],
      statuses: [],
      want: '<unknown>/10',
    },
    {
      name: 'resource source type, targetVal (no current)',
      specs: [cpuValue('100m')],
      statuses: [],
      want: 'cpu: <unknown>/100m',
    },
    {
      name: 'resource source type, targetVal',
      specs: [cpuValue('200m')],
      statuses: [{ averageValueMilli: 150 }],
      want: 'cpu: 150m/200m',
    },
    {
      name: 'resource source type, targetUtil (no current)',
      specs: [cpu(80)],
      statuses: [],
      want: 'cpu: <unknown>/80%',
    },
    {
      name: 'resource source type, targetUtil',
      specs: [cpu(60)],
      statuses: [{ averageUtilization: 93, averageValueMilli: 930 }],
      want: 'cpu: 93%/60%',
    },
    {
      name: 'multiple specs',
      specs: [pods('100m'), cpu(80), pods('100m')],
      statuses: [{ averageValueMilli: 50 }, { averageUtilization: 50 }, { averageValueMilli: 30 }],
      want: '50m/100m, cpu: 50%/80% + 1 more...',
    },
  ];
  for (const c of cases) it(c.name, () => expect(formatHpaMetrics(c.specs, c.statuses)).to.equal(c.want));
});

describe('the HPA controller as Kubernetes runs it', () => {
  const NOW_NS = 1_000e9;
  const pod = (o: Partial<PodForHpa>): PodForHpa => ({
    name: 'lucretius',
    running: true,
    terminating: false,
    ready: false,
    runningNs: NaN,
    readyNs: NaN,
    unreadyNs: NaN,
    ...o,
  });
  const cfg = { cpuInitializationPeriodS: 120, delayOfInitialReadinessStatusS: 10 }; // the tests' harness values
  // TestGroupPods (pkg/controller/podautoscaler/replica_calculator_test.go): a pod that was Ready and lost
  // readiness is counted after the CPU initialisation period; one that has never been Ready is not.
  const table: { name: string; p: PodForHpa; ready: number; unready: number }[] = [
    {
      name: 'count in an unready pod that was ready after initialization period - CPU',
      p: pod({ runningNs: NOW_NS - 600e9, unreadyNs: NOW_NS - 540e9 }),
      ready: 1,
      unready: 0,
    },
    {
      name: 'unready pod that has never been ready after initialization period - CPU',
      p: pod({ runningNs: NOW_NS - 600e9 }),
      ready: 0,
      unready: 1,
    },
    {
      name: 'count in a ready pod without fresh metrics after initialization period - CPU',
      p: pod({ runningNs: NOW_NS - 180e9, ready: true, readyNs: NOW_NS - 180e9 }),
      ready: 1,
      unready: 0,
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const metrics = new Map([['lucretius', { value: 1, timestampS: 0, windowS: 0 }]]);
      const g = groupPods([hpaPod(c.p, 1000)], metrics, 'cpu', cfg, NOW_NS / 1e9);
      expect({ ready: g.readyPodCount, unready: g.unreadyPods.size }).to.deep.equal({
        ready: c.ready,
        unready: c.unready,
      });
    });
  }

  it(
    "per-pod Object and External targets divide by the scale's status replicas (active pods), not spec " + 'replicas',
    () => {
      // computeStatusForObjectMetric / ForExternalMetric (horizontal.go) pass statusReplicas to
      // GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas; the ReplicaSet's status.replicas
      // counts its pods without a deletion timestamp (FilterActivePods).
      const live = [false, false, false, true, true].map((terminating) => ({ terminating }));
      const status = statusReplicasOf({ live: () => live });
      expect(status).to.equal(3);
      // 6 (6000m) over a per-pod target of 2: with 3 active pods the ratio is 1.0 (no change), usage 2 each.
      expect(getObjectPerPodMetricReplicas(status, 6000, 2000, { scaleUp: 0.1, scaleDown: 0.1 })).to.deep.equal({
        replicas: 3,
        usage: 2000,
      });
      expect(getExternalPerPodMetricReplicas(status, [6000], 2000, { scaleUp: 0.1, scaleDown: 0.1 })).to.deep.equal({
        replicas: 3,
        usage: 2000,
      });
    },
  );

  it(
    'records the events reconcileAutoscaler records: FailedGet*, FailedComputeMetricsReplicas, ' + 'SuccessfulRescale',
    () => {
      const failed = syncEvents(
        0,
        [cpu(60)],
        [
          {
            proposal: {
              error: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API',
              reason: 'FailedGetResourceMetric',
            },
          },
        ],
        {
          desiredReplicas: 2,
          rescale: false,
          reason: '',
          conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: '' }],
        },
      );
      expect(failed.map((e) => `${e.type} ${e.reason}: ${e.message}`)).to.deep.equal([
        'Warning FailedGetResourceMetric: failed to get cpu utilization: unable to get metrics for resource cpu: ' +
          'no metrics returned from resource metrics API',
        'Warning FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to ' +
          'get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      ]);
      const up = syncEvents(
        60,
        [cpu(60)],
        [{ proposal: { replicas: 4, metricName: 'cpu resource utilization (percentage of request)' } }],
        {
          desiredReplicas: 4,
          rescale: true,
          reason: 'cpu resource utilization (percentage of request) above target',
          conditions: [],
        },
      );
      expect(up).to.deep.equal([
        {
          tS: 60,
          type: 'Normal',
          reason: 'SuccessfulRescale',
          message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
        },
      ]);
      expect(metricErrorPrefix(pods(1))).to.equal('failed to get pods metric value');
      expect(metricErrorPrefix(external({ value: 1 }))).to.equal(
        'failed to get external metric ingress_requests_per_second',
      );
    },
  );
});

describe('kubectl describe hpa: Events', () => {
  it('ages as duration.HumanDuration writes them', () => {
    const table: [number, string][] = [
      [-5, '<invalid>'],
      [-1, '0s'],
      [0, '0s'],
      [45, '45s'],
      [119, '119s'],
      [120, '2m'],
      [150, '2m30s'],
      [600, '10m'],
      [3 * 3600 + 20 * 60, '3h20m'],
      [30 * 3600, '30h'],
      [53 * 3600, '2d5h'],
    ];
    for (const [s, want] of table) expect(humanDuration(s), `${s} s`).to.equal(want);
  });

  it('identical events are one row with (xN over first); rows in order of their last occurrence', () => {
    const out = describeEvents(
      [
        { tS: 0, type: 'Warning', reason: 'FailedGetResourceMetric', message: 'm' },
        {
          tS: 60,
          type: 'Normal',
          reason: 'SuccessfulRescale',
          message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
        },
        { tS: 15, type: 'Warning', reason: 'FailedGetResourceMetric', message: 'm' },
      ],
      300,
    );
    expect(out).to.equal(
      [
        'Events:',
        '  Type     Reason                   Age                 From                       Message',
        '  ----     ------                   ----                ----                       -------',
        '  Warning  FailedGetResourceMetric  4m45s (x2 over 5m)  horizontal-pod-autoscaler  m',
        '  Normal   SuccessfulRescale        4m                  horizontal-pod-autoscaler  New size: 4; ' +
          'reason: cpu resource utilization (percentage of request) above target',
        '',
      ].join('\n'),
    );
    expect(describeEvents([], 10)).to.equal('Events:  <none>\n');
  });
});
