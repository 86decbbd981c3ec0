/**
 * The HPA's replica calculation, as pure functions mirroring Kubernetes'
 * pkg/controller/podautoscaler/replica_calculator.go and metrics/utilization.go (v1.33+, with per-HPA
 * tolerances), function by function and rounding by rounding. Values are integer milli-units as in the
 * Go code (Quantity.MilliValue()); times are seconds. The calculator does not fetch anything: the
 * caller passes the pods (as the pod lister would list them) and the metrics (as the metrics client
 * would return them).
 */
import { HPA_CONTROLLER_DEFAULTS } from './horizontal.js';

/** A pod as the HPA's pod lister sees it. */
export interface HpaPod {
  name: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** DeletionTimestamp set (terminating). */
  deleting?: boolean;
  /** Status.StartTime, s; undefined = not started (StartTime == nil). */
  startTimeS?: number;
  /** The PodReady condition; undefined = no such condition. */
  ready?: { status: 'True' | 'False' | 'Unknown'; lastTransitionTimeS: number };
  /** Sum of the containers' requests for the resource, milli-units; undefined = a container lacks one. */
  requestMilli?: number;
}

/** One pod's sample from the metrics API. */
export interface PodMetric {
  value: number;
  timestampS: number;
  windowS: number;
}

/** metricsclient.PodMetricsInfo: pod name → metric. Calculators copy it; the caller's map is not changed. */
export type PodMetricsInfo = Map<string, PodMetric>;

/** The calculator's error (Go returns `err`); the control loop turns it into an invalid metric. */
export class HpaMetricError extends Error {}

/** Tolerances: usage-ratio band within which the HPA does not scale (inclusive at both ends). */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

/** Tolerances.isWithin (replica_calculator.go). */
export function isWithin(t: Tolerances, usageRatio: number): boolean {
  return 1.0 - t.scaleDown <= usageRatio && usageRatio <= 1.0 + t.scaleUp;
}

/** Options of the replica calculator (kube-controller-manager flags). */
export interface ReplicaCalculatorConfig {
  /** --horizontal-pod-autoscaler-cpu-initialization-period (default 5 m). */
  cpuInitializationPeriodS: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (default 30 s). */
  delayOfInitialReadinessStatusS: number;
}

/** The flags' defaults, from their one home (HPA_CONTROLLER_DEFAULTS). */
export const DEFAULT_REPLICA_CALCULATOR_CONFIG: Readonly<ReplicaCalculatorConfig> = {
  cpuInitializationPeriodS: HPA_CONTROLLER_DEFAULTS.cpuInitializationPeriodS,
  delayOfInitialReadinessStatusS: HPA_CONTROLLER_DEFAULTS.initialReadinessDelayS,
};

/** Go's integer division of non-negative int64 values (truncation), exact for doubles. */
function idiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** metrics.GetResourceUtilizationRatio: utilization = int32(Σusage·100 / Σrequest) over pods with a request. */
export function getResourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: ReadonlyMap<string, number>,
  targetUtilization: number,
): { usageRatio: number; utilization: number; rawAverageValue: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let numEntries = 0;
  for (const [podName, m] of metrics) {
    const request = requests.get(podName);
    if (request === undefined) continue; // extraneous metric (a pod the lister does not know)
    metricsTotal += m.value;
    requestsTotal += request;
    numEntries++;
  }
  if (requestsTotal === 0) throw new HpaMetricError('no metrics returned matched known pods');
  const utilization = idiv(metricsTotal * 100, requestsTotal);
  return { usageRatio: utilization / targetUtilization, utilization, rawAverageValue: idiv(metricsTotal, numEntries) };
}

/** metrics.GetMetricUsageRatio: average = Σvalue / n (integer), ratio = average / target. */
export function getMetricUsageRatio(
  metrics: PodMetricsInfo,
  targetUsage: number,
): { usageRatio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = idiv(total, metrics.size);
  return { usageRatio: usage / targetUsage, usage };
}

