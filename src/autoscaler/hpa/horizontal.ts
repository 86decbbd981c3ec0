/**
 * The HPA control loop's decision, mirroring Kubernetes' pkg/controller/podautoscaler/horizontal.go:
 * reconcileAutoscaler's replica logic, computeReplicasForMetrics' combination of metrics, the legacy
 * path (normalizeDesiredReplicas: downscale stabilization + convertDesiredReplicasWithRules) and the
 * `behavior` path (stabilizeRecommendationWithBehaviors + convertDesiredReplicasWithBehaviorRate), with
 * the scale events and recommendations the controller keeps per HPA. Pure: the caller passes the time.
 */

export type PolicyType = 'Pods' | 'Percent';
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface HPAScalingPolicy {
  type: PolicyType;
  value: number;
  periodSeconds: number;
}

/** autoscaling/v2 HPAScalingRules; undefined fields take the defaults (GenerateHPAScale{Up,Down}Rules). */
export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: SelectPolicy;
  policies?: HPAScalingPolicy[];
  /** Per-HPA tolerance (KEP-4951); undefined = the controller's --horizontal-pod-autoscaler-tolerance. */
  tolerance?: number;
}

export interface HPABehavior {
  scaleUp?: HPAScalingRules;
  scaleDown?: HPAScalingRules;
}

/** Fully defaulted rules (scaleDown's window may stay undefined: the controller fills it). */
export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number | undefined;
  selectPolicy: SelectPolicy;
  policies: HPAScalingPolicy[];
  tolerance: number | undefined;
}

/** defaults.go: scale up — window 0, Max of (4 Pods, 100 Percent) per 15 s. */
export const DEFAULT_SCALE_UP_RULES: Readonly<ResolvedScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
  tolerance: undefined,
};

/** defaults.go: scale down — window left to the controller (300 s), Max of (100 Percent) per 15 s. */
export const DEFAULT_SCALE_DOWN_RULES: Readonly<ResolvedScalingRules> = {
  stabilizationWindowSeconds: undefined,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  tolerance: undefined,
};

/** copyHPAScalingRules over the defaults (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules). */
export function generateScalingRules(
  from: HPAScalingRules | undefined,
  defaults: Readonly<ResolvedScalingRules>,
): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds: from?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: from?.selectPolicy ?? defaults.selectPolicy,
    policies: from?.policies ?? defaults.policies.map((p) => ({ ...p })),
    tolerance: from?.tolerance ?? defaults.tolerance,
  };
}

/**
 * kube-controller-manager's HPA controller flags and their defaults, the one home for them (the scenario's
 * `hpa.controller` block and KEDA's generated HPA take their defaults from here). Names mirror the flags
 * `--horizontal-pod-autoscaler-<sync-period | tolerance | downscale-stabilization |
 * cpu-initialization-period | initial-readiness-delay>` [k/k pkg/controller/podautoscaler/config/v1alpha1/
 * defaults.go RecommendedDefaultHPAControllerConfiguration].
 */
export const HPA_CONTROLLER_DEFAULTS = {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodS: 15,
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: 0.1,
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 m). */
  downscaleStabilizationS: 300,
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 m). */
  cpuInitializationPeriodS: 300,
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayS: 30,
} as const;

/** The flags reconcileReplicas reads (the other two belong to the replica calculator). */
export interface HorizontalControllerConfig {
  syncPeriodS: number;
  downscaleStabilizationS: number;
  tolerance: number;
}

export const DEFAULT_HORIZONTAL_CONFIG: Readonly<HorizontalControllerConfig> = {
  syncPeriodS: HPA_CONTROLLER_DEFAULTS.syncPeriodS,
  downscaleStabilizationS: HPA_CONTROLLER_DEFAULTS.downscaleStabilizationS,
  tolerance: HPA_CONTROLLER_DEFAULTS.tolerance,
};

const scaleUpLimitFactor = 2.0;
const scaleUpLimitMinimum = 4.0;
const MAX_INT32 = 2147483647;
const MIN_INT32 = -2147483648;

interface TimestampedRecommendation {
  recommendation: number;
  timestampS: number;
}
interface TimestampedScaleEvent {
  replicaChange: number;
  timestampS: number;
  outdated: boolean;
}

/** What the controller remembers about one HPA between syncs. */
export class HpaMemory {
  recommendations: TimestampedRecommendation[] = [];
  scaleUpEvents: TimestampedScaleEvent[] = [];
  scaleDownEvents: TimestampedScaleEvent[] = [];
}

