import type { KeyedStream } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { msToNs, sToNs } from '../engine/time.js';
import type { PodRuntime } from '../runtime/pod-runtime.js';
import type { Fault, FaultTarget, FaultType } from '../scenario/cluster-schema.js';
import type { Scenario } from '../scenario/schema.js';
import type { Dependency } from '../service/dependency.js';
import type { PodFleet } from './fleet.js';

const MiB = 1 << 20;

/** What network faults add to pods now: delay on each network wait, its jitter, the share of responses lost. */
export interface NetworkFaultState {
  extraNs: number;
  jitterNs: number;
  lossFraction: number;
}

/**
 * One pod's network as the faults left it, read live by its runtime: each network wait takes extraNs more,
 * ± up to jitterNs drawn uniformly from a stream keyed by the request and the step (never below 0 in all,
 * as `tc netem delay L J`); lossFraction of its responses are lost. Faults add and remove their part.
 */
export class PodNetwork implements NetworkFaultState {
  extraNs: number;
  jitterNs: number;
  lossFraction: number;

  constructor(
    from: NetworkFaultState,
    private readonly jitter: KeyedStream,
  ) {
    this.extraNs = from.extraNs;
    this.jitterNs = from.jitterNs;
    this.lossFraction = from.lossFraction;
  }

  /** The extra delay of the network wait at step `pc` of the request keyed `key`, ns. */
  delayNs(key: number, pc: number): number {
    if (this.jitterNs === 0) return this.extraNs;
    this.jitter.seek(key, pc);
    return Math.max(0, Math.round(this.extraNs + (2 * this.jitter.next() - 1) * this.jitterNs));
  }
}

/**
 * Schedules the scenario's faults on the fleet and keeps which are active (the faults_active column). Each
 * fault resolves its target when it starts — the pods it hits then (FaultTarget: all, one, a keyed fraction,
 * those on a node) or a control-plane component — and undoes exactly its own part when it ends; an all-pods
 * fault also reaches pods started while it lasts (PodFleet asks `podStarted`).
 */
export class FaultInjector {
  /** Faults active now. */
  active = 0;
  /** Per fault: the pods it hit at its start (pod targets), for its end and the summary. */
  readonly hit: (readonly number[])[];
  /** Per fault: started (for the summary: a fault past the run's end never did). */
  readonly started: boolean[];
  /** Per active memory-pressure fault: the containers (runtimes) holding its ballast, in the order of `hit`. */
  private readonly ballast = new Map<number, PodRuntime[]>();

  constructor(
    sim: Simulation,
    private readonly faults: readonly Fault[],
    private readonly fleet: PodFleet,
    /** Keyed by the fault's index: which pods a fraction target picks. */
    private readonly targetStream: KeyedStream,
  ) {
    this.hit = faults.map(() => []);
    this.started = faults.map(() => false);
    if (faults.length === 0) return;
    for (const f of faults) if (f.target?.kind === 'dependency') this.dependency(f.target.name).faulted = true;
    const kStart = sim.registerKind('fault.start', (i) => this.apply(i, true));
    const kEnd = sim.registerKind('fault.end', (i) => this.apply(i, false));
    faults.forEach((f, i) => {
      sim.scheduleAt(sToNs(f.atS), kStart, i);
      if (lasts(f)) sim.scheduleAt(sToNs(f.atS + f.durationS), kEnd, i);
    });
  }

