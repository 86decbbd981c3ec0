import { autoscalerSpec } from '../autoscaler/autoscaler.js';
import type { Scenario } from '../scenario/schema.js';
import { isClosedLoop, isK6Executor } from '../workload/virtual-users.js';

/**
 * Why a run cannot advance its pods on engines of their own between barriers (issue 24 item 6,
 * docs/one-run-on-every-core.md). A closed union: each reason is a coupling between pods, or between a
 * pod and the cluster, at an instant that is not a barrier.
 */
export type IneligibleReason =
  | 'single-pod'
  | 'closed-loop-users'
  | 'arrival-rate-vus'
  | 'client-timeouts-or-retries'
  | 'least-outstanding-routing'
  | 'shared-node-cores'
  | 'node-pool'
  | 'kubelet-probes'
  | 'service-dependencies'
  | 'faults'
  | 'rollout'
  | 'container-memory-limit'
  | 'trace';

/** What each reason means, as stderr and summary.json say it (a Record: a new reason must be explained). */
export const INELIGIBLE_REASONS: Record<IneligibleReason, string> = {
  'single-pod': 'one pod, and no autoscaler or kubectl scale can add another: nothing to split',
  'closed-loop-users': 'closed-loop users (constant-vus, ramping-vus): the next arrival waits for a response',
  'arrival-rate-vus': 'ramping-arrival-rate counts busy VUs, freed at each completion: arrivals depend on pods',
  'client-timeouts-or-retries': 'client timeouts or retries: a retry is a new routing decision at any instant',
  'least-outstanding-routing': "least-outstanding routing reads every pod's in-flight count at each arrival",
  'shared-node-cores': "pods share a node's cores (nodeCpuSharing, or GOMAXPROCS above runtime.hostCpus)",
  'node-pool': 'a node pool (cluster.nodes.count): a drained pod frees room for a Pending pod at any instant',
  'kubelet-probes': 'kubelet probes: a probe answer changes readiness, so routing, at any instant',
  'service-dependencies': 'dependencies, a limiter or a request deadline share state across pods',
  faults: 'faults change pods from outside them',
  rollout: 'a rollout: the Deployment controller reacts to pods becoming ready or gone at any instant',
  'container-memory-limit': "a container memory limit: an OOM kill changes the cluster at the pod's instant",
  trace: 'a trace records every pod on one timeline',
};

export type ParallelEligibility = { eligible: true } | { eligible: false; reasons: readonly IneligibleReason[] };

/**
 * Whether `scenario` can run with each pod on its own engine, advanced window by window between the
 * cluster's barriers (metrics samples and scrapes, autoscaler syncs, pod lifecycle steps, timeline
 * events), and if not, every reason. Narrow on purpose: open-loop arrivals, routing that does not look at
 * pod state, no client timeouts or retries, no shared node cores, no dependencies, faults or trace.
 */
export function parallelEligibility(scenario: Scenario, options: { trace?: boolean } = {}): ParallelEligibility {
  const reasons: IneligibleReason[] = [];
  const scaled = scenario.timeline.some((e) => e.type === 'scale' && e.replicas > 1);
  if (scenario.cluster.replicas <= 1 && autoscalerSpec(scenario) === undefined && !scaled) reasons.push('single-pod');
  const arrival = scenario.workload.arrival;
  if (isClosedLoop(arrival)) reasons.push('closed-loop-users');
  else if (isK6Executor(arrival)) reasons.push('arrival-rate-vus');
  const client = scenario.workload.client;
  if (client.timeoutMs !== undefined || client.retries > 0 || isK6Executor(arrival)) {
    reasons.push('client-timeouts-or-retries');
  }
  const cl = scenario.cluster;
  if (cl.loadBalancer === 'least-outstanding') reasons.push('least-outstanding-routing');
  const rt = scenario.runtime;
  const liveProcs = scenario.timeline.flatMap((e) =>
    e.type === 'runtime' && e.gomaxprocs !== undefined ? [e.gomaxprocs] : [],
  );
  if (cl.nodeCpuSharing || Math.max(rt.gomaxprocs, ...liveProcs) > rt.hostCpus) reasons.push('shared-node-cores');
  if (cl.nodes.count > 0) reasons.push('node-pool');
  const pod = cl.pod;
  if (pod.startupProbe || pod.readinessProbe || pod.livenessProbe) reasons.push('kubelet-probes');
  const sv = scenario.service;
  if (Object.keys(scenario.dependencies).length > 0 || sv.limiter !== undefined || sv.requestTimeoutMs !== undefined) {
    reasons.push('service-dependencies');
  }
  if (scenario.faults.length > 0) reasons.push('faults');
  if (scenario.timeline.some((e) => e.type === 'rollout')) reasons.push('rollout');
  if (rt.memoryLimitMB !== undefined) reasons.push('container-memory-limit');
  if (options.trace) reasons.push('trace');
  return reasons.length === 0 ? { eligible: true } : { eligible: false, reasons };
}

/**
 * Why a windowed run's pods stay on this thread although threads were asked for (a closed union, as
 * IneligibleReason): an option that reads a pod's runtime from the coordinator between barriers.
 */
export type OneThreadReason = 'schedtrace' | 'gctrace';

export const ONE_THREAD_REASONS: Record<OneThreadReason, string> = {
  schedtrace: "--schedtrace prints the first pod's scheduler state at its instants, which are no barriers",
  gctrace: "--gctrace prints the first pod's GC cycles as they end, inside the windows",
};

/** Whether a windowed run's pods may run on worker threads, given the run's options; every reason if not. */
export function threadEligibility(options: { schedtraceMs?: number; gctrace?: boolean }): OneThreadReason[] {
  const reasons: OneThreadReason[] = [];
  if (options.schedtraceMs !== undefined) reasons.push('schedtrace');
  if (options.gctrace) reasons.push('gctrace');
  return reasons;
}
