import { expect } from 'chai';
import {
  calcPlainMetricReplicas,
  getExternalMetricReplicas,
  getExternalPerPodMetricReplicas,
  getObjectMetricReplicas,
  getObjectPerPodMetricReplicas,
  getResourceReplicas,
  type HpaPod,
  type PodMetricsInfo,
} from '../../src/autoscaler/hpa/index.js';

/**
 * Cases from Kubernetes' pkg/controller/podautoscaler/replica_calculator_test.go (TestReplicaCalc*),
 * rebuilt with the same harness semantics: pods test-pod-0..n-1 with two containers each (so a pod's
 * request and usage are twice the per-container figure), Ready=True unless podReadiness says otherwise,
 * StartTime and the Ready transition at the zero time unless podStartTime says otherwise, metric
 * timestamps at the zero time with a 1-minute window, and the testing defaults (tolerance 0.1, CPU
 * initialisation period 2 min, initial readiness delay 10 s).
 */
const NOW = 1_000_000;
const HOT = NOW; // hotCPUCreationTime: started now, inside the initialisation period
const COOL = NOW - 180; // coolCPUCreationTime: started 3 minutes ago
const CFG = { cpuInitializationPeriodS: 120, delayOfInitialReadinessStatusS: 10 };
const TOL = { scaleUp: 0.1, scaleDown: 0.1 };
const CONTAINERS = 2;

interface Case {
  currentReplicas: number;
  podReadiness?: ('True' | 'False')[];
  podPhase?: HpaPod['phase'][];
  podDeletion?: boolean[];
  podStartTime?: number[];
}

function pods(tc: Case, requests: number[] = []): HpaPod[] {
  const n = Math.max(tc.currentReplicas, tc.podPhase?.length ?? 0);
  return Array.from({ length: n }, (_, i) => ({
    name: `test-pod-${i}`,
    phase: tc.podPhase?.[i] ?? 'Running',
    deleting: tc.podDeletion?.[i] ?? false,
    startTimeS: tc.podStartTime?.[i] ?? 0,
    ready: { status: tc.podReadiness?.[i] ?? 'True', lastTransitionTimeS: 0 },
    ...(i < requests.length ? { requestMilli: CONTAINERS * requests[i]! * 1000 } : {}),
  }));
}

function metrics(levels: number[], perContainer: number, names: string[] = []): PodMetricsInfo {
  return new Map(
    levels.map((v, i) => [names[i] ?? `test-pod-${i}`, { value: perContainer * v, timestampS: 0, windowS: 60 }]),
  );
}

