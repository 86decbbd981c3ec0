import type { Simulation } from '../engine/simulation.js';
import { sToNs } from '../engine/time.js';
import type { Cluster } from '../scenario/cluster-schema.js';
import type { Deployment } from './deployment.js';

type AutoscalerConfig = NonNullable<Cluster['nodes']['autoscaler']>;

/**
 * A cluster-autoscaler on the one node pool (kubernetes/autoscaler cluster-autoscaler, FAQ.md): every
 * scanIntervalS, Pending pods that fit nowhere ask for as many new nodes as they need (less those already
 * being provisioned, within maxNodes), each Ready provisioningDelayS later; a node without pods for
 * scaleDownUnneededS is removed (down to minNodes). Simplified: a node is unneeded only when empty (the
 * real one also drains nodes under 50% utilization whose pods fit elsewhere), no scale-down delay after
 * a scale-up, one node group.
 */
export class ClusterAutoscaler {
  provisioning = 0;
  nodesAdded = 0;
  nodesRemoved = 0;
  maxNodesSeen: number;
  /** Per node: since when it has been empty (NaN: it has pods). */
  private readonly emptySinceNs: number[] = [];
  private readonly kReady: number;

  constructor(
    private readonly sim: Simulation,
    private readonly cfg: AutoscalerConfig,
    private readonly deployment: Deployment,
  ) {
    this.maxNodesSeen = deployment.nodes.upCount();
    this.kReady = sim.registerKind('cluster-autoscaler.node-ready', () => this.nodeReady());
    const kScan = sim.registerKind('cluster-autoscaler.scan', () => {
      this.scan();
      sim.schedule(sToNs(cfg.scanIntervalS), kScan);
    });
    sim.schedule(sToNs(cfg.scanIntervalS), kScan);
  }

  /** RunOnce: scale up for unschedulable pods, else look for unneeded nodes. */
  private scan(): void {
    const nodes = this.deployment.nodes;
    const pending = this.deployment.pendingCount();
    if (pending > 0) {
      const perNode = Math.max(1, nodes.podsPerNode(this.deployment.podRequestMilli));
      const need = Math.ceil(pending / perNode) - this.provisioning;
      const room = this.cfg.maxNodes - nodes.upCount() - this.provisioning;
      for (let k = 0; k < Math.min(need, room); k++) {
        this.provisioning++;
        this.sim.schedule(sToNs(this.cfg.provisioningDelayS), this.kReady);
      }
      return;
    }
    const now = this.sim.now;
    let up = nodes.upCount();
    for (let n = 0; n < nodes.count; n++) {
      if (!nodes.isUp(n) || !nodes.isEmpty(n)) {
        this.emptySinceNs[n] = NaN;
        continue;
      }
      const since = this.emptySinceNs[n];
      if (since === undefined || Number.isNaN(since)) this.emptySinceNs[n] = now;
      else if (now - since >= sToNs(this.cfg.scaleDownUnneededS) && up > this.cfg.minNodes) {
        this.deployment.removeNode(n);
        this.emptySinceNs[n] = NaN;
        this.nodesRemoved++;
        up--;
      }
    }
  }

  private nodeReady(): void {
    this.provisioning--;
    this.nodesAdded++;
    this.deployment.addNode();
    this.maxNodesSeen = Math.max(this.maxNodesSeen, this.deployment.nodes.upCount());
  }
}