/**
 * groupPods: ready count and the unready, missing and ignored sets. Deleted and Failed pods are ignored;
 * Pending pods are unready; a pod without a metric is missing. Readiness matters for CPU only.
 */
export function groupPods(
  pods: readonly HpaPod[],
  metrics: PodMetricsInfo,
  resource: string,
  cfg: ReplicaCalculatorConfig,
  nowS: number,
): { readyPodCount: number; unreadyPods: Set<string>; missingPods: Set<string>; ignoredPods: Set<string> } {
  const unreadyPods = new Set<string>();
  const missingPods = new Set<string>();
  const ignoredPods = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') {
      ignoredPods.add(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      unreadyPods.add(pod.name);
      continue;
    }
    const metric = metrics.get(pod.name);
    if (metric === undefined) {
      missingPods.add(pod.name);
      continue;
    }
    if (resource === 'cpu') {
      let unready: boolean;
      const condition = pod.ready;
      if (condition === undefined || pod.startTimeS === undefined) unready = true;
      else if (pod.startTimeS + cfg.cpuInitializationPeriodS > nowS) {
        // Within the initialisation period: unready, or no full metric window since the last transition.
        unready = condition.status === 'False' || metric.timestampS < condition.lastTransitionTimeS + metric.windowS;
      } else {
        // Afterwards: unready only if not ready and it has never been ready.
        unready =
          condition.status === 'False' &&
          pod.startTimeS + cfg.delayOfInitialReadinessStatusS > condition.lastTransitionTimeS;
      }
      if (unready) {
        unreadyPods.add(pod.name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, unreadyPods, missingPods, ignoredPods };
}

/** How groupPods sorted the pods of one calculation (for hpa_decisions.csv). */
export interface PodCounts {
  ready: number;
  unready: number;
  missing: number;
  ignored: number;
}

function podCounts(g: ReturnType<typeof groupPods>): PodCounts {
  return {
    ready: g.readyPodCount,
    unready: g.unreadyPods.size,
    missing: g.missingPods.size,
    ignored: g.ignoredPods.size,
  };
}

/** calculateRequests (container-summed requests); a missing request is an error. */
export function calculateRequests(pods: readonly HpaPod[], resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    if (pod.requestMilli === undefined) throw new HpaMetricError(`missing request for ${resource} in Pod ${pod.name}`);
    requests.set(pod.name, pod.requestMilli);
  }
  return requests;
}

function removeMetricsForPods(metrics: PodMetricsInfo, pods: Set<string>): void {
  for (const p of pods) metrics.delete(p);
}

function setAll(metrics: PodMetricsInfo, pods: Iterable<string>, value: (pod: string) => number): void {
  for (const p of pods) metrics.set(p, { value: value(p), timestampS: 0, windowS: 0 });
}

/** Inputs common to the pod-based calculations. */
export interface PodsInput {
  currentReplicas: number;
  pods: readonly HpaPod[];
  metrics: PodMetricsInfo;
  tolerances: Tolerances;
  nowS: number;
  cfg?: ReplicaCalculatorConfig;
}

/**
 * GetResourceReplicas: Resource/ContainerResource with an Utilization target (percent of request).
 * Returns the replica proposal, the utilization (percent) and the raw average value (milli).
 */
export function getResourceReplicas(inp: PodsInput & { targetUtilization: number; resource: string }): {
  replicas: number;
  utilization: number;
  rawUtilization: number;
  pods: PodCounts;
} {
  const cfg = inp.cfg ?? DEFAULT_REPLICA_CALCULATOR_CONFIG;
  if (inp.metrics.size === 0)
    throw new HpaMetricError(
      `unable to get metrics for resource ${inp.resource}: no metrics returned from resource metrics API`,
    );
  if (inp.pods.length === 0) throw new HpaMetricError('no pods returned by selector while calculating replica count');
  const metrics: PodMetricsInfo = new Map(inp.metrics);
  const groups = groupPods(inp.pods, metrics, inp.resource, cfg, inp.nowS);
  const { readyPodCount, unreadyPods, missingPods, ignoredPods } = groups;
  removeMetricsForPods(metrics, ignoredPods);
  removeMetricsForPods(metrics, unreadyPods);
  if (metrics.size === 0) throw new HpaMetricError('did not receive metrics for targeted pods (pods might be unready)');
  const requests = calculateRequests(inp.pods, inp.resource);
  const { usageRatio, utilization, rawAverageValue } = getResourceUtilizationRatio(
    metrics,
    requests,
    inp.targetUtilization,
  );
  const cur = inp.currentReplicas;
  const result = (replicas: number) => ({
    replicas,
    utilization,
    rawUtilization: rawAverageValue,
    pods: podCounts(groups),
  });

  const scaleUpWithUnready = unreadyPods.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missingPods.size === 0) {
    if (isWithin(inp.tolerances, usageRatio)) return result(cur);
    return result(Math.ceil(usageRatio * readyPodCount));
  }
  if (missingPods.size > 0) {
    if (usageRatio < 1.0) {
      // Scale-down: missing pods use 100% of their request (or the target, if above 100%).
      const fallbackUtilization = Math.max(100, inp.targetUtilization);
      setAll(metrics, missingPods, (p) => idiv(requests.get(p)! * fallbackUtilization, 100));
    } else if (usageRatio > 1.0) {
      setAll(metrics, missingPods, () => 0); // scale-up: missing pods use 0%
    }
  }
  if (scaleUpWithUnready) setAll(metrics, unreadyPods, () => 0);
  const newUsageRatio = getResourceUtilizationRatio(metrics, requests, inp.targetUtilization).usageRatio;
  if (
    isWithin(inp.tolerances, newUsageRatio) ||
    (usageRatio < 1.0 && newUsageRatio > 1.0) ||
    (usageRatio > 1.0 && newUsageRatio < 1.0)
  ) {
    return result(cur); // too small a change, or the rebalance flipped the direction
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1.0 && newReplicas > cur) || (newUsageRatio > 1.0 && newReplicas < cur)) return result(cur);
  return result(newReplicas);
}

