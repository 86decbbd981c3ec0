import type { Simulation } from '../engine/simulation.js';
import { msToNs, sToNs } from '../engine/time.js';
import type { Fault } from '../scenario/cluster-schema.js';
import type { PodFleet } from './fleet.js';

/** Schedules the scenario's faults on the fleet: flags on for a while, or a pod killed. */
export function scheduleFaults(sim: Simulation, faults: readonly Fault[], fleet: PodFleet): void {
  const kStart = sim.registerKind('fault.start', (i) => applyFault(faults[i]!, true, fleet));
  const kEnd = sim.registerKind('fault.end', (i) => applyFault(faults[i]!, false, fleet));
  faults.forEach((f, i) => {
    sim.scheduleAt(sToNs(f.atS), kStart, i);
    if (lasts(f)) sim.scheduleAt(sToNs(f.atS + f.durationS), kEnd, i);
  });
}

/** A fault with an end (everything but an instantaneous kill). */
function lasts(f: Fault): boolean {
  return f.type !== 'pod-kill';
}

/** Start (`on`) or end one fault. Every fault type is a case: a new one does not compile until it is handled here. */
function applyFault(f: Fault, on: boolean, fleet: PodFleet): void {
  switch (f.type) {
    case 'metrics-down':
      fleet.metrics.down = on;
      return;
    case 'hpa-down':
      if (fleet.autoscaler) fleet.autoscaler.down = on;
      return;
    case 'network-latency':
      fleet.network.extraNs = on ? msToNs(f.latencyMs) : 0;
      return;
    case 'noisy-neighbour': {
      const cores = fleet.hostCpus;
      fleet.setCpuSlowdown(on ? cores / (cores - f.stolenCores) : 1);
      return;
    }
    case 'node-loss':
      if (on) fleet.deployment.nodeDown(0);
      else fleet.deployment.nodeUp(0);
      return;
    case 'pod-kill': {
      if (!on) return;
      const oldest = fleet.deployment.pods.find((p) => !p.gone && !p.terminating);
      if (oldest) fleet.deployment.killPod(oldest.index);
      return;
    }
    default: {
      const unhandled: never = f;
      throw new Error(`faults: unhandled fault type ${JSON.stringify(unhandled)}`);
    }
  }
}
