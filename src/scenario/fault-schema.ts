import { z } from 'zod';
import { nearMiss } from './schema-checks.js';

/**
 * Faults a scenario injects (`faults:`), each with its target (which pods, node or component it hits), and
 * the checks that a target can match something in the scenario it is part of.
 */

const faultStart = z.number().nonnegative().describe('start, simulated s');
const faultDuration = z.number().positive().default(60).describe('how long the fault lasts, s');

/**
 * What a fault hits (issue 18, targeted chaos): pods (all, one by index, a fraction chosen by a keyed draw at
 * the fault's start, those on one node) or one control-plane component. Which kinds a fault type accepts and
 * its default: FAULT_TARGETS. A dependency (by its name in `dependencies`) for the dependency faults.
 */
export const FaultTargetSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('all-pods').describe('every pod, including pods started while the fault lasts') }),
    z.strictObject({
      kind: z
        .literal('pod')
        .describe("one pod, by its index (pods.csv's pod column: 0 … cluster.replicas − 1 are the first pods)"),
      index: z.number().int().min(0).describe('the pod index'),
    }),
    z.strictObject({
      kind: z
        .literal('fraction')
        .describe('a share of the live pods, chosen at the fault start by a seeded draw (at least one)'),
      fraction: z.number().positive().max(1).describe('share of the live pods, 0 < fraction ≤ 1'),
    }),
    z.strictObject({
      kind: z.literal('node').describe('the pods on one node (needs cluster.nodes.count ≥ 1)'),
      index: z.number().int().min(0).describe('the node index, 0 … cluster.nodes.count − 1'),
    }),
    z.strictObject({
      kind: z.literal('metrics-server').describe('the resource metrics API (cpu, memory: metrics.k8s.io)'),
    }),
    z.strictObject({
      kind: z
        .literal('custom-metrics-adapter')
        .describe('the custom and external metrics APIs (the Prometheus adapter)'),
    }),
    z.strictObject({ kind: z.literal('hpa-controller').describe('the autoscaler (HPA, KEDA or density controller)') }),
    z.strictObject({
      kind: z.literal('dependency').describe('one dependency, shared by every pod (dependency-outage, -slowdown)'),
      name: z.string().min(1).describe('its name in dependencies'),
    }),
  ])
  .describe(
    'what the fault hits: all-pods | pod | fraction | node | metrics-server | custom-metrics-adapter | ' +
      'hpa-controller | dependency',
  );
export type FaultTarget = z.infer<typeof FaultTargetSchema>;
export type FaultTargetKind = FaultTarget['kind'];

const target = FaultTargetSchema.optional();
const POD_TARGETS = ['all-pods', 'pod', 'fraction', 'node'] as const;

