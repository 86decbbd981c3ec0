import { HpaController } from '../autoscaler/hpa/controller.js';
import type { Simulation } from '../engine/simulation.js';
import { sToNs } from '../engine/time.js';
import type { TimelineEvent } from '../scenario/cluster-schema.js';
import type { PodFleet } from './fleet.js';

/** Schedules the scenario's timeline: rollouts, kubectl scale, HPA edits, runtime settings, each at its time. */
export function scheduleTimeline(sim: Simulation, timeline: readonly TimelineEvent[], fleet: PodFleet): void {
  if (timeline.length === 0) return;
  const kind = sim.registerKind('timeline.event', (i) => apply(timeline[i]!));
  const apply = (e: TimelineEvent): void => {
    switch (e.type) {
      case 'rollout':
        fleet.deployment.rollout();
        return;
      case 'scale':
        fleet.deployment.scale(e.replicas);
        return;
      case 'hpa':
        if (fleet.autoscaler instanceof HpaController) {
          fleet.autoscaler.edit({
            ...(e.minReplicas !== undefined ? { minReplicas: e.minReplicas } : {}),
            ...(e.maxReplicas !== undefined ? { maxReplicas: e.maxReplicas } : {}),
            ...(e.metrics ? { metrics: e.metrics } : {}),
            ...(e.behavior ? { behavior: e.behavior } : {}),
          });
        }
        return;
      case 'runtime':
        fleet.applyRuntimeSettings(e);
        return;
      default: {
        const never: never = e;
        throw new Error(`unknown timeline event ${JSON.stringify(never)}`);
      }
    }
  };
  for (const [i, e] of timeline.entries()) sim.scheduleAt(sToNs(e.atS), kind, i);
}
