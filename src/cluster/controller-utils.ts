/*
 * The ReplicaSet controller's deletion order: which pods go first when a ReplicaSet scales down.
 * ActivePodsWithRanks.Less and logarithmicRankDiff are k/k pkg/controller/controller_utils.go's;
 * getPodsToDelete is pkg/controller/replicaset/replica_set.go's.
 */

/** A pod as the ReplicaSet controller's deletion order sees it. Times in simulated ns (NaN: unset). */
export interface DeletionCandidate {
  /** The node it is bound to; −1 while unscheduled (Spec.NodeName empty). */
  readonly node: number;
  /** Phase Running (else Pending). */
  readonly running: boolean;
  readonly ready: boolean;
  /** The Ready condition's lastTransitionTime (meaningful while ready). */
  readonly readyNs: number;
  /** Container restarts (maxContainerRestarts: the pod has one container). */
  readonly restarts: number;
  readonly createdNs: number;
  /** metadata.uid, reduced to a number: the pseudo-random tie-break. */
  readonly uid: number;
}

/** A candidate with its rank: active pods of the ReplicaSet on the same node (getPodsRankedByRelatedPodsOnSameNode). */
export type RankedPod<P extends DeletionCandidate = DeletionCandidate> = { pod: P; rank: number };

/**
 * metav1.Time as the controller reads it: the API server stores times at one-second resolution
 * (RFC 3339), so pods that became Ready within the same second compare equal. Simulated time 0 is
 * taken to be a whole second.
 */
function apiTimeNs(ns: number): number {
  return Math.floor(ns / 1e9) * 1e9;
}

/** logarithmicRankDiff (controller_utils.go): compare ages by floor(log2(age in ns)); −1 for no age. */
export function logarithmicRankDiff(t1Ns: number, t2Ns: number, nowNs: number): number {
  const d1 = nowNs - t1Ns;
  const d2 = nowNs - t2Ns;
  const r1 = d1 > 0 ? Math.trunc(Math.log2(d1)) : -1;
  const r2 = d2 > 0 ? Math.trunc(Math.log2(d2)) : -1;
  return r1 - r2;
}

/**
 * ActivePodsWithRanks.Less (k/k pkg/controller/controller_utils.go, LogarithmicScaleDown on, its default
 * since 1.22): true if `a` should be deleted before `b`.
 * 1. unassigned < assigned; 2. Pending < Running (no Unknown phase here); 3. not ready < ready;
 * 4. lower pod-deletion-cost (no annotations here: skipped); 5. more co-located ready siblings (rank) <
 * fewer; 6. ready for less time < longer, in log2 buckets of age, the same bucket by UID; 7. more restarts
 * < fewer; 8. newer < older creation, in log2 buckets, the same bucket by UID.
 */
export function activePodsLess(a: RankedPod, b: RankedPod, nowNs: number): boolean {
  const p = a.pod;
  const q = b.pod;
  if (p.node !== q.node && (p.node < 0 || q.node < 0)) return p.node < 0;
  if (p.running !== q.running) return !p.running;
  if (p.ready !== q.ready) return !p.ready;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (p.ready && q.ready) {
    const r1 = apiTimeNs(p.readyNs);
    const r2 = apiTimeNs(q.readyNs);
    if (r1 !== r2) {
      const diff = logarithmicRankDiff(r1, r2, nowNs);
      return diff === 0 ? p.uid < q.uid : diff < 0;
    }
  }
  if (p.restarts !== q.restarts) return p.restarts > q.restarts;
  const c1 = apiTimeNs(p.createdNs);
  const c2 = apiTimeNs(q.createdNs);
  if (c1 !== c2) {
    const diff = logarithmicRankDiff(c1, c2, nowNs);
    return diff === 0 ? p.uid < q.uid : diff < 0;
  }
  return false;
}

/**
 * getPodsToDelete (replica_set.go): rank each pod by the active pods on its node, sort by
 * activePodsLess and take the first `diff`. Pods Less cannot order (same second, same everything) go
 * by UID: Go's sort is unstable over the lister's arbitrary order, so Kubernetes' choice there is
 * effectively random; the UID keeps ours random but reproducible.
 */
export function getPodsToDelete<P extends DeletionCandidate>(pods: readonly P[], diff: number, nowNs: number): P[] {
  const onNode = new Map<number, number>();
  for (const p of pods) onNode.set(p.node, (onNode.get(p.node) ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.node)! }));
  ranked.sort((a, b) => (activePodsLess(a, b, nowNs) ? -1 : activePodsLess(b, a, nowNs) ? 1 : a.pod.uid - b.pod.uid));
  return ranked.slice(0, diff).map((r) => r.pod);
}
