import { expect } from 'chai';
import { ClusterAutoscaler } from '../../src/cluster/cluster-autoscaler.js';
import { sToNs } from '../../src/engine/time.js';
import { idleDeployment } from '../support/idle-deployment.js';

function cluster(nodes: object) {
  const { sim, dep, cfg } = idleDeployment({
    replicas: 2,
    pod: { cpuRequestCores: 1, startupS: 1, readinessDelayS: 1 },
    nodes,
  });
  const ca = new ClusterAutoscaler(sim, cfg.nodes.autoscaler!, dep);
  return { sim, dep, ca };
}

describe('cluster-autoscaler on the node pool', () => {
  it('Pending pods get the nodes they need after the provisioning delay, within maxNodes', () => {
    const { sim, dep, ca } = cluster({
      count: 1,
      allocatableCores: 2,
      autoscaler: { minNodes: 1, maxNodes: 3, scanIntervalS: 10, provisioningDelayS: 100 },
    });
    dep.scale(7); // 2 fit; 5 Pending need 3 nodes of 2 pods, but only 2 more are allowed
    expect(dep.pendingCount()).to.equal(5);
    sim.runUntil(sToNs(10)); // the first scan
    expect(ca.provisioning).to.equal(2);
    sim.runUntil(sToNs(109));
    expect(dep.nodes.upCount()).to.equal(1);
    sim.runUntil(sToNs(110));
    expect(dep.nodes.upCount()).to.equal(3);
    expect(dep.pendingCount()).to.equal(1); // the pool is at maxNodes
    sim.runUntil(sToNs(300));
    expect(ca.provisioning).to.equal(0);
    expect(ca.nodesAdded).to.equal(2);
  });

  it('a node empty for scaleDownUnneededS is removed, down to minNodes', () => {
    const { sim, dep, ca } = cluster({
      count: 4,
      allocatableCores: 2,
      autoscaler: { minNodes: 2, maxNodes: 4, scanIntervalS: 10, scaleDownUnneededS: 60 },
    });
    // Two pods on node 0; nodes 1–3 are empty.
    sim.runUntil(sToNs(65));
    expect(dep.nodes.upCount()).to.equal(4); // empty since 10 s: not yet 60 s
    sim.runUntil(sToNs(75));
    expect(dep.nodes.upCount()).to.equal(2);
    expect(ca.nodesRemoved).to.equal(2);
  });
});
