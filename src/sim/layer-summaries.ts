/**
 * The summary sections a run reads off one layer each: the cluster (Deployment, nodes, rollouts), the HPA's
 * syncs and the chaos experiment (faults, steady-state hypothesis). Pure: the layer's state in, a section out.
 * Moved out of experiment.ts (issue 16's 700-line rule); the summaries they build are unchanged.
 */
import type { HpaDecisionRecord } from '../autoscaler/hpa/controller.js';
import { nsToS } from '../engine/time.js';
import type { TimeSeries } from '../metrics/time-series.js';
import type { Scenario } from '../scenario/schema.js';
import type { FaultInjector } from './faults.js';
import type { PodFleet } from './fleet.js';
import { checkSteadyState } from './steady-state.js';
import type { RunSummary } from './summary.js';

/** What the run counted itself after warm-up, beside what the Deployment keeps. */
export interface ClusterCounts {
  /** Connections refused (no Ready pod, or a full accept queue). */
  rejected: number;
  /** Requests killed with their pod. */
  killed: number;
  maxGoroutinesPerPod: number;
}

/** The cluster's section: pod-seconds, replicas, OOM kills, startup, probes, nodes, rollouts, overload. */
export function clusterSummary(
  fleet: PodFleet,
  s: Scenario,
  podNs: number,
  counts: ClusterCounts,
): RunSummary['cluster'] {
  const dep = fleet.deployment;
  return {
    podSeconds: nsToS(podNs),
    replicasAtEnd: dep.replicas,
    maxReplicas: dep.maxReplicasSeen,
    rejected: counts.rejected,
    killed: counts.killed,
    oomKills: dep.oomKills,
    oomLostRequests: dep.oomLost,
    maxGoroutinesPerPod: counts.maxGoroutinesPerPod,
    ...(dep.startupSummary() ? { startup: dep.startupSummary() } : {}),
    ...(dep.probesOn ? { probes: { ...dep.probeStats } } : {}),
    ...(fleet.nodeAutoscaler
      ? {
          nodeAutoscaler: {
            nodesAdded: fleet.nodeAutoscaler.nodesAdded,
            nodesRemoved: fleet.nodeAutoscaler.nodesRemoved,
            maxNodes: fleet.nodeAutoscaler.maxNodesSeen,
            nodesAtEnd: dep.nodes.upCount(),
          },
        }
      : {}),
    ...(dep.rollouts.length > 0
      ? {
          rollouts: dep.rollouts.map((r) => ({
            atS: nsToS(r.startNs),
            completedS: Number.isNaN(r.completeNs) ? null : nsToS(r.completeNs),
          })),
        }
      : {}),
    // Only when it happened: an overload beyond cluster.pod.maxInFlightRequests (absent otherwise,
    // so results of runs that never reach the limit are unchanged).
    ...(dep.overloaded > 0
      ? { overloadRefused: dep.overloaded, maxInFlightRequestsPerPod: s.cluster.pod.maxInFlightRequests }
      : {}),
  };
}

/** HPA activity from its sync records: rescales, and how often the direction flipped (flapping). */
export function hpaSummary(decisions: readonly HpaDecisionRecord[]) {
  let ups = 0,
    downs = 0,
    reversals = 0,
    lastDir = 0;
  for (const d of decisions) {
    if (!d.rescale) continue;
    const dir = Math.sign(d.desiredReplicas - d.currentReplicas);
    if (dir > 0) ups++;
    else downs++;
    if (lastDir !== 0 && dir !== lastDir) reversals++;
    lastDir = dir;
  }
  return {
    syncs: decisions.length,
    rescales: ups + downs,
    scaleUps: ups,
    scaleDowns: downs,
    directionReversals: reversals,
  };
}

/** The chaos section: each fault (started, pods hit), responses lost, and the steady-state verdict. */
export function chaosSummary(
  s: Scenario,
  faults: FaultInjector,
  lostResponses: number,
  series: TimeSeries,
): NonNullable<RunSummary['chaos']> {
  return {
    faults: s.faults.map((f, i) => ({
      type: f.type,
      atS: f.atS,
      target: f.target?.kind ?? 'default',
      started: faults.started[i]!,
      pods: [...faults.hit[i]!],
    })),
    lostResponses,
    ...(s.steadyState
      ? {
          steadyState: checkSteadyState(
            s.steadyState,
            s.faults,
            series,
            s.durationS,
            s.metrics.sampleIntervalMs / 1000,
          ),
        }
      : {}),
  };
}