describe('HPA replica calculator (Kubernetes replica_calculator_test.go cases)', () => {
  const resourceCases: {
    name: string;
    tc: Case;
    requests: number[];
    levels: number[];
    podNames?: string[];
    target: number;
    expect: { replicas: number; utilization: number; value: number } | { error: RegExp };
  }[] = [
    {
      name: 'ScaleUp',
      tc: { currentReplicas: 3 },
      requests: [1, 1, 1],
      levels: [300, 500, 700],
      target: 30,
      expect: { replicas: 5, utilization: 50, value: 2 * 500 },
    },
    {
      name: 'ScaleUpUnreadyLessScale',
      tc: { currentReplicas: 3, podReadiness: ['False', 'True', 'True'] },
      requests: [1, 1, 1],
      levels: [300, 500, 700],
      target: 30,
      expect: { replicas: 4, utilization: 60, value: 2 * 600 },
    },
    {
      name: 'ScaleUpHotCpuLessScale',
      tc: { currentReplicas: 3, podStartTime: [HOT, COOL, COOL] },
      requests: [1, 1, 1],
      levels: [300, 500, 700],
      target: 30,
      expect: { replicas: 4, utilization: 60, value: 2 * 600 },
    },
    {
      name: 'ScaleUpUnreadyNoScale',
      tc: { currentReplicas: 3, podReadiness: ['True', 'False', 'False'] },
      requests: [1, 1, 1],
      levels: [400, 500, 700],
      target: 30,
      expect: { replicas: 3, utilization: 40, value: 2 * 400 },
    },
    {
      name: 'ScaleDown',
      tc: { currentReplicas: 5 },
      requests: [1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expect: { replicas: 3, utilization: 28, value: 2 * 280 },
    },
    {
      name: 'ScaleDownIncludeUnreadyPods',
      tc: { currentReplicas: 5, podReadiness: ['True', 'True', 'True', 'False', 'False'] },
      requests: [1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expect: { replicas: 2, utilization: 30, value: 2 * 300 },
    },
    {
      name: 'ScaleDownExcludeUnscheduledPods',
      tc: {
        currentReplicas: 5,
        podReadiness: ['True', 'False', 'False', 'False', 'False'],
        podPhase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
      },
      requests: [1, 1, 1, 1, 1],
      levels: [100],
      target: 50,
      expect: { replicas: 1, utilization: 10, value: 2 * 100 },
    },
    {
      name: 'ScaleDownIgnoreHotCpuPods',
      tc: { currentReplicas: 5, podStartTime: [COOL, COOL, COOL, HOT, HOT] },
      requests: [1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expect: { replicas: 2, utilization: 30, value: 2 * 300 },
    },
    {
      name: 'ScaleDownIgnoresFailedPods',
      tc: {
        currentReplicas: 5,
        podReadiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
        podPhase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
      },
      requests: [1, 1, 1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expect: { replicas: 3, utilization: 28, value: 2 * 280 },
    },
    {
      name: 'ScaleDownIgnoresDeletionPods',
      tc: {
        currentReplicas: 5,
        podReadiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
        podPhase: Array(7).fill('Running'),
        podDeletion: [false, false, false, false, false, true, true],
      },
      requests: [1, 1, 1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expect: { replicas: 3, utilization: 28, value: 2 * 280 },
    },
    {
      name: 'Tolerance',
      tc: { currentReplicas: 3 },
      requests: [0.9, 1.0, 1.1],
      levels: [1010, 1030, 1020],
      target: 100,
      expect: { replicas: 3, utilization: 102, value: 2 * 1020 },
    },
    {
      name: 'SuperfluousMetrics',
      tc: { currentReplicas: 4 },
      requests: [1, 1, 1, 1],
      levels: [4000, 9500, 3000, 7000, 3200, 2000],
      target: 100,
      expect: { replicas: 24, utilization: 587, value: 2 * 5875 },
    },
    {
      name: 'MissingMetrics',
      tc: { currentReplicas: 4 },
      requests: [1, 1, 1, 1],
      levels: [400, 95],
      target: 100,
      expect: { replicas: 3, utilization: 24, value: 495 },
    },
    {
      name: 'EmptyMetrics',
      tc: { currentReplicas: 4 },
      requests: [1, 1, 1],
      levels: [],
      target: 100,
      expect: { error: /unable to get metrics for resource cpu: no metrics returned from resource metrics API/ },
    },
    {
      name: 'EmptyCPURequest',
      tc: { currentReplicas: 1 },
      requests: [],
      levels: [200],
      target: 100,
      expect: { error: /missing request for/ },
    },
    {
      name: 'MissingMetricsNoChangeEq',
      tc: { currentReplicas: 2 },
      requests: [1, 1],
      levels: [1000],
      target: 100,
      expect: { replicas: 2, utilization: 100, value: 2 * 1000 },
    },
    {
      name: 'MissingMetricsNoChangeGt',
      tc: { currentReplicas: 2 },
      requests: [1, 1],
      levels: [1900],
      target: 100,
      expect: { replicas: 2, utilization: 190, value: 2 * 1900 },
    },
    {
      name: 'MissingMetricsNoChangeLt',
      tc: { currentReplicas: 2 },
      requests: [1, 1],
      levels: [600],
      target: 100,
      expect: { replicas: 2, utilization: 60, value: 2 * 600 },
    },
    {
      name: 'MissingMetricsUnreadyChange',
      tc: { currentReplicas: 3, podReadiness: ['False', 'True', 'True'] },
      requests: [1, 1, 1],
      levels: [100, 450],
      target: 50,
      expect: { replicas: 3, utilization: 45, value: 2 * 450 },
    },
    {
      name: 'MissingMetricsHotCpuNoChange',
      tc: { currentReplicas: 3, podStartTime: [HOT, COOL, COOL] },
      requests: [1, 1, 1],
      levels: [100, 450],
      target: 50,
      expect: { replicas: 3, utilization: 45, value: 2 * 450 },
    },
    {
      name: 'DisjointResourcesMetrics',
      tc: { currentReplicas: 1 },
      requests: [1],
      levels: [100],
      podNames: ['an-older-pod-name'],
      target: 100,
      expect: { error: /no metrics returned matched known pods/ },
    },
  ];
  for (const c of resourceCases) {
    it(`Resource cpu: ${c.name}`, () => {
      const run = () =>
        getResourceReplicas({
          currentReplicas: c.tc.currentReplicas,
          pods: pods(c.tc, c.requests),
          metrics: metrics(c.levels, CONTAINERS, c.podNames),
          tolerances: TOL,
          nowS: NOW,
          cfg: CFG,
          targetUtilization: c.target,
          resource: 'cpu',
        });
      if ('error' in c.expect) {
        expect(run).to.throw(c.expect.error);
        return;
      }
      expect(run()).to.deep.include({
        replicas: c.expect.replicas,
        utilization: c.expect.utilization,
        rawUtilization: c.expect.value,
      });
    });
  }

  const podMetric = (
    name: string,
    cur: number,
    levels: number[],
    target: number,
    expected: number,
    usage: number,
    tc: Partial<Case> = {},
  ) =>
    it(`Pods metric: ${name}`, () => {
      const c = { currentReplicas: cur, ...tc };
      expect(
        calcPlainMetricReplicas({
          currentReplicas: cur,
          pods: pods(c),
          metrics: metrics(levels, 1),
          tolerances: TOL,
          nowS: NOW,
          cfg: CFG,
          targetUsage: target,
        }),
      ).to.deep.include({ replicas: expected, usage });
    });
  podMetric('ScaleDownCM', 5, [12000, 12000, 12000, 12000, 12000], 20000, 3, 12000);
  podMetric('ToleranceCM', 3, [20000, 21000, 21000], 20000, 3, 20666);
  podMetric('ScaleUpCMExternalNoLabels', 1, [8600], 4400, 2, 8600);

  it('Object metric (Value): ScaleDownCMObject, ToleranceCMObject', () => {
    expect(getObjectMetricReplicas(5, 12000, 20000, TOL, pods({ currentReplicas: 5 }))).to.deep.equal({
      replicas: 3,
      usage: 12000,
    });
    expect(getObjectMetricReplicas(3, 20666, 20000, TOL, pods({ currentReplicas: 3 }))).to.deep.equal({
      replicas: 3,
      usage: 20666,
    });
  });

  it('Object metric (AverageValue): ScaleDownPerPodCMObject, TolerancePerPodCMObject', () => {
    expect(getObjectPerPodMetricReplicas(5, 6000, 2000, TOL)).to.deep.equal({ replicas: 3, usage: 1200 });
    expect(getObjectPerPodMetricReplicas(4, 20166, 5000, TOL)).to.deep.equal({ replicas: 4, usage: 5042 });
  });

  it('External metric (Value): ScaleUpCMExternalIgnoresUnreadyPods, ScaleDownCMExternal, ToleranceCMExternal', () => {
    const unready = pods({ currentReplicas: 3, podReadiness: ['False', 'True', 'False'] });
    expect(getExternalMetricReplicas(3, [8600], 4400, TOL, unready)).to.deep.equal({ replicas: 2, usage: 8600 });
    expect(getExternalMetricReplicas(5, [8600], 14334, TOL, pods({ currentReplicas: 5 }))).to.deep.equal({
      replicas: 3,
      usage: 8600,
    });
    expect(getExternalMetricReplicas(3, [8600], 8888, TOL, pods({ currentReplicas: 3 }))).to.deep.equal({
      replicas: 3,
      usage: 8600,
    });
  });

  it(
    'External metric (AverageValue): ScaleUpPerPodCMExternal, ScaleDownPerPodCMExternal, ' +
      'TolerancePerPodCMExternal',
    () => {
      expect(getExternalPerPodMetricReplicas(3, [8600], 2150, TOL)).to.deep.equal({ replicas: 4, usage: 2867 });
      expect(getExternalPerPodMetricReplicas(5, [8600], 2867, TOL)).to.deep.equal({ replicas: 3, usage: 1720 });
      expect(getExternalPerPodMetricReplicas(3, [8600], 2900, TOL)).to.deep.equal({ replicas: 3, usage: 2867 });
    },
  );

  it('scale from zero (current = 0): ceil(ratio), no tolerance', () => {
    expect(getExternalMetricReplicas(0, [4500], 5000, TOL, [])).to.deep.equal({ replicas: 1, usage: 4500 });
    expect(getExternalMetricReplicas(0, [0], 5000, TOL, [])).to.deep.equal({ replicas: 0, usage: 0 });
  });

  it('per-HPA tolerances are asymmetric and inclusive (KEP-4951)', () => {
    const p = pods({ currentReplicas: 4 });
    // ratio exactly 1.05: within a 5% up-tolerance, outside a 4% one.
    expect(getExternalMetricReplicas(4, [1050], 1000, { scaleUp: 0.05, scaleDown: 0.5 }, p).replicas).to.equal(4);
    expect(getExternalMetricReplicas(4, [1050], 1000, { scaleUp: 0.04, scaleDown: 0.5 }, p).replicas).to.equal(5);
    // ratio 0.6: within a 50% down-tolerance.
    expect(getExternalMetricReplicas(4, [600], 1000, { scaleUp: 0, scaleDown: 0.5 }, p).replicas).to.equal(4);
  });
});
