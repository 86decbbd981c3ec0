import { expect } from 'chai';
import {
  type IntOrPercent,
  maxUnavailable,
  newRSNewReplicas,
  proportionalScale,
  reconcileOldReplicaSets,
  resolveFenceposts,
} from '../../src/cluster/deployment-util.js';

// Cases from kubernetes/kubernetes pkg/controller/deployment/util/deployment_util_test.go.
describe('Deployment controller arithmetic (deployment/util)', () => {
  it(
    'TestResolveFenceposts: surge rounds up, unavailable down, both 0 → unavailable 1; a bad string is an ' + 'error',
    () => {
      const cases: [IntOrPercent, IntOrPercent, number, number, number][] = [
        ['0%', '0%', 0, 0, 1],
        ['39%', '39%', 10, 4, 3],
        [1, 1, 2, 1, 1], // Integer surge and unavailable
        ['25%', '25%', 8, 2, 2],
        [0, 0, 10, 0, 1],
        ['25%', '25%', 3, 1, 0], // 0.75 up to 1, down to 0
      ];
      for (const [s, u, desired, surge, unavailable] of cases) {
        expect(resolveFenceposts(s, u, desired), `${s}/${u} of ${desired}`).to.deep.equal({ surge, unavailable });
      }
      expect(() => resolveFenceposts('oops', '39%', 10)).to.throw(/invalid value/);
      expect(() => resolveFenceposts('55%', 'urg', 10)).to.throw(/invalid value/);
    },
  );

  it('TestMaxUnavailable: 0 replicas → 0; capped at replicas; percentages round down', () => {
    expect(maxUnavailable(0, { maxSurge: 0, maxUnavailable: 1 })).to.equal(0);
    // "maxUnavailable greater than replicas"
    expect(maxUnavailable(3, { maxSurge: 0, maxUnavailable: 10 })).to.equal(3);
    expect(maxUnavailable(10, { maxSurge: '0%', maxUnavailable: '30%' })).to.equal(3); // "Percentage maxUnavailable"
    expect(maxUnavailable(10, { maxSurge: 1, maxUnavailable: 0 })).to.equal(0);
  });

  it('TestNewRSNewReplicas: the new RS grows only within replicas + maxSurge (other RS holds 5)', () => {
    // "can not scale up - to newRSReplicas": replicas 1, new RS 5, surge 1: 10 pods ≥ 2 allowed.
    expect(newRSNewReplicas(1, 5 + 5, 5, 1)).to.equal(5);
    // "scale up - to depReplicas": replicas 6, new RS 2, surge 10: min(16 − 7, 6 − 2) = 4 more.
    expect(newRSNewReplicas(6, 2 + 5, 2, 10)).to.equal(6);
  });

  it(
    'reconcileOldReplicaSets: old pods go only while replicas − maxUnavailable stay available; unhealthy ones ' +
      'first',
    () => {
      const ru = { maxSurge: 1, maxUnavailable: 0 };
      // 3 replicas, surge 1: new RS 1 not yet available → nothing may go.
      expect(
        reconcileOldReplicaSets(3, ru, { replicas: 1, available: 0, maxReplicasAnnotation: 4 }, [
          { replicas: 3, available: 3, maxReplicasAnnotation: 4 },
        ]),
      ).to.deep.equal([3]);
      // The new pod became available → one old pod may go.
      expect(
        reconcileOldReplicaSets(3, ru, { replicas: 1, available: 1, maxReplicasAnnotation: 4 }, [
          { replicas: 3, available: 3, maxReplicasAnnotation: 4 },
        ]),
      ).to.deep.equal([2]);
      // An old RS with an unavailable pod loses it first, even with maxUnavailable 0.
      expect(
        reconcileOldReplicaSets(3, ru, { replicas: 1, available: 1, maxReplicasAnnotation: 4 }, [
          { replicas: 3, available: 2, maxReplicasAnnotation: 4 },
        ]),
      ).to.deep.equal([2]);
    },
  );

  it('TestScale-style proportional scaling: an HPA resize mid-rollout is spread by size (sync.go scale)', () => {
    // 10 replicas, maxSurge 3 → 13 allowed; new RS 5, old RS 8 (annotated 13). HPA → 20: allowed 23, +10.
    const r = proportionalScale(
      [
        { replicas: 5, available: 5, maxReplicasAnnotation: 13, createdOrder: 1 },
        { replicas: 8, available: 8, maxReplicasAnnotation: 13, createdOrder: 0 },
      ],
      20,
      3,
    );
    expect(r).to.deep.equal([9, 14]); // 5·23/13 = 8.8 → 9; 8·23/13 = 14.2 → 14
    // Down to 5 (allowed 5 + 2 = 7, −6): the larger old RS first.
    const d = proportionalScale(
      [
        { replicas: 5, available: 5, maxReplicasAnnotation: 13, createdOrder: 1 },
        { replicas: 8, available: 8, maxReplicasAnnotation: 13, createdOrder: 0 },
      ],
      5,
      2,
    );
    expect(d.reduce((a, b) => a + b, 0)).to.equal(7);
    expect(d).to.deep.equal([3, 4]); // old: round(8·7/13) = 4 (−4); new: max(round(5·7/13) − 5, −2) = −2
  });
});
