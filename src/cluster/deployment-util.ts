/**
 * The Deployment controller's arithmetic for rolling updates, as pure functions: kubernetes/kubernetes
 * pkg/controller/deployment/util/deployment_util.go (ResolveFenceposts, MaxUnavailable, MaxSurge,
 * NewRSNewReplicas, GetProportion, getReplicaSetFraction, IsSaturated), rolling.go
 * (reconcileOldReplicaSets, scaleDownOldReplicaSetsForRollingUpdate) and sync.go (scale). The
 * Deployment (deployment.ts) owns the ReplicaSets and their pods and applies what these return.
 */

/** An IntOrString as in the Deployment spec: a count, or a percentage string such as "25%". */
export type IntOrPercent = number | string;

/** intstr.GetScaledValueFromIntOrPercent: a count as is; "p%" of total, rounded up or down. */
export function scaledValue(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}": expected an integer or a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/**
 * ResolveFenceposts: maxSurge rounds up, maxUnavailable down; if both come out 0, unavailable is 1 (a
 * rollout must be able to make progress).
 */
export function resolveFenceposts(
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export interface RollingUpdate {
  maxSurge: IntOrPercent;
  maxUnavailable: IntOrPercent;
}

/** MaxUnavailable: 0 for 0 replicas; never more than the replicas. */
export function maxUnavailable(replicas: number, ru: RollingUpdate): number {
  if (replicas === 0) return 0;
  const { unavailable } = resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** MaxSurge. */
export function maxSurge(replicas: number, ru: RollingUpdate): number {
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas).surge;
}

/**
 * NewRSNewReplicas (RollingUpdate): the new ReplicaSet may grow while the pods of all ReplicaSets stay
 * within replicas + maxSurge, and never beyond replicas.
 */
export function newRSNewReplicas(replicas: number, allPods: number, newRS: number, surge: number): number {
  const maxTotal = replicas + surge;
  if (allPods >= maxTotal) return newRS;
  return newRS + Math.min(maxTotal - allPods, replicas - newRS);
}

/** A ReplicaSet as the controller sees it. Old ones are ordered oldest first. */
export interface RsView {
  /** spec.replicas */
  replicas: number;
  /** status.availableReplicas */
  available: number;
  /** The deployment.kubernetes.io/max-replicas annotation (replicas + maxSurge when last set). */
  maxReplicasAnnotation: number;
}

/**
 * reconcileOldReplicaSets' budget: how many old pods may go now. maxScaledDown = Σspec − minAvailable −
 * newRSUnavailablePods; first unhealthy old pods (spec − available, oldest RS first) — cleanupUnhealthy-
 * Replicas — then available ones down to minAvailable (scaleDownOldReplicaSetsForRollingUpdate). Returns
 * the new spec.replicas of each old RS.
 */
export function reconcileOldReplicaSets(
  replicas: number,
  ru: RollingUpdate,
  newRS: RsView,
  old: readonly RsView[],
): number[] {
  const next = old.map((r) => r.replicas);
  const oldPods = next.reduce((a, b) => a + b, 0);
  if (oldPods === 0) return next;
  const allPods = oldPods + newRS.replicas;
  const minAvailable = replicas - maxUnavailable(replicas, ru);
  const newRSUnavailable = newRS.replicas - newRS.available;
  const maxScaledDown = allPods - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return next;
  // cleanupUnhealthyReplicas: oldest first.
  let cleaned = 0;
  for (let i = 0; i < old.length && cleaned < maxScaledDown; i++) {
    const rs = old[i]!;
    if (next[i] === 0 || next[i] === rs.available) continue;
    const down = Math.min(maxScaledDown - cleaned, next[i]! - rs.available);
    next[i]! -= down;
    cleaned += down;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: available pods above minAvailable, oldest first.
  const available = old.reduce((a, r) => a + r.available, 0) + newRS.available;
  let total = available - minAvailable;
  if (total <= 0) return next;
  for (let i = 0; i < old.length && total > 0; i++) {
    if (next[i] === 0) continue;
    const down = Math.min(next[i]!, total);
    next[i]! -= down;
    total -= down;
  }
  return next;
}

/** getReplicaSetFraction: the RS's share of a new size, by its max-replicas annotation. */
function replicaSetFraction(rs: RsView, replicas: number, surge: number): number {
  if (replicas === 0) return -rs.replicas;
  const deploymentReplicas = replicas + surge;
  const newSize = (rs.replicas * deploymentReplicas) / rs.maxReplicasAnnotation;
  return Math.round(newSize) - rs.replicas; // integer.RoundToInt32
}

/**
 * sync.go scale() with several active ReplicaSets (the HPA resized the Deployment mid-rollout): spread
 * the change over them in proportion to their sizes, larger first (newer first when adding, older first
 * when removing), leftovers to the first. `rss` is newest first; returns the new spec.replicas of each.
 */
export function proportionalScale(
  rss: readonly (RsView & { createdOrder: number })[],
  replicas: number,
  surge: number,
): number[] {
  const allowed = replicas > 0 ? replicas + surge : 0;
  const all = rss.reduce((a, r) => a + r.replicas, 0);
  const toAdd = allowed - all;
  const order = rss
    .map((_r, i) => i)
    .sort((a, b) => {
      const x = rss[a]!,
        y = rss[b]!;
      if (x.replicas !== y.replicas) return y.replicas - x.replicas; // larger first
      return toAdd > 0 ? y.createdOrder - x.createdOrder : x.createdOrder - y.createdOrder;
    });
  const next = rss.map((r) => r.replicas);
  let added = 0;
  for (const i of order) {
    const rs = rss[i]!;
    let p = 0;
    if (rs.replicas !== 0 && toAdd !== 0 && toAdd !== added) {
      const f = replicaSetFraction(rs, replicas, surge);
      const room = toAdd - added;
      p = toAdd > 0 ? Math.min(f, room) : Math.max(f, room);
    }
    next[i] = rs.replicas + p;
    added += p;
  }
  const leftover = toAdd - added;
  if (leftover !== 0 && order.length > 0) next[order[0]!] = Math.max(0, next[order[0]!]! + leftover);
  return next;
}
