import type { DeploymentController } from './deployment-controller.js';
import { maxSurge, newRSNewReplicas, reconcileOldReplicaSets } from './deployment-util.js';

/*
 * k/k pkg/controller/deployment/rolling.go: rolloutRolling, its reconcileNewReplicaSet and
 * reconcileOldReplicaSets steps (the counts are deployment-util.ts's), and syncRolloutStatus's "complete".
 */

/**
 * rolloutRolling: grow the new ReplicaSet within maxSurge (reconcileNewReplicaSet); if it did not grow,
 * shrink the old ones within maxUnavailable (reconcileOldReplicaSets). Each change brings the controller
 * back at once (the ReplicaSet's update event). The rollout is complete when the old ReplicaSets are at 0
 * and the new one has spec.replicas available.
 */
export function rolloutRolling(c: DeploymentController): void {
  const rss = c.replicaSets!;
  const replicas = c.d.replicas;
  const newRS = rss.at(-1)!;
  const olds = rss.slice(0, -1);
  const all = rss.reduce((a, rs) => a + rs.replicas, 0);
  const n = newRSNewReplicas(replicas, all, newRS.replicas, maxSurge(replicas, c.ru));
  if (n !== newRS.replicas) {
    newRS.replicas = n;
    c.annotate(newRS);
    c.d.manageReplicas(newRS);
    c.queueSync(); // the ReplicaSet's update event brings the controller back at once
    return;
  }
  const next = reconcileOldReplicaSets(
    replicas,
    c.ru,
    c.rsView(newRS),
    olds.map((rs) => c.rsView(rs)),
  );
  olds.forEach((rs, i) => {
    if (next[i] === rs.replicas) return;
    rs.replicas = next[i]!;
    c.annotate(rs);
    c.d.manageReplicas(rs);
    c.queueSync();
  });
  const last = c.rollouts.at(-1);
  if (last && Number.isNaN(last.completeNs) && olds.every((rs) => rs.replicas === 0)) {
    if (c.rsView(newRS).available >= replicas) last.completeNs = c.sim.now;
  }
}