  /** Start (`on`) or end fault i. Every fault type is a case: a new one does not compile until it is handled here. */
  private apply(i: number, on: boolean): void {
    const f = this.faults[i]!;
    const fleet = this.fleet;
    if (on) this.started[i] = true;
    if (lasts(f)) this.active += on ? 1 : -1;
    if (on) this.hit[i] = this.resolve(i, f.target);
    const pods = this.hit[i]!;
    const all = f.target === undefined || f.target.kind === 'all-pods';
    const sign = on ? 1 : -1;
    switch (f.type) {
      case 'metrics-down': {
        const k = f.target?.kind;
        if (k !== 'custom-metrics-adapter') fleet.metrics.down.metricsServer = on;
        if (k !== 'metrics-server') fleet.metrics.down.adapter = on;
        return;
      }
      case 'hpa-down':
        if (fleet.autoscaler) fleet.autoscaler.down = on;
        return;
      case 'network-latency': {
        const d = sign * msToNs(f.latencyMs);
        const j = sign * msToNs(f.jitterMs);
        if (all) {
          fleet.network.extraNs += d;
          fleet.network.jitterNs += j;
        }
        for (const n of all ? fleet.podNetworks() : pods.map((p) => fleet.podNetwork(p))) {
          n.extraNs += d;
          n.jitterNs += j;
        }
        return;
      }
      case 'packet-loss': {
        const l = (sign * f.lossPercent) / 100;
        if (all) fleet.network.lossFraction += l;
        for (const n of all ? fleet.podNetworks() : pods.map((p) => fleet.podNetwork(p))) n.lossFraction += l;
        return;
      }
      case 'noisy-neighbour': {
        const cores = fleet.hostCpus;
        const factor = cores / (cores - f.stolenCores);
        if (all) fleet.cpu.slowdown = snap(on ? fleet.cpu.slowdown * factor : fleet.cpu.slowdown / factor);
        for (const p of all ? fleet.podIndices() : pods) fleet.scalePodCpu(p, on ? factor : 1 / factor);
        return;
      }
      case 'node-loss': {
        const node = f.target?.kind === 'node' ? f.target.index : 0;
        if (on) fleet.deployment.nodeDown(node);
        else fleet.deployment.nodeUp(node);
        return;
      }
      case 'node-drain': {
        const node = f.target?.kind === 'node' ? f.target.index : 0;
        if (on) this.hit[i] = fleet.deployment.drainNode(node);
        else fleet.deployment.uncordonNode(node);
        return;
      }
      case 'pod-kill': {
        if (!on) return;
        if (f.target === undefined) {
          const oldest = fleet.deployment.pods.find((p) => !p.gone && !p.terminating);
          if (oldest) {
            this.hit[i] = [oldest.index];
            fleet.deployment.killPod(oldest.index);
          }
          return;
        }
        for (const p of pods) fleet.deployment.killPod(p);
        return;
      }
      case 'forced-gc':
        if (on) for (const p of pods) fleet.deployment.pods[p]!.runtime.forceGC?.();
        return;
      case 'memory-pressure': {
        const bytes = f.heapMB * MiB;
        if (on) {
          const held = pods.map((p) => fleet.deployment.pods[p]!.runtime);
          this.ballast.set(i, held);
          for (const rt of held) rt.holdLive?.(bytes);
        } else {
          // The ballast goes with its container: a container OOM-killed since restarted without it.
          for (const [k, p] of pods.entries()) {
            const rt = this.ballast.get(i)![k]!;
            const pod = fleet.deployment.pods[p]!;
            if (!pod.gone && pod.runtime === rt) rt.holdLive?.(-bytes);
          }
          this.ballast.delete(i);
        }
        return;
      }
      case 'dependency-outage': {
        const d = this.dependency(depName(f));
        if (f.mode === 'hang') d.hang += sign;
        else d.down += sign;
        return;
      }
      case 'dependency-slowdown': {
        const d = this.dependency(depName(f));
        d.latencyFactor = snap(on ? d.latencyFactor * f.latencyFactor : d.latencyFactor / f.latencyFactor);
        d.addedNs += sign * msToNs(f.addedLatencyMs);
        return;
      }
      default: {
        const unhandled: never = f;
        throw new Error(`faults: unhandled fault type ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /** A dependency a fault targets (the loader checked that it is declared, so the fleet has a service world). */
  private dependency(name: string): Dependency {
    const w = this.fleet.service;
    if (!w) throw new Error(`faults: dependency "${name}" targeted, but the run has no dependencies`);
    return w.dependency(name);
  }

  /** The pods a pod target hits now (live, not terminating); none for a component target. */
  private resolve(i: number, t: FaultTarget | undefined): number[] {
    const live = this.fleet.deployment.pods.filter((p) => !p.gone && !p.terminating && p.running).map((p) => p.index);
    const kind = t?.kind ?? 'all-pods';
    switch (kind) {
      case 'all-pods':
        return needsPods(this.faults[i]!) ? live : [];
      case 'pod': {
        const idx = (t as Extract<FaultTarget, { kind: 'pod' }>).index;
        return live.includes(idx) ? [idx] : [];
      }
      case 'fraction': {
        // A partial Fisher–Yates shuffle keyed by the fault's index: the same pods in every variant.
        const n = Math.max(1, Math.round((t as Extract<FaultTarget, { kind: 'fraction' }>).fraction * live.length));
        const pool = [...live];
        this.targetStream.seek(i, 0);
        for (let k = 0; k < Math.min(n, pool.length); k++) {
          const j = k + this.targetStream.int(pool.length - k);
          [pool[k], pool[j]] = [pool[j]!, pool[k]!];
        }
        return pool.slice(0, n).sort((a, b) => a - b);
      }
      case 'node': {
        const node = (t as Extract<FaultTarget, { kind: 'node' }>).index;
        return live.filter((p) => this.fleet.deployment.pods[p]!.node === node);
      }
      case 'metrics-server':
      case 'custom-metrics-adapter':
      case 'hpa-controller':
      case 'dependency':
        return [];
      default: {
        const never: never = kind;
        throw new Error(`faults: unhandled target ${String(never)}`);
      }
    }
  }
}

/** The dependency a dependency fault targets (checkFaults requires the target). */
function depName(f: Fault): string {
  if (f.target?.kind !== 'dependency') throw new Error(`faults: ${f.type} without a dependency target`);
  return f.target.name;
}

/** A fault with an end (everything but an instantaneous kill or forced GC). */
function lasts(f: Fault): boolean {
  return f.type !== 'pod-kill' && f.type !== 'forced-gc';
}

/** Faults that act on pods one by one (the others act on the cluster or a component). */
function needsPods(f: Fault): boolean {
  return (
    f.type !== 'metrics-down' &&
    f.type !== 'hpa-down' &&
    f.type !== 'node-loss' &&
    f.type !== 'node-drain' &&
    f.type !== 'dependency-outage' &&
    f.type !== 'dependency-slowdown'
  );
}

/** A product of factors that should be back at 1 is, exactly (no drift after on × off). */
export function snap(x: number): number {
  return Math.abs(x - 1) < 1e-12 ? 1 : x;
}

/** Fault types older than targets: alone and untargeted they keep today's outputs. */
const LEGACY_TYPES: readonly FaultType[] = [
  'metrics-down',
  'hpa-down',
  'pod-kill',
  'node-loss',
  'network-latency',
  'noisy-neighbour',
];

/**
 * Whether the run reports its chaos (faults_active and errors_per_s columns, summary.chaos): with a
 * steady-state hypothesis, a fault with a target, or a fault type added with targets. A scenario with only
 * the older untargeted faults writes what it wrote before them.
 */
export function chaosReported(s: Pick<Scenario, 'faults' | 'steadyState'>): boolean {
  return s.steadyState !== undefined || s.faults.some((f) => f.target !== undefined || !LEGACY_TYPES.includes(f.type));
}
