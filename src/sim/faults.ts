import type { Simulation } from '../engine/simulation.js';
import { msToNs, sToNs } from '../engine/time.js';
import type { Fault } from '../scenario/cluster-schema.js';
import type { PodFleet } from './fleet.js';

/** Schedules the scenario's faults on the fleet: flags on for a while, or a pod killed. */
export function scheduleFaults(sim: Simulation, faults: readonly Fault[], fleet: PodFleet): void {
  const kStart = sim.registerKind('fault.start', (i) => apply(faults[i]!, true));
  const kEnd = sim.registerKind('fault.end', (i) => apply(faults[i]!, false));
  const apply = (f: Fault, on: boolean): void => {
    if (f.type === 'metrics-down') fleet.metrics.down = on;
    else if (f.type === 'hpa-down') {
      if (fleet.hpa) fleet.hpa.down = on;
    } else if (f.type === 'network-latency') {
      fleet.network.extraNs = on ? msToNs(f.latencyMs) : 0;
    } else if (f.type === 'noisy-neighbour') {
      const cores = fleet.hostCpus;
      fleet.setCpuSlowdown(on ? cores / (cores - f.stolenCores) : 1);
    } else if (f.type === 'node-loss') {
      if (on) fleet.deployment.nodeDown(0);
      else fleet.deployment.nodeUp(0);
    } else if (on) {
      const oldest = fleet.deployment.pods.find((p) => !p.gone && !p.terminating);
      if (oldest) fleet.deployment.killPod(oldest.index);
    }
  };
  faults.forEach((f, i) => {
    sim.scheduleAt(sToNs(f.atS), kStart, i);
    if (f.type !== 'pod-kill') sim.scheduleAt(sToNs(f.atS + f.durationS), kEnd, i);
  });
}
