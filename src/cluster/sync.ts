import type { DeploymentController } from './deployment-controller.js';
import { maxSurge, proportionalScale } from './deployment-util.js';

/*
 * k/k pkg/controller/deployment/sync.go: isScalingEvent and scale, the proportional resize of the
 * ReplicaSets when spec.replicas changes (the HPA, kubectl scale) in the middle of a rollout.
 */

/** isScalingEvent: some active ReplicaSet's desired-replicas annotation is not spec.replicas. */
export function isScalingEvent(c: DeploymentController): boolean {
  return c.replicaSets!.some((rs) => rs.replicas > 0 && rs.desiredAnnotation !== c.d.replicas);
}

/**
 * sync.go scale(): one active ReplicaSet (or none: the newest) takes spec.replicas; a saturated new
 * ReplicaSet leaves the old ones at 0; otherwise the change is spread in proportion (GetProportion).
 */
export function scale(c: DeploymentController): void {
  const rss = c.replicaSets!;
  const replicas = c.d.replicas;
  const newRS = rss.at(-1)!;
  const active = rss.filter((rs) => rs.replicas > 0);
  if (active.length <= 1) {
    const target = active[0] ?? newRS;
    target.replicas = replicas;
  } else if (newRS.replicas === replicas && c.rsView(newRS).available === replicas) {
    for (const rs of rss) if (rs !== newRS) rs.replicas = 0; // IsSaturated
  } else {
    const newestFirst = active.slice().reverse();
    const sizes = proportionalScale(
      newestFirst.map((rs) => ({ ...c.rsView(rs), createdOrder: rs.revision })),
      replicas,
      maxSurge(replicas, c.ru),
    );
    for (const [i, rs] of newestFirst.entries()) rs.replicas = sizes[i]!;
  }
  for (const rs of rss) {
    c.annotate(rs);
    c.d.manageReplicas(rs);
  }
  c.queueSync();
}