export type ConditionStatus = 'True' | 'False';
export interface HpaCondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** recordInitialRecommendation: the first sync seeds the window with the current size. */
export function recordInitialRecommendation(mem: HpaMemory, currentReplicas: number, nowS: number): void {
  if (mem.recommendations.length === 0) mem.recommendations.push({ recommendation: currentReplicas, timestampS: nowS });
}

/** stabilizeRecommendation (legacy path): the max recommendation not older than the downscale window. */
export function stabilizeRecommendation(
  mem: HpaMemory,
  prenormalizedDesiredReplicas: number,
  windowS: number,
  nowS: number,
): number {
  let maxRecommendation = prenormalizedDesiredReplicas;
  let oldSampleIndex = -1;
  const cutoff = nowS - windowS;
  mem.recommendations.forEach((rec, i) => {
    if (rec.timestampS < cutoff) oldSampleIndex = i;
    else if (rec.recommendation > maxRecommendation) maxRecommendation = rec.recommendation;
  });
  const rec = { recommendation: prenormalizedDesiredReplicas, timestampS: nowS };
  if (oldSampleIndex >= 0) mem.recommendations[oldSampleIndex] = rec;
  else mem.recommendations.push(rec);
  return maxRecommendation;
}

/** calculateScaleUpLimit: max(2 × current, 4). */
export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(scaleUpLimitFactor * currentReplicas, scaleUpLimitMinimum));
}