/** Faults by `type`: each variant names only the fields it uses (a discriminated union, like ArrivalSchema). */
export const FaultSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z
        .literal('metrics-down')
        .describe('the metrics APIs fail: the HPA cannot compute and keeps the current size'),
      atS: faultStart,
      durationS: faultDuration,
      target: target.describe('metrics-server or custom-metrics-adapter; absent: both'),
    }),
    z.strictObject({
      type: z.literal('hpa-down').describe('the autoscaler (HPA, KEDA or density controller) skips its syncs'),
      atS: faultStart,
      durationS: faultDuration,
      target: target.describe('hpa-controller (the default)'),
    }),
    z.strictObject({
      type: z
        .literal('pod-kill')
        .describe('pods die at once (in-flight requests lost) and the ReplicaSet replaces them'),
      atS: faultStart,
      durationS: faultDuration.describe('ignored: a kill is instantaneous'),
      target: target.describe('the pods to kill (all-pods, pod, fraction, node); absent: the oldest live pod'),
    }),
    z.strictObject({
      type: z
        .literal('node-loss')
        .describe(
          'a node fails for durationS: its pods die and are recreated where they fit (needs cluster.nodes.count ≥ 1)',
        ),
      atS: faultStart,
      durationS: faultDuration,
      target: target.describe('node (absent: node 0)'),
    }),
    z.strictObject({
      type: z
        .literal('node-drain')
        .describe(
          '`kubectl drain` for durationS: the node is cordoned and its pods evicted (graceful: in-flight requests ' +
            'finish within terminationGracePeriodS or are cut); the ReplicaSet recreates them elsewhere (Pending if ' +
            'no room); uncordoned at the end (needs cluster.nodes.count ≥ 1; PodDisruptionBudgets are not modelled)',
        ),
      atS: faultStart,
      durationS: faultDuration.describe('how long the node stays cordoned, s'),
      target: target.describe('node (absent: node 0)'),
    }),
    z.strictObject({
      type: z
        .literal('network-latency')
        .describe('every netpoll wait started during the fault takes latencyMs (± jitterMs) longer'),
      atS: faultStart,
      durationS: faultDuration,
      latencyMs: z.number().nonnegative().default(50).describe('added to each network wait, ms'),
      jitterMs: z
        .number()
        .nonnegative()
        .default(0)
        .describe('each wait adds latencyMs ± up to this, uniformly (never below 0), as `tc netem delay L J` does, ms'),
      target: target.describe('the pods whose network is slow (all-pods, pod, fraction, node); absent: all pods'),
    }),
    z.strictObject({
      type: z
        .literal('noisy-neighbour')
        .describe(
          "another workload steals stolenCores of the node's runtime.hostCpus (CPU stress), so the pods' CPU " +
            'work runs ' +
            'hostCpus / (hostCpus − stolenCores) times as long',
        ),
      atS: faultStart,
      durationS: faultDuration,
      stolenCores: z.number().positive().default(1).describe('cores the neighbour takes (less than runtime.hostCpus)'),
      target: target.describe(
        'the pods it slows (node: CPU stress on one node; all-pods, pod, fraction); absent: all pods',
      ),
    }),
    z.strictObject({
      type: z
        .literal('packet-loss')
        .describe(
          "the target pods' responses are lost with probability lossPercent: the caller hears nothing, times out " +
            '(workload.client.timeoutMs) and retries; the pod did the work (TCP retransmission is not modelled)',
        ),
      atS: faultStart,
      durationS: faultDuration,
      lossPercent: z.number().min(0).max(100).default(10).describe('share of responses lost, percent'),
      target: target.describe('the pods whose responses are lost (all-pods, pod, fraction, node); absent: all pods'),
    }),
    z.strictObject({
      type: z
        .literal('forced-gc')
        .describe('runtime.GC() in the target pods: a GC cycle starts at once (needs a request that allocates)'),
      atS: faultStart,
      durationS: faultDuration.describe('ignored: the cycle runs its course'),
      target: target.describe('the pods (all-pods, pod, fraction, node); absent: all pods'),
    }),
    z.strictObject({
      type: z
        .literal('memory-pressure')
        .describe(
          'the target pods hold heapMB more live heap for durationS (a leak, a cache): GC runs more often, and past ' +
            'runtime.memoryLimitMB the pod is OOM-killed (needs a request that allocates)',
        ),
      atS: faultStart,
      durationS: faultDuration,
      heapMB: z.number().positive().default(100).describe('extra live heap per pod, MiB'),
      target: target.describe('the pods (all-pods, pod, fraction, node); absent: all pods'),
    }),
    z.strictObject({
      type: z
        .literal('dependency-outage')
        .describe(
          'a dependency is down for durationS: every call that reaches it fails at once (mode fail-fast: connection ' +
            "reset / refused, an error) or gets no answer and waits for the caller's deadline (mode hang: packets " +
            'dropped; a call without a deadline waits for good)',
        ),
      atS: faultStart,
      durationS: faultDuration,
      mode: z
        .enum(['fail-fast', 'hang'])
        .default('fail-fast')
        .describe("fail-fast: an error at once | hang: no answer, the caller's deadline ends the call"),
      target: target.describe('dependency (required: {kind: dependency, name})'),
    }),
    z.strictObject({
      type: z
        .literal('dependency-slowdown')
        .describe(
          "a dependency serves slower for durationS: each call's latency × latencyFactor + addedLatencyMs (calls " +
            'it starts during the fault; its queue grows as its capacity serves fewer calls a second)',
        ),
      atS: faultStart,
      durationS: faultDuration,
      latencyFactor: z.number().min(1).default(1).describe('latency multiplier, ≥ 1'),
      addedLatencyMs: z.number().nonnegative().default(0).describe('added to each call served, ms'),
      target: target.describe('dependency (required: {kind: dependency, name})'),
    }),
  ])
  .describe(
    'a fault injected into the run: metrics-down | hpa-down | pod-kill | node-loss | node-drain | network-latency | ' +
      'noisy-neighbour | ' +
      'packet-loss | forced-gc | memory-pressure | dependency-outage | dependency-slowdown',
  );
export type Fault = z.infer<typeof FaultSchema>;
export type FaultType = Fault['type'];

