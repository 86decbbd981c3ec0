import { expect } from 'chai';
import {
  calculateScaleDownLimitWithBehaviors,
  calculateScaleUpLimit,
  calculateScaleUpLimitWithScalingRules,
  computeReplicasForMetrics,
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  DEFAULT_HORIZONTAL_CONFIG,
  DEFAULT_SCALE_DOWN_RULES,
  DEFAULT_SCALE_UP_RULES,
  generateScalingRules,
  type HPAScalingRules,
  HpaMemory,
  reconcileReplicas,
  resolveBehavior,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
} from '../../src/autoscaler/hpa/index.js';

/** Cases from Kubernetes' pkg/controller/podautoscaler/horizontal_test.go, at simulated time NOW. */
const NOW = 10_000;

/** horizontal_test.go generateScalingRules(pods, podsPeriod, percent, percentPeriod, window), selectPolicy Max. */
function rules(
  pods: number,
  podsPeriod: number,
  percent: number,
  percentPeriod: number,
  window: number,
): HPAScalingRules {
  const policies = [];
  if (pods !== 0) policies.push({ type: 'Pods' as const, value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) policies.push({ type: 'Percent' as const, value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max', ...(policies.length ? { policies } : {}) };
}

/** generateEventsUniformDistribution: events centred in equal segments of the last `period` seconds. */
function uniformEvents(raw: number[], period: number) {
  const seg = period / raw.length;
  return raw.map((c, idx) => ({
    replicaChange: c,
    timestampS: NOW - (period - seg * (idx + 1) + seg / 2),
    outdated: false,
  }));
}

describe('HPA control loop (Kubernetes horizontal_test.go cases)', () => {
  it('TestConvertDesiredReplicasWithRules (legacy clamp with max(2·current, 4))', () => {
    const t = (cur: number, des: number, min: number, max: number) =>
      convertDesiredReplicasWithRules(cur, des, min, max);
    expect([t(5, 7, 3, 8).replicas, t(5, 7, 3, 8).reason]).to.deep.equal([7, 'DesiredWithinRange']);
    expect([t(3, 1, 2, 8).replicas, t(3, 1, 2, 8).reason]).to.deep.equal([2, 'TooFewReplicas']);
    expect([t(1, 0, 0, 10).replicas, t(1, 0, 0, 10).reason]).to.deep.equal([0, 'DesiredWithinRange']);
    expect([t(20, 1000, 1, 10).replicas, t(20, 1000, 1, 10).reason]).to.deep.equal([10, 'TooManyReplicas']);
    expect([t(3, 1000, 1, 2000).replicas, t(3, 1000, 1, 2000).reason]).to.deep.equal([
      calculateScaleUpLimit(3),
      'ScaleUpLimit',
    ]);
    expect(calculateScaleUpLimit(3)).to.equal(6);
    expect(calculateScaleUpLimit(1)).to.equal(4);
  });

  it('TestCalculateScaleUpLimitWithScalingRules / TestCalculateScaleDownLimitWithBehaviors (Min select)', () => {
    const r = generateScalingRules(
      {
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Min',
        policies: [
          { type: 'Pods', value: 2, periodSeconds: 60 },
          { type: 'Percent', value: 50, periodSeconds: 60 },
        ],
      },
      DEFAULT_SCALE_UP_RULES,
    );
    expect(calculateScaleUpLimitWithScalingRules(1, new HpaMemory(), r, NOW)).to.equal(2);
    expect(calculateScaleDownLimitWithBehaviors(5, new HpaMemory(), r, NOW)).to.equal(3);
  });

  it('TestNormalizeDesiredReplicas (legacy downscale stabilization, 5 min)', () => {
    const cases: [string, [number, number][], number, number, number][] = [
      ['empty log', [], 5, 5, 1],
      [
        'stabilize',
        [
          [4, -120],
          [5, -60],
        ],
        3,
        5,
        3,
      ],
      [
        'no stabilize',
        [
          [1, -120],
          [2, -60],
        ],
        3,
        3,
        3,
      ],
      [
        'no stabilize - old recommendations',
        [
          [10, -600],
          [9, -540],
        ],
        3,
        3,
        2,
      ],
      [
        'stabilize - old recommendations',
        [
          [10, -600],
          [4, -60],
          [5, -120],
          [9, -540],
        ],
        3,
        5,
        4,
      ],
    ];
    for (const [name, recs, pre, want, logLen] of cases) {
      const mem = new HpaMemory();
      mem.recommendations = recs.map(([r, dt]) => ({ recommendation: r, timestampS: NOW + dt }));
      expect(stabilizeRecommendation(mem, pre, 300, NOW), name).to.equal(want);
      expect(mem.recommendations, name).to.have.length(logLen);
    }
  });

  describe('TestScalingWithRules (convertDesiredReplicasWithBehaviorRate)', () => {
    type C = [
      string,
      number,
      number,
      number,
      number,
      HPAScalingRules | undefined,
      HPAScalingRules | undefined,
      number,
      string,
      ReturnType<typeof uniformEvents>?,
      ReturnType<typeof uniformEvents>?,
    ];
    // name, current, desired, min, max, scaleUp, scaleDown, expected, condition, upEvents, downEvents
    const cases: C[] = [
      ['within range', 5, 7, 3, 8, undefined, undefined, 7, 'DesiredWithinRange'],
      ['< minReplicas', 3, 1, 2, 8, undefined, undefined, 2, 'TooFewReplicas'],
      ['within range when minReplicas is 0', 1, 0, 0, 10, undefined, undefined, 0, 'DesiredWithinRange'],
      ['maxReplicas < scaleUpLimit', 20, 1000, 1, 10, undefined, undefined, 10, 'TooManyReplicas'],
      ['more than the maximum', 100, 1000, 100, 150, undefined, undefined, 150, 'TooManyReplicas'],
      [
        'scaleUpLimit < maxReplicas with user policies',
        3,
        1000,
        1,
        2000,
        rules(0, 0, 1, 60, 0),
        undefined,
        4,
        'ScaleUpLimit',
      ],
      [
        'scaleDownLimit > minReplicas with user policies',
        1000,
        3,
        3,
        2000,
        undefined,
        rules(20, 60, 0, 0, 0),
        980,
        'ScaleDownLimit',
      ],
      ['scaleUp with default behavior', 10, 50, 1, 1000, undefined, undefined, 20, 'ScaleUpLimit'],
      ['pods policy larger than percent', 10, 500, 1, 1000, rules(100, 60, 100, 60, 0), undefined, 110, 'ScaleUpLimit'],
      ['percent policy larger than pods', 10, 500, 1, 1000, rules(2, 60, 100, 60, 0), undefined, 20, 'ScaleUpLimit'],
      [
        'MaxReplicas with large pod policy',
        10,
        50,
        1,
        1000,
        rules(100, 60, 0, 0, 0),
        undefined,
        50,
        'DesiredWithinRange',
      ],
      [
        'MaxReplicas with large percent policy',
        10,
        50,
        1,
        1000,
        rules(10000, 60, 0, 0, 0),
        undefined,
        50,
        'DesiredWithinRange',
      ],
      ['pod policy limitation', 10, 50, 1, 1000, rules(30, 60, 0, 0, 0), undefined, 40, 'ScaleUpLimit'],
      ['percent policy limitation', 10, 50, 1, 1000, rules(0, 0, 200, 60, 0), undefined, 30, 'ScaleUpLimit'],
      [
        'scaleDown percent larger than pod',
        100,
        2,
        1,
        1000,
        undefined,
        rules(20, 60, 1, 60, 300),
        80,
        'ScaleDownLimit',
      ],
      ['scaleDown pod larger than percent', 100, 2, 1, 1000, undefined, rules(2, 60, 1, 60, 300), 98, 'ScaleDownLimit'],
      [
        'scaleDown MinReplicas with large pod policy',
        10,
        0,
        1,
        1000,
        undefined,
        rules(100, 60, 0, 0, 300),
        1,
        'TooFewReplicas',
      ],
      [
        'scaleDown MinReplicas with large percent policy',
        10,
        2,
        5,
        1000,
        undefined,
        rules(0, 0, 100, 60, 300),
        5,
        'TooFewReplicas',
      ],
      ['scaleDown pod policy limitation', 10, 2, 1, 1000, undefined, rules(5, 60, 0, 0, 300), 5, 'ScaleDownLimit'],
      [
        'scaleDown percent policy limitation',
        10,
        5,
        1,
        1000,
        undefined,
        rules(0, 0, 50, 60, 300),
        5,
        'DesiredWithinRange',
      ],
      [
        'up, MaxReplicas, large pod policy, events',
        100,
        500,
        1,
        200,
        rules(300, 60, 0, 0, 0),
        undefined,
        200,
        'TooManyReplicas',
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'up, MaxReplicas, large percent policy, events',
        100,
        500,
        1,
        200,
        rules(0, 0, 10000, 60, 0),
        undefined,
        200,
        'TooManyReplicas',
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'up, currentReplicas limit after many scale-ups',
        100,
        500,
        1,
        1000,
        rules(5, 120, 0, 0, 0),
        undefined,
        100,
        'ScaleUpLimit',
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'up, pod policy and previous events',
        100,
        500,
        1,
        1000,
        rules(150, 120, 0, 0, 0),
        undefined,
        235,
        'ScaleUpLimit',
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'up, percent policy and previous events',
        100,
        500,
        1,
        1000,
        rules(0, 0, 200, 120, 0),
        undefined,
        255,
        'ScaleUpLimit',
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'down, default policy and events',
        10,
        5,
        1,
        1000,
        undefined,
        undefined,
        5,
        'DesiredWithinRange',
        undefined,
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'down, MinReplicas, large pod policy, events',
        100,
        0,
        1,
        1000,
        undefined,
        rules(115, 120, 0, 0, 300),
        1,
        'TooFewReplicas',
        undefined,
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'down, MinReplicas 5, large pod policy, events',
        100,
        0,
        5,
        1000,
        undefined,
        rules(130, 120, 0, 0, 300),
        5,
        'TooFewReplicas',
        undefined,
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'down, MinReplicas, 100% percent, events',
        100,
        2,
        5,
        1000,
        undefined,
        rules(0, 0, 100, 120, 300),
        5,
        'TooFewReplicas',
        undefined,
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'down, pod policy limitation and events',
        100,
        2,
        1,
        1000,
        undefined,
        rules(5, 120, 0, 0, 300),
        100,
        'ScaleDownLimit',
        undefined,
        uniformEvents([1, 5, 9], 120),
      ],
      [
        'down, percent limitation and events',
        100,
        0,
        1,
        1000,
        undefined,
        rules(0, 0, 50, 120, 300),
        56,
        'ScaleDownLimit',
        undefined,
        uniformEvents([2, 4, 6], 120),
      ],
      [
        'down, events preventing further scale down',
        100,
        0,
        1,
        1000,
        undefined,
        rules(0, 0, 10, 120, 300),
        100,
        'ScaleDownLimit',
        undefined,
        uniformEvents([10, 10, 10], 120),
      ],
      [
        'down, events still allowing more',
        10,
        5,
        1,
        1000,
        undefined,
        rules(0, 0, 1000, 120, 300),
        5,
        'DesiredWithinRange',
        undefined,
        uniformEvents([10, 10, 10], 120),
      ],
      [
        'outdated flag, one behavior, up',
        100,
        200,
        1,
        1000,
        rules(1000, 60, 0, 0, 0),
        undefined,
        200,
        'DesiredWithinRange',
        uniformEvents([8, 12, 9, 11], 120),
      ],
      [
        'two policies, up (not outdated)',
        100,
        200,
        1,
        1000,
        rules(1000, 120, 100, 60, 0),
        undefined,
        200,
        'DesiredWithinRange',
        uniformEvents([8, 12, 9, 11], 120),
      ],
      [
        'two policies, up (outdated)',
        100,
        200,
        1,
        1000,
        rules(1000, 30, 100, 60, 0),
        undefined,
        200,
        'DesiredWithinRange',
        uniformEvents([8, 12, 9, 11], 120),
      ],
      [
        'outdated flag, one behavior, down',
        100,
        5,
        1,
        1000,
        undefined,
        rules(1000, 60, 0, 0, 300),
        5,
        'DesiredWithinRange',
        undefined,
        uniformEvents([8, 12, 9, 11], 120),
      ],
      [
        'two policies, down (not outdated)',
        100,
        5,
        1,
        1000,
        undefined,
        rules(1000, 120, 100, 60, 300),
        5,
        'DesiredWithinRange',
        undefined,
        uniformEvents([8, 12, 9, 11], 120),
      ],
      [
        'two policies, down (outdated)',
        100,
        5,
        1,
        1000,
        undefined,
        rules(1000, 30, 100, 60, 300),
        5,
        'DesiredWithinRange',
        undefined,
        uniformEvents([8, 12, 9, 11], 120),
      ],
    ];
    for (const [name, cur, des, min, max, up, down, want, cond, upEv, downEv] of cases) {
      it(name, () => {
        const mem = new HpaMemory();
        mem.scaleUpEvents = upEv ?? [];
        mem.scaleDownEvents = downEv ?? [];
        const b = resolveBehavior(
          { ...(up ? { scaleUp: up } : {}), ...(down ? { scaleDown: down } : {}) },
          DEFAULT_HORIZONTAL_CONFIG,
        )!;
        const r = convertDesiredReplicasWithBehaviorRate(
          mem,
          {
            scaleUpBehavior: b.scaleUp,
            scaleDownBehavior: b.scaleDown,
            minReplicas: min,
            maxReplicas: max,
            currentReplicas: cur,
            desiredReplicas: des,
          },
          NOW,
        );
        expect([r.replicas, r.reason]).to.deep.equal([want, cond]);
      });
    }
  });

  it('scale-down events count when limiting scale-up and vice versa (periodStart = current − added + deleted)', () => {
    const mem = new HpaMemory();
    mem.scaleDownEvents = [{ replicaChange: 6, timestampS: NOW - 10, outdated: false }];
    const up = generateScalingRules(
      { policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] },
      DEFAULT_SCALE_UP_RULES,
    );
    expect(calculateScaleUpLimitWithScalingRules(10, mem, up, NOW)).to.equal(20); // started at 16, +4
  });

  it('TestStoreScaleEvents: outdated events are replaced, recent ones kept, none without behavior', () => {
    const b = resolveBehavior({ scaleUp: rules(10, 60, 100, 60, 0) }, DEFAULT_HORIZONTAL_CONFIG)!;
    const mem = new HpaMemory();
    mem.scaleUpEvents = [
      { replicaChange: 7, timestampS: NOW - 61, outdated: false },
      { replicaChange: 6, timestampS: NOW - 59, outdated: false },
    ];
    storeScaleEvent(mem, b, 10, 15, NOW);
    expect(mem.scaleUpEvents.map((e) => [e.replicaChange, e.timestampS])).to.deep.equal([
      [5, NOW],
      [6, NOW - 59],
    ]);
    const legacy = new HpaMemory();
    storeScaleEvent(legacy, undefined, 10, 15, NOW);
    expect(legacy.scaleUpEvents).to.deep.equal([]);
  });

  it('stabilizeRecommendationWithBehaviors: up takes the window minimum, down the window maximum', () => {
    const b = resolveBehavior(
      { scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 120 } },
      DEFAULT_HORIZONTAL_CONFIG,
    )!;
    const mem = new HpaMemory();
    mem.recommendations = [
      { recommendation: 6, timestampS: NOW - 30 },
      { recommendation: 9, timestampS: NOW - 90 },
      { recommendation: 2, timestampS: NOW - 500 },
    ];
    const args = {
      scaleUpBehavior: b.scaleUp,
      scaleDownBehavior: b.scaleDown,
      minReplicas: 1,
      maxReplicas: 100,
      currentReplicas: 5,
      desiredReplicas: 12,
    };
    // Up: min over the last 60 s (6, 12) = 6. Down cap: max over 120 s (6, 9, 12) = 12. From 5 → 6.
    expect(stabilizeRecommendationWithBehaviors(mem, args, NOW).replicas).to.equal(6);
    expect(mem.recommendations.some((r) => r.recommendation === 12 && r.timestampS === NOW)).to.equal(true);
    expect(mem.recommendations.some((r) => r.recommendation === 2)).to.equal(false); // older than both windows: reused
    // Down: desired 1, max over 120 s (6, 9, 12, 1) = 12 ≥ current → stays 5.
    expect(stabilizeRecommendationWithBehaviors(mem, { ...args, desiredReplicas: 1 }, NOW + 1).replicas).to.equal(5);
  });

  it('defaults: behavior present but empty gets 4 pods / 100% per 15 s up, 100% per 15 s down, 300 s window', () => {
    const b = resolveBehavior({}, DEFAULT_HORIZONTAL_CONFIG)!;
    expect(b.scaleUp).to.deep.equal({ ...DEFAULT_SCALE_UP_RULES });
    expect(b.scaleDown.stabilizationWindowSeconds).to.equal(300);
    expect(b.scaleDown.policies).to.deep.equal(DEFAULT_SCALE_DOWN_RULES.policies);
  });

  it(
    'computeReplicasForMetrics: max of valid proposals; invalid metrics block scale-down; all invalid → no ' + 'action',
    () => {
      expect(
        computeReplicasForMetrics(
          [
            { replicas: 3, metricName: 'a' },
            { replicas: 7, metricName: 'b' },
          ],
          5,
        ),
      ).to.deep.equal({ replicas: 7, metricName: 'b' });
      expect(
        computeReplicasForMetrics(
          [
            { replicas: 3, metricName: 'a' },
            { error: 'x', reason: 'FailedGetPodsMetric' },
          ],
          5,
        ).replicas,
      ).to.equal(-1);
      expect(
        computeReplicasForMetrics(
          [
            { replicas: 8, metricName: 'a' },
            { error: 'x', reason: 'FailedGetPodsMetric' },
          ],
          5,
        ).replicas,
      ).to.equal(8);
      expect(computeReplicasForMetrics([{ error: 'x', reason: 'FailedGetPodsMetric' }], 5)).to.deep.include({
        replicas: -1,
        error: 'invalid metrics (1 invalid out of 1), first error is: x',
      });
    },
  );

  describe('reconcileReplicas (one sync of reconcileAutoscaler)', () => {
    const spec = { minReplicas: 2, maxReplicas: 10 };
    it(
      'legacy path: scale-up capped at max(2·current, 4); the 5-minute window holds the highest ' + 'recommendation',
      () => {
        const mem = new HpaMemory();
        let cur = 4;
        const sync = (t: number, metric: number) => {
          const d = reconcileReplicas(
            mem,
            spec,
            cur,
            () => [{ replicas: metric, metricName: 'cpu resource utilization (percentage of request)' }],
            t,
          );
          cur = d.desiredReplicas;
          return d;
        };
        let d = sync(0, 40);
        expect([d.desiredReplicas, d.reason]).to.deep.equal([
          8,
          'cpu resource utilization (percentage of request) above target',
        ]);
        expect(d.conditions.find((c) => c.type === 'ScalingLimited')).to.deep.include({
          status: 'True',
          reason: 'ScaleUpLimit',
        });
        d = sync(15, 40);
        expect(d.desiredReplicas).to.equal(10);
        expect(d.conditions.find((c) => c.type === 'ScalingLimited')).to.deep.include({ reason: 'TooManyReplicas' });
        // Load drops at t=30: the recommendations of 40 (t=0, t=15) hold the size until they leave the window.
        for (let t = 30; t <= 315; t += 15) {
          d = sync(t, 3);
          expect([t, d.desiredReplicas, d.rescale]).to.deep.equal([t, 10, false]);
          expect(d.conditions.find((c) => c.type === 'AbleToScale')).to.deep.include({ reason: 'ScaleDownStabilized' });
        }
        d = sync(330, 3); // both are now older than 300 s
        expect([d.desiredReplicas, d.reason]).to.deep.equal([3, 'All metrics below target']);
      },
    );

    it('current outside [min, max] is corrected without metrics; 0 replicas with min > 0 disables scaling', () => {
      const never = () => {
        throw new Error('metrics must not be read');
      };
      expect(reconcileReplicas(new HpaMemory(), spec, 12, never, 0)).to.deep.include({
        desiredReplicas: 10,
        rescale: true,
        reason: 'Current number of replicas above Spec.MaxReplicas',
      });
      expect(reconcileReplicas(new HpaMemory(), spec, 1, never, 0)).to.deep.include({
        desiredReplicas: 2,
        reason: 'Current number of replicas below Spec.MinReplicas',
      });
      const off = reconcileReplicas(new HpaMemory(), spec, 0, never, 0);
      expect(off.rescale).to.equal(false);
      expect(off.conditions.find((c) => c.type === 'ScalingActive')).to.deep.include({
        status: 'False',
        reason: 'ScalingDisabled',
      });
    });

    it('a missing metric blocks scale-down (HPA keeps the current size)', () => {
      const d = reconcileReplicas(
        new HpaMemory(),
        { ...spec, behavior: {} },
        6,
        () => [
          { replicas: 2, metricName: 'cpu' },
          { error: 'unable to get metric qps', reason: 'FailedGetPodsMetric' },
        ],
        0,
      );
      expect([d.desiredReplicas, d.rescale]).to.deep.equal([6, false]);
      // The first invalid metric's reason (a Pods metric here), as computeReplicasForMetrics sets it.
      expect(d.conditions.find((c) => c.type === 'ScalingActive')).to.deep.include({
        status: 'False',
        reason: 'FailedGetPodsMetric',
      });
    });

    it('behavior path: default scale-up policy 4 pods or 100% per 15 s, events limit the next sync', () => {
      const mem = new HpaMemory();
      const s = { minReplicas: 1, maxReplicas: 100, behavior: {} };
      let d = reconcileReplicas(mem, s, 2, () => [{ replicas: 50, metricName: 'cpu' }], 0);
      expect(d.desiredReplicas).to.equal(6); // max(2 + 4, 2 × 2)
      d = reconcileReplicas(mem, s, 6, () => [{ replicas: 50, metricName: 'cpu' }], 5); // within 15 s of the +4
      expect(d.desiredReplicas).to.equal(6); // period start 2: max(2+4, 4) = 6
      // the event is now 15 s old: out
      d = reconcileReplicas(mem, s, 6, () => [{ replicas: 50, metricName: 'cpu' }], 15);
      expect(d.desiredReplicas).to.equal(12);
    });
  });
});