/** convertDesiredReplicasWithRules (legacy path): clamp to [min, min(max, scaleUpLimit)]. */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  hpaMinReplicas: number,
  hpaMaxReplicas: number,
): { replicas: number; reason: string; message: string } {
  const minimumAllowedReplicas = hpaMinReplicas;
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  let maximumAllowedReplicas: number;
  let reason: string;
  let message: string;
  if (hpaMaxReplicas > scaleUpLimit) {
    maximumAllowedReplicas = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximumAllowedReplicas = hpaMaxReplicas;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desiredReplicas < minimumAllowedReplicas) {
    return {
      replicas: minimumAllowedReplicas,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  }
  if (desiredReplicas > maximumAllowedReplicas) return { replicas: maximumAllowedReplicas, reason, message };
  return {
    replicas: desiredReplicas,
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
}

/** getReplicasChangePerPeriod: the changes of events strictly newer than now − period. */
export function getReplicasChangePerPeriod(
  periodSeconds: number,
  events: readonly TimestampedScaleEvent[],
  nowS: number,
): number {
  const cutoff = nowS - periodSeconds;
  let replicas = 0;
  for (const e of events) if (e.timestampS > cutoff) replicas += e.replicaChange;
  return replicas;
}

/** calculateScaleUpLimitWithScalingRules: per policy from the period's starting size; Max/Min select. */
export function calculateScaleUpLimitWithScalingRules(
  currentReplicas: number,
  mem: HpaMemory,
  rules: ResolvedScalingRules,
  nowS: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? MAX_INT32 : MIN_INT32;
  for (const policy of rules.policies) {
    const added = getReplicasChangePerPeriod(policy.periodSeconds, mem.scaleUpEvents, nowS);
    const deleted = getReplicasChangePerPeriod(policy.periodSeconds, mem.scaleDownEvents, nowS);
    const periodStartReplicas = currentReplicas - added + deleted;
    // Percent rounds up so that a small percentage can still add a pod.
    const proposed =
      policy.type === 'Pods'
        ? periodStartReplicas + policy.value
        : Math.ceil(periodStartReplicas * (1 + policy.value / 100));
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors: Max selects the smallest result (largest change); Percent truncates. */
export function calculateScaleDownLimitWithBehaviors(
  currentReplicas: number,
  mem: HpaMemory,
  rules: ResolvedScalingRules,
  nowS: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? MIN_INT32 : MAX_INT32;
  for (const policy of rules.policies) {
    const added = getReplicasChangePerPeriod(policy.periodSeconds, mem.scaleUpEvents, nowS);
    const deleted = getReplicasChangePerPeriod(policy.periodSeconds, mem.scaleDownEvents, nowS);
    const periodStartReplicas = currentReplicas - added + deleted;
    const proposed =
      policy.type === 'Pods'
        ? periodStartReplicas - policy.value
        : Math.trunc(periodStartReplicas * (1 - policy.value / 100));
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** NormalizationArg */
export interface NormalizationArg {
  scaleUpBehavior: ResolvedBehavior['scaleUp'];
  scaleDownBehavior: ResolvedBehavior['scaleDown'];
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/**
 * stabilizeRecommendationWithBehaviors: up = min of recommendations in the up window, down = max in
 * the down window (strictly newer than the cutoffs); start from current, raise to up, cap at down.
 * Records the unstabilized recommendation, reusing a slot older than both windows.
 */
export function stabilizeRecommendationWithBehaviors(
  mem: HpaMemory,
  args: NormalizationArg,
  nowS: number,
): { replicas: number; reason: string; message: string } {
  let upRecommendation = args.desiredReplicas;
  const upCutoff = nowS - (args.scaleUpBehavior.stabilizationWindowSeconds ?? 0);
  let downRecommendation = args.desiredReplicas;
  const downCutoff = nowS - args.scaleDownBehavior.stabilizationWindowSeconds;
  let oldSampleIndex = -1;
  mem.recommendations.forEach((rec, i) => {
    if (rec.timestampS > upCutoff) upRecommendation = Math.min(rec.recommendation, upRecommendation);
    if (rec.timestampS > downCutoff) downRecommendation = Math.max(rec.recommendation, downRecommendation);
    if (rec.timestampS < upCutoff && rec.timestampS < downCutoff) oldSampleIndex = i;
  });
  let recommendation = args.currentReplicas;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  const rec = { recommendation: args.desiredReplicas, timestampS: nowS };
  if (oldSampleIndex >= 0) mem.recommendations[oldSampleIndex] = rec;
  else mem.recommendations.push(rec);
  return args.desiredReplicas >= args.currentReplicas
    ? {
        replicas: recommendation,
        reason: 'ScaleUpStabilized',
        message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
      }
    : {
        replicas: recommendation,
        reason: 'ScaleDownStabilized',
        message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
      };
}

/** convertDesiredReplicasWithBehaviorRate: the policies' rate limits, then [min, max]. */
export function convertDesiredReplicasWithBehaviorRate(
  mem: HpaMemory,
  args: NormalizationArg,
  nowS: number,
): { replicas: number; reason: string; message: string } {
  if (args.desiredReplicas > args.currentReplicas) {
    let scaleUpLimit = calculateScaleUpLimitWithScalingRules(args.currentReplicas, mem, args.scaleUpBehavior, nowS);
    if (scaleUpLimit < args.currentReplicas) scaleUpLimit = args.currentReplicas; // wait for old events to expire
    let maximumAllowedReplicas = args.maxReplicas;
    let reason: string;
    let message: string;
    if (maximumAllowedReplicas > scaleUpLimit) {
      maximumAllowedReplicas = scaleUpLimit;
      reason = 'ScaleUpLimit';
      message = 'the desired replica count is increasing faster than the maximum scale rate';
    } else {
      reason = 'TooManyReplicas';
      message = 'the desired replica count is more than the maximum replica count';
    }
    if (args.desiredReplicas > maximumAllowedReplicas) return { replicas: maximumAllowedReplicas, reason, message };
  } else if (args.desiredReplicas < args.currentReplicas) {
    let scaleDownLimit = calculateScaleDownLimitWithBehaviors(args.currentReplicas, mem, args.scaleDownBehavior, nowS);
    if (scaleDownLimit > args.currentReplicas) scaleDownLimit = args.currentReplicas;
    let minimumAllowedReplicas = args.minReplicas;
    let reason: string;
    let message: string;
    if (minimumAllowedReplicas < scaleDownLimit) {
      minimumAllowedReplicas = scaleDownLimit;
      reason = 'ScaleDownLimit';
      message = 'the desired replica count is decreasing faster than the maximum scale rate';
    } else {
      reason = 'TooFewReplicas';
      message = 'the desired replica count is less than the minimum replica count';
    }
    if (args.desiredReplicas < minimumAllowedReplicas) return { replicas: minimumAllowedReplicas, reason, message };
  }
  return {
    replicas: args.desiredReplicas,
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
}

/** markScaleEventsOutdated + storeScaleEvent: record a rescale for the policies' periods. */
export function storeScaleEvent(
  mem: HpaMemory,
  behavior: ResolvedBehavior | undefined,
  prevReplicas: number,
  newReplicas: number,
  nowS: number,
): void {
  if (!behavior) return; // the legacy path keeps no events
  const up = newReplicas > prevReplicas;
  const rules = up ? behavior.scaleUp : behavior.scaleDown;
  const events = up ? mem.scaleUpEvents : mem.scaleDownEvents;
  const longestPolicyPeriod = rules.policies.reduce((a, p) => Math.max(a, p.periodSeconds), 0);
  const cutoff = nowS - longestPolicyPeriod;
  let oldSampleIndex = -1;
  events.forEach((e, i) => {
    if (e.timestampS < cutoff) e.outdated = true;
    if (e.outdated) oldSampleIndex = i;
  });
  const ev = {
    replicaChange: up ? newReplicas - prevReplicas : prevReplicas - newReplicas,
    timestampS: nowS,
    outdated: false,
  };
  if (oldSampleIndex >= 0) events[oldSampleIndex] = ev;
  else events.push(ev);
}

/** One metric's outcome for computeReplicasForMetrics: a proposal, or the error that made it invalid. */
/**
 * One metric's proposal, or its error with the ScalingActive reason computeReplicasForMetric sets for
 * its source type (FailedGetResourceMetric, FailedGetContainerResourceMetric, FailedGetPodsMetric,
 * FailedGetObjectMetric, FailedGetExternalMetric).
 */
export type MetricProposal = { replicas: number; metricName: string } | { error: string; reason: string };

/**
 * computeReplicasForMetrics: the largest proposal. If every metric is invalid, or some are and the
 * result would scale down, returns replicas −1 (no scaling this sync).
 */
export function computeReplicasForMetrics(
  proposals: readonly MetricProposal[],
  specReplicas: number,
): { replicas: number; metricName: string; error?: string; reason?: string } {
  let replicas = 0;
  let metricName = '';
  let invalid = 0;
  let firstError: string | undefined;
  let firstReason = '';
  for (const p of proposals) {
    if ('error' in p) {
      if (invalid === 0) {
        firstError = p.error;
        firstReason = p.reason;
      }
      invalid++;
      continue;
    }
    if (replicas === 0 || p.replicas > replicas) {
      replicas = p.replicas;
      metricName = p.metricName;
    }
  }
  const error =
    firstError !== undefined
      ? `invalid metrics (${invalid} invalid out of ${proposals.length}), first error is: ${firstError}`
      : undefined;
  // The condition is the first invalid metric's (invalidMetricCondition).
  if (invalid >= proposals.length || (invalid > 0 && replicas < specReplicas))
    return { replicas: -1, metricName: '', ...(error !== undefined ? { error } : {}), reason: firstReason };
  return { replicas, metricName, ...(error !== undefined ? { error } : {}) };
}

/** The HPA spec fields the decision needs. */
export interface HpaSpecForDecision {
  minReplicas: number;
  maxReplicas: number;
  behavior?: HPABehavior;
}

export interface HpaDecision {
  /** The new spec.replicas of the target (equal to current when not rescaling). */
  desiredReplicas: number;
  rescale: boolean;
  /** Why (reconcileAutoscaler's rescaleReason), when rescaling. */
  reason: string;
  conditions: HpaCondition[];
  /**
   * When the metrics were computed: the metrics' recommendation (computeReplicasForMetrics) and what
   * stabilisation made of it, before the rate and min/max limits (normalizeDesiredReplicas*).
   */
  recommendation?: { replicas: number; stabilized: number };
}

export interface ResolvedBehavior {
  scaleUp: ResolvedScalingRules;
  scaleDown: ResolvedScalingRules & { stabilizationWindowSeconds: number };
}

/** Resolve a spec's behavior as the API server's defaulting and the controller would. */
export function resolveBehavior(
  behavior: HPABehavior | undefined,
  cfg: HorizontalControllerConfig,
): ResolvedBehavior | undefined {
  if (!behavior) return undefined;
  const scaleUp = generateScalingRules(behavior.scaleUp, DEFAULT_SCALE_UP_RULES);
  const down = generateScalingRules(behavior.scaleDown, DEFAULT_SCALE_DOWN_RULES);
  // maybeInitScaleDownStabilizationWindow: an unset scale-down window takes the controller's flag.
  const stabilizationWindowSeconds = down.stabilizationWindowSeconds ?? cfg.downscaleStabilizationS;
  return { scaleUp, scaleDown: { ...down, stabilizationWindowSeconds } };
}

/**
 * reconcileAutoscaler's replica decision for one sync. `metrics` is called only when the replica count
 * is inside [min, max] (as the Go code computes metrics only then); it returns each metric's proposal.
 */
export function reconcileReplicas(
  mem: HpaMemory,
  spec: HpaSpecForDecision,
  currentReplicas: number,
  metrics: () => readonly MetricProposal[],
  nowS: number,
  cfg: HorizontalControllerConfig = DEFAULT_HORIZONTAL_CONFIG,
): HpaDecision {
  const conditions: HpaCondition[] = [];
  const setCondition = (type: HpaCondition['type'], status: ConditionStatus, reason: string, message: string) => {
    const i = conditions.findIndex((c) => c.type === type);
    const c = { type, status, reason, message };
    if (i >= 0) conditions[i] = c;
    else conditions.push(c);
  };
  setCondition(
    'AbleToScale',
    'True',
    'SucceededGetScale',
    "the HPA controller was able to get the target's current scale",
  );
  recordInitialRecommendation(mem, currentReplicas, nowS);
  const minReplicas = spec.minReplicas;
  let desiredReplicas = 0;
  let rescaleReason = '';
  let rescale = true;
  let recommendation: HpaDecision['recommendation'];
  if (currentReplicas === 0 && minReplicas !== 0) {
    setCondition(
      'ScalingActive',
      'False',
      'ScalingDisabled',
      'scaling is disabled since the replica count of the target is zero',
    );
    return { desiredReplicas: 0, rescale: false, reason: '', conditions };
  } else if (currentReplicas > spec.maxReplicas) {
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    desiredReplicas = spec.maxReplicas;
  } else if (currentReplicas < minReplicas) {
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    desiredReplicas = minReplicas;
  } else {
    const m = computeReplicasForMetrics(metrics(), currentReplicas);
    if (m.replicas === -1) {
      setCondition(
        'ScalingActive',
        'False',
        m.reason ?? '',
        `the HPA was unable to compute the replica count: ${m.error ?? 'no metrics'}`,
      );
      return { desiredReplicas: currentReplicas, rescale: false, reason: '', conditions };
    }
    setCondition(
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${m.metricName}`,
    );
    let rescaleMetric = '';
    if (m.replicas > desiredReplicas) {
      desiredReplicas = m.replicas;
      rescaleMetric = m.metricName;
    }
    if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
    if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
    const behavior = resolveBehavior(spec.behavior, cfg);
    if (!behavior) {
      // normalizeDesiredReplicas
      const stabilized = stabilizeRecommendation(mem, desiredReplicas, cfg.downscaleStabilizationS, nowS);
      if (stabilized !== desiredReplicas) {
        setCondition(
          'AbleToScale',
          'True',
          'ScaleDownStabilized',
          'recent recommendations were higher than current one, applying the highest recent recommendation',
        );
      } else setCondition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
      const r = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, spec.maxReplicas);
      setCondition('ScalingLimited', r.replicas === stabilized ? 'False' : 'True', r.reason, r.message);
      recommendation = { replicas: desiredReplicas, stabilized };
      desiredReplicas = r.replicas;
    } else {
      // normalizeDesiredReplicasWithBehaviors
      const args: NormalizationArg = {
        scaleUpBehavior: behavior.scaleUp,
        scaleDownBehavior: behavior.scaleDown,
        minReplicas,
        maxReplicas: spec.maxReplicas,
        currentReplicas,
        desiredReplicas,
      };
      const st = stabilizeRecommendationWithBehaviors(mem, args, nowS);
      if (st.replicas !== desiredReplicas) setCondition('AbleToScale', 'True', st.reason, st.message);
      else setCondition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
      args.desiredReplicas = st.replicas;
      recommendation = { replicas: desiredReplicas, stabilized: st.replicas };
      const r = convertDesiredReplicasWithBehaviorRate(mem, args, nowS);
      setCondition('ScalingLimited', r.replicas === st.replicas ? 'False' : 'True', r.reason, r.message);
      desiredReplicas = r.replicas;
    }
    rescale = desiredReplicas !== currentReplicas;
  }
  if (rescale) storeScaleEvent(mem, resolveBehavior(spec.behavior, cfg), currentReplicas, desiredReplicas, nowS);
  return {
    desiredReplicas: rescale ? desiredReplicas : currentReplicas,
    rescale,
    reason: rescale ? rescaleReason : '',
    conditions,
    ...(recommendation ? { recommendation } : {}),
  };
}

/** The tolerances an HPA uses: per-direction behavior tolerance, else the controller's flag. */
export function hpaTolerances(
  behavior: HPABehavior | undefined,
  cfg: HorizontalControllerConfig = DEFAULT_HORIZONTAL_CONFIG,
): { scaleUp: number; scaleDown: number } {
  return {
    scaleUp: behavior?.scaleUp?.tolerance ?? cfg.tolerance,
    scaleDown: behavior?.scaleDown?.tolerance ?? cfg.tolerance,
  };
}
