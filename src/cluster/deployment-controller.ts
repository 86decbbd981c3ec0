import type { Simulation } from '../engine/simulation.js';
import { sToNs } from '../engine/time.js';
import type { Cluster } from '../scenario/cluster-schema.js';
import type { ClusterPod } from './cluster-pod.js';
import { maxSurge, type RollingUpdate, type RsView } from './deployment-util.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, scale } from './sync.js';

/*
 * The Deployment controller (k/k pkg/controller/deployment/deployment_controller.go): its work queue
 * (one sync at a time, at once after any change it watches) and syncDeployment, which for RollingUpdate
 * either scales the ReplicaSets in proportion (sync.go scale, on a scaling event) or rolls out
 * (rolling.go rolloutRolling). It owns the ReplicaSets from the first rollout on; the pods and the
 * ReplicaSet controller (manageReplicas) are the Deployment's.
 */

/** A ReplicaSet of the Deployment: its revision, spec.replicas and the Deployment controller's annotations. */
export interface ReplicaSetState {
  revision: number;
  replicas: number;
  /** deployment.kubernetes.io/desired-replicas and max-replicas. */
  desiredAnnotation: number;
  maxReplicasAnnotation: number;
}

/** What the controller sees of the Deployment: spec.replicas, the pods, and the ReplicaSet controller. */
export interface ControlledDeployment {
  /** spec.replicas */
  readonly replicas: number;
  readonly pods: readonly ClusterPod[];
  /** The ReplicaSet controller's manageReplicas: create or delete the RS's pods to match its spec. */
  manageReplicas(rs: ReplicaSetState): void;
}

export class DeploymentController {
  /** ReplicaSets by revision, from the first rollout on (before it the one ReplicaSet is implicit). */
  replicaSets: ReplicaSetState[] | undefined;
  /** Rollouts: when each began and when its new ReplicaSet had every replica available (NaN: not yet). */
  readonly rollouts: { startNs: number; completeNs: number }[] = [];
  private syncQueued = false;
  private readonly kSync: number;

  constructor(
    readonly sim: Simulation,
    private readonly cfg: Cluster,
    readonly d: ControlledDeployment,
  ) {
    this.kSync = sim.registerKind('deployment.sync', () => {
      this.syncQueued = false;
      this.syncDeployment();
    });
  }

  /**
   * A new pod template: a new ReplicaSet with 0 replicas, then rolloutRolling at each sync. The first
   * rollout makes the implicit ReplicaSet of revision 0 explicit, with the current replicas.
   */
  rollout(): void {
    const replicas = this.d.replicas;
    const surge = maxSurge(replicas, this.ru);
    const annotate = (n: number): ReplicaSetState => ({
      revision: this.replicaSets?.length ?? 0,
      replicas: n,
      desiredAnnotation: replicas,
      maxReplicasAnnotation: replicas + surge,
    });
    this.replicaSets ??= [annotate(replicas)];
    this.replicaSets.push(annotate(0));
    this.rollouts.push({ startNs: this.sim.now, completeNs: NaN });
    this.queueSync();
  }

  get ru(): RollingUpdate {
    return this.cfg.strategy.rollingUpdate;
  }

  /** enqueueDeployment: one sync, at once, however many changes came in meanwhile. */
  queueSync(): void {
    if (this.syncQueued) return;
    this.syncQueued = true;
    this.sim.schedule(0, this.kSync);
  }

  /** A pod became Ready: sync now, and again minReadySeconds + 1 s later to see it available. */
  podReady(): void {
    this.queueSync();
    // The ReplicaSet controller re-queues minReadySeconds + 1 s later to see the pod available.
    const min = this.cfg.minReadySeconds;
    if (min > 0) this.sim.schedule(sToNs(min + 1), this.kSync);
  }

  /** IsPodAvailable: Ready for at least minReadySeconds ([new] ≤). */
  private available(pod: ClusterPod): boolean {
    return pod.ready && this.sim.now - pod.readyNs >= sToNs(this.cfg.minReadySeconds);
  }

  rsView(rs: ReplicaSetState): RsView {
    let available = 0;
    for (const p of this.d.pods) if (!p.gone && p.revision === rs.revision && this.available(p)) available++;
    return { replicas: rs.replicas, available, maxReplicasAnnotation: rs.maxReplicasAnnotation };
  }

  /**
   * syncDeployment for RollingUpdate: a scaling event (spec.replicas changed since the ReplicaSets were
   * annotated) resizes them proportionally (sync.go scale); otherwise rolloutRolling — grow the new
   * ReplicaSet within maxSurge, and if it did not grow, shrink the old ones within maxUnavailable.
   */
  syncDeployment(): void {
    if (!this.replicaSets) return;
    if (isScalingEvent(this)) scale(this);
    else rolloutRolling(this);
  }

  /** SetReplicasAnnotations: desired-replicas and max-replicas (spec.replicas + maxSurge). */
  annotate(rs: ReplicaSetState): void {
    rs.desiredAnnotation = this.d.replicas;
    rs.maxReplicasAnnotation = this.d.replicas + maxSurge(this.d.replicas, this.ru);
  }
}