/**
 * calcPlainMetricReplicas: Pods metrics and Resource AverageValue targets (GetMetricReplicas,
 * GetRawResourceReplicas). `resource` is 'cpu' for a CPU AverageValue target (readiness then matters).
 */
export function calcPlainMetricReplicas(inp: PodsInput & { targetUsage: number; resource?: string }): {
  replicas: number;
  usage: number;
  pods: PodCounts;
} {
  const cfg = inp.cfg ?? DEFAULT_REPLICA_CALCULATOR_CONFIG;
  if (inp.pods.length === 0) throw new HpaMetricError('no pods returned by selector while calculating replica count');
  const metrics: PodMetricsInfo = new Map(inp.metrics);
  const groups = groupPods(inp.pods, metrics, inp.resource ?? '', cfg, inp.nowS);
  const { readyPodCount, unreadyPods, missingPods, ignoredPods } = groups;
  const pods = podCounts(groups);
  removeMetricsForPods(metrics, ignoredPods);
  removeMetricsForPods(metrics, unreadyPods);
  if (metrics.size === 0) throw new HpaMetricError('did not receive metrics for targeted pods (pods might be unready)');
  const { usageRatio, usage } = getMetricUsageRatio(metrics, inp.targetUsage);
  const cur = inp.currentReplicas;
  const scaleUpWithUnready = unreadyPods.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missingPods.size === 0) {
    if (isWithin(inp.tolerances, usageRatio)) return { replicas: cur, usage, pods };
    return { replicas: Math.ceil(usageRatio * readyPodCount), usage, pods };
  }
  if (missingPods.size > 0) {
    if (usageRatio < 1.0)
      setAll(metrics, missingPods, () => inp.targetUsage); // scale-down: exactly the target
    else if (usageRatio > 1.0) setAll(metrics, missingPods, () => 0);
  }
  if (scaleUpWithUnready) setAll(metrics, unreadyPods, () => 0);
  const newUsageRatio = getMetricUsageRatio(metrics, inp.targetUsage).usageRatio;
  if (
    isWithin(inp.tolerances, newUsageRatio) ||
    (usageRatio < 1.0 && newUsageRatio > 1.0) ||
    (usageRatio > 1.0 && newUsageRatio < 1.0)
  ) {
    return { replicas: cur, usage, pods };
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1.0 && newReplicas > cur) || (newUsageRatio > 1.0 && newReplicas < cur))
    return { replicas: cur, usage, pods };
  return { replicas: newReplicas, usage, pods };
}