/** The target kinds each fault type accepts (the first is what the type hits when no target is given). */
export const FAULT_TARGETS: Record<FaultType, readonly FaultTargetKind[]> = {
  'metrics-down': ['metrics-server', 'custom-metrics-adapter'],
  'hpa-down': ['hpa-controller'],
  'pod-kill': POD_TARGETS,
  'node-loss': ['node'],
  'node-drain': ['node'],
  'network-latency': POD_TARGETS,
  'noisy-neighbour': POD_TARGETS,
  'packet-loss': POD_TARGETS,
  'forced-gc': POD_TARGETS,
  'memory-pressure': POD_TARGETS,
  'dependency-outage': ['dependency'],
  'dependency-slowdown': ['dependency'],
};

/** What a check of the faults needs to know of the rest of the scenario. */
export interface FaultContext {
  replicas: number;
  nodes: number;
  autoscaler: boolean;
  clientTimeout: boolean;
  allocates: boolean;
  gmp: boolean;
  /** The declared dependencies' names (a dependency target must name one). */
  dependencies: readonly string[];
}

/** Faults whose target cannot match anything, or whose effect needs what the scenario lacks: errors at their paths. */
export function checkFaults(faults: readonly Fault[], c: FaultContext, ctx: z.RefinementCtx): void {
  faults.forEach((f, i) => {
    const at = ['faults', i];
    const t = f.target;
    if (t !== undefined) {
      const ok = FAULT_TARGETS[f.type];
      if (!ok.includes(t.kind)) {
        const message = `expected a target ${f.type} can hit (${ok.join(' | ')}), found ${t.kind}`;
        ctx.addIssue({ code: 'custom', path: [...at, 'target', 'kind'], message });
      } else if (t.kind === 'pod' && t.index >= c.replicas) {
        const message =
          `expected a pod index below cluster.replicas (${c.replicas}): the target matches no ` +
          `pod, found ${t.index}`;
        ctx.addIssue({ code: 'custom', path: [...at, 'target', 'index'], message });
      } else if (t.kind === 'node' && t.index >= c.nodes) {
        const have =
          c.nodes === 0 ? 'unlimited nodes (cluster.nodes.count 0) have no index' : `cluster.nodes.count is ${c.nodes}`;
        const message = `expected a node index that exists (${have}): the target matches no node, found ${t.index}`;
        ctx.addIssue({ code: 'custom', path: [...at, 'target', 'index'], message });
      } else if (
        (t.kind === 'hpa-controller' || t.kind === 'custom-metrics-adapter' || t.kind === 'metrics-server') &&
        !c.autoscaler
      ) {
        const message =
          `expected an autoscaler (hpa, keda or densityController) for a ${t.kind} target: it ` +
          `matches nothing, found none`;
        ctx.addIssue({ code: 'custom', path: [...at, 'target', 'kind'], message });
      } else if (t.kind === 'dependency' && !c.dependencies.includes(t.name)) {
        const known =
          c.dependencies.length > 0
            ? `one of ${c.dependencies.map((d) => `"${d}"`).join(', ')}`
            : 'a dependency declared in dependencies (none are)';
        const message =
          `expected ${known}: the target matches no dependency, ` +
          `found "${t.name}"${nearMiss(t.name, c.dependencies)}`;
        ctx.addIssue({ code: 'custom', path: [...at, 'target', 'name'], message });
      }
    } else if (FAULT_TARGETS[f.type][0] === 'dependency') {
      const message = `expected a target {kind: dependency, name} for ${f.type} (it has no default), found none`;
      ctx.addIssue({ code: 'custom', path: [...at, 'type'], message });
    }
    if (f.type === 'node-drain' && c.nodes === 0) {
      const message = 'expected cluster.nodes.count ≥ 1 for a node-drain fault, found unlimited nodes (count 0)';
      ctx.addIssue({ code: 'custom', path: [...at, 'type'], message });
    }
    if (f.type === 'packet-loss' && !c.clientTimeout) {
      const message =
        'expected workload.client.timeoutMs (or a k6 executor) for packet-loss: a caller without a timeout ' +
        'waits forever, found none';
      ctx.addIssue({ code: 'custom', path: [...at, 'type'], message });
    }
    if ((f.type === 'forced-gc' || f.type === 'memory-pressure') && !(c.gmp && c.allocates)) {
      const message =
        `expected runtime.scheduler gmp and a request that allocates (an alloc step) ` +
        `for ${f.type}, found no garbage collector`;
      ctx.addIssue({ code: 'custom', path: [...at, 'type'], message });
    }
  });
}
