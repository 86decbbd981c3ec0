import { expect } from 'chai';
import type { ClusterPod } from '../../src/cluster/cluster-pod.js';
import { DeploymentController, type ReplicaSetState } from '../../src/cluster/deployment-controller.js';
import type { RollingUpdate } from '../../src/cluster/deployment-util.js';
import { rolloutRolling } from '../../src/cluster/rolling.js';
import { isScalingEvent, scale } from '../../src/cluster/sync.js';
import { Simulation } from '../../src/engine/simulation.js';
import type { Cluster } from '../../src/scenario/cluster-schema.js';

/**
 * The Deployment controller's rules where they live (sync.ts, rolling.ts), on a DeploymentController
 * built directly: ReplicaSets given as [spec.replicas, available pods, desired-replicas annotation], the
 * ReplicaSet controller replaced by a log of manageReplicas calls. Cases after k/k
 * pkg/controller/deployment/sync_test.go (TestScale) and rolling_test.go.
 */

type RsSpec = [replicas: number, available: number, desired: number];

function controller(replicas: number, ru: RollingUpdate, rss: RsSpec[]) {
  const sim = new Simulation();
  const pods: ClusterPod[] = [];
  rss.forEach(([, available], revision) => {
    for (let i = 0; i < available; i++) {
      pods.push({ gone: false, revision, ready: true, readyNs: 0 } as ClusterPod);
    }
  });
  const managed: [revision: number, replicas: number][] = [];
  const cfg = { strategy: { type: 'RollingUpdate', rollingUpdate: ru }, minReadySeconds: 0 } as unknown as Cluster;
  const c = new DeploymentController(sim, cfg, {
    replicas,
    pods,
    manageReplicas: (rs: ReplicaSetState) => void managed.push([rs.revision, rs.replicas]),
  });
  c.replicaSets = rss.map(([n, , desired], revision) => ({
    revision,
    replicas: n,
    desiredAnnotation: desired,
    maxReplicasAnnotation: desired,
  }));
  c.rollouts.push({ startNs: 0, completeNs: NaN });
  return { c, managed };
}

const sizes = (c: DeploymentController) => c.replicaSets!.map((rs) => rs.replicas);
const SURGE_1: RollingUpdate = { maxSurge: 1, maxUnavailable: 0 };
const NONE: RollingUpdate = { maxSurge: 0, maxUnavailable: 0 }; // newDeployment's defaults in the k/k tests

describe('Deployment controller sync.go (isScalingEvent, scale)', () => {
  const cases: {
    name: string;
    replicas: number;
    ru: RollingUpdate;
    rss: RsSpec[];
    scaling: boolean;
    want: number[];
  }[] = [
    {
      name: 'TestScale "normal scaling event: 10 -> 12": one active ReplicaSet takes spec.replicas',
      replicas: 12,
      ru: NONE,
      rss: [[10, 10, 10]],
      scaling: true,
      want: [12],
    },
    {
      name: 'TestScale "proportional scaling: 5 -> 10": 3 old + 2 new grow in proportion to 6 + 4',
      replicas: 10,
      ru: NONE,
      rss: [
        [3, 3, 5],
        [2, 2, 5],
      ],
      scaling: true,
      want: [6, 4],
    },
    {
      name: 'sync.go scale: a saturated new ReplicaSet (all replicas, all available) leaves the old ones at 0',
      replicas: 4,
      ru: SURGE_1,
      rss: [
        [1, 1, 5],
        [4, 4, 4],
      ],
      scaling: true,
      want: [0, 4],
    },
    {
      name: 'sync.go isScalingEvent: every active ReplicaSet annotated with spec.replicas → no scaling event',
      replicas: 4,
      ru: SURGE_1,
      rss: [
        [0, 0, 3],
        [4, 4, 4],
      ],
      scaling: false,
      want: [0, 4],
    },
  ];
  for (const x of cases) {
    it(x.name, () => {
      const { c, managed } = controller(x.replicas, x.ru, x.rss);
      expect(isScalingEvent(c)).to.equal(x.scaling);
      if (x.scaling) scale(c);
      expect(sizes(c)).to.deep.equal(x.want);
      if (x.scaling) {
        expect(managed.map(([rev]) => rev)).to.deep.equal(x.want.map((_, i) => i)); // every RS is managed
        expect(c.replicaSets!.every((rs) => rs.desiredAnnotation === x.replicas)).to.equal(true);
      }
    });
  }
});

describe('Deployment controller rolling.go (rolloutRolling)', () => {
  const cases: { name: string; replicas: number; rss: RsSpec[]; want: number[]; complete: boolean }[] = [
    {
      name: 'reconcileNewReplicaSet: the new ReplicaSet grows within maxSurge (4 + 1)',
      replicas: 4,
      rss: [
        [4, 4, 4],
        [0, 0, 4],
      ],
      want: [4, 1],
      complete: false,
    },
    {
      name: 'reconcileOldReplicaSets: at the surge limit with the new pod available, one old pod goes',
      replicas: 4,
      rss: [
        [4, 4, 4],
        [1, 1, 4],
      ],
      want: [3, 1],
      complete: false,
    },
    {
      name: 'reconcileOldReplicaSets: the new pod not yet available → no old pod goes (maxUnavailable 0)',
      replicas: 4,
      rss: [
        [4, 4, 4],
        [1, 0, 4],
      ],
      want: [4, 1],
      complete: false,
    },
    {
      name: 'syncRolloutStatus: old ReplicaSets at 0 and spec.replicas available → the rollout is complete',
      replicas: 4,
      rss: [
        [0, 0, 4],
        [4, 4, 4],
      ],
      want: [0, 4],
      complete: true,
    },
  ];
  for (const x of cases) {
    it(x.name, () => {
      const { c } = controller(x.replicas, SURGE_1, x.rss);
      rolloutRolling(c);
      expect(sizes(c)).to.deep.equal(x.want);
      expect(Number.isNaN(c.rollouts[0]!.completeNs)).to.equal(!x.complete);
    });
  }
});