/** getReadyPodsCount: Running and Ready pods. */
export function getReadyPodsCount(pods: readonly HpaPod[]): number {
  if (pods.length === 0) throw new HpaMetricError('no pods returned by selector while calculating replica count');
  return pods.filter((p) => p.phase === 'Running' && p.ready?.status === 'True').length;
}

const MAX_INT32 = 2147483647;

/**
 * getUsageRatioReplicaCount: with current ≠ 0, tolerance then ceil(ratio × ready pods); with current = 0,
 * ceil(ratio) (scale from zero, no tolerance).
 */
export function getUsageRatioReplicaCount(
  currentReplicas: number,
  usageRatio: number,
  tolerances: Tolerances,
  pods: readonly HpaPod[],
): number {
  if (currentReplicas !== 0) {
    if (isWithin(tolerances, usageRatio)) return currentReplicas;
    const f = usageRatio * getReadyPodsCount(pods);
    return f > MAX_INT32 ? MAX_INT32 : Math.ceil(f);
  }
  return Math.ceil(usageRatio);
}

/** GetObjectMetricReplicas (Object metric, Value target). */
export function getObjectMetricReplicas(
  currentReplicas: number,
  value: number,
  targetUsage: number,
  tolerances: Tolerances,
  pods: readonly HpaPod[],
): { replicas: number; usage: number } {
  return { replicas: getUsageRatioReplicaCount(currentReplicas, value / targetUsage, tolerances, pods), usage: value };
}

/** GetObjectPerPodMetricReplicas (Object metric, AverageValue target): ratio over status.replicas. */
export function getObjectPerPodMetricReplicas(
  statusReplicas: number,
  value: number,
  targetAverageUsage: number,
  tolerances: Tolerances,
): { replicas: number; usage: number } {
  let replicas = statusReplicas;
  const usageRatio = value / (targetAverageUsage * replicas);
  if (!isWithin(tolerances, usageRatio)) replicas = Math.ceil(value / targetAverageUsage);
  return { replicas, usage: Math.ceil(value / statusReplicas) };
}

/** GetExternalMetricReplicas (External metric, Value target): the sum of the series against the target. */
export function getExternalMetricReplicas(
  currentReplicas: number,
  values: readonly number[],
  targetUsage: number,
  tolerances: Tolerances,
  pods: readonly HpaPod[],
): { replicas: number; usage: number } {
  const usage = values.reduce((a, v) => a + v, 0);
  return { replicas: getUsageRatioReplicaCount(currentReplicas, usage / targetUsage, tolerances, pods), usage };
}

/** GetExternalPerPodMetricReplicas (External metric, AverageValue target). */
export function getExternalPerPodMetricReplicas(
  statusReplicas: number,
  values: readonly number[],
  targetUsagePerPod: number,
  tolerances: Tolerances,
): { replicas: number; usage: number } {
  const usage = values.reduce((a, v) => a + v, 0);
  let replicas = statusReplicas;
  const usageRatio = usage / (targetUsagePerPod * replicas);
  if (!isWithin(tolerances, usageRatio)) {
    const r = Math.ceil(usage / targetUsagePerPod);
    replicas = Math.min(r, MAX_INT32);
  }
  return { replicas, usage: Math.ceil(usage / statusReplicas) };
}
