import type { Deployment } from '../cluster/deployment.js';
import type { MetricsPipelineModel } from '../cluster/metrics-pipeline.js';
import type { Simulation } from '../engine/simulation.js';
import {
  AUTOSCALER_KINDS,
  type AutoscalerKind,
  type Cluster,
  type Density,
  type Hpa,
  type Keda,
  toMilli,
} from '../scenario/cluster-schema.js';
import { DensityController } from './density/controller.js';
import { HpaController, type HpaDecisionRecord } from './hpa/controller.js';
import type { HpaEvent } from './hpa/status.js';
import { KedaScaledObject } from './keda/scaled-object.js';

/**
 * What the simulation drives an autoscaler through: it scales the Deployment on its own schedule (each
 * registers its sync events when built), records one row per decision (hpa_decisions.csv), and can be
 * taken down by a fault (an `hpa-down` fault: syncs are skipped and the Deployment keeps its size).
 */
export interface Autoscaler {
  readonly kind: AutoscalerKind;
  /** One record per sync or scale, in time order. */
  readonly decisions: readonly HpaDecisionRecord[];
  /** Controller down (faults): syncs are skipped. */
  down: boolean;
  /** The events it recorded, for an HPA (`kubectl describe hpa`'s Events). */
  readonly events?: readonly HpaEvent[];
}

/** Latency windows the metrics pipeline must keep for an autoscaler's metrics. */
export interface PipelineNeeds {
  /** At the ingress (External ingress_latency_p99_ms). */
  ingress: boolean;
  /** Per pod (Pods http_request_duration_p99_ms). */
  perPod: boolean;
}

/** What building an autoscaler needs from the simulation. */
export interface AutoscalerContext {
  sim: Simulation;
  deployment: Deployment;
  metrics: MetricsPipelineModel;
  cluster: Cluster;
  /** Wall-clock time of simulated t = 0, ms since the epoch (scenario clockStart; cron triggers read it). */
  clockStartMs: number;
}

type SpecOf = { hpa: Hpa; keda: Keda; densityController: Density };

/** The scenario's autoscaler block, tagged with its kind. */
export type AutoscalerSpec = { [K in AutoscalerKind]: { kind: K; spec: SpecOf[K] } }[AutoscalerKind];

/** The scenario's autoscaler, if any (the schema allows at most one of the AUTOSCALER_KINDS keys). */
export function autoscalerSpec(s: Partial<SpecOf>): AutoscalerSpec | undefined {
  for (const kind of AUTOSCALER_KINDS) {
    const spec = s[kind];
    if (spec !== undefined) return { kind, spec } as AutoscalerSpec;
  }
  return undefined;
}

const NO_NEEDS: PipelineNeeds = { ingress: false, perPod: false };

/** What the metrics pipeline must keep for this autoscaler. Every kind is a case (a new one must be added). */
export function pipelineNeeds(a: AutoscalerSpec | undefined): PipelineNeeds {
  if (!a) return NO_NEEDS;
  switch (a.kind) {
    case 'hpa': {
      const m = a.spec.metrics;
      return {
        ingress: m.some((x) => x.type === 'External' && x.external.metric.name === 'ingress_latency_p99_ms'),
        perPod: m.some((x) => x.type === 'Pods' && x.pods.metric.name === 'http_request_duration_p99_ms'),
      };
    }
    case 'keda':
    case 'densityController':
      return NO_NEEDS;
    default:
      return unknownKind(a);
  }
}

/** Build the autoscaler (it registers its own sync events on the simulation). */
export function createAutoscaler(a: AutoscalerSpec, ctx: AutoscalerContext): Autoscaler {
  const { sim, deployment, metrics, cluster } = ctx;
  switch (a.kind) {
    case 'hpa':
      return new HpaController(sim, a.spec, deployment, metrics, {
        cpu: Math.round(cluster.pod.cpuRequestCores * 1000),
        memory: toMilli(cluster.pod.memoryRequestMB * 1024 * 1024),
      });
    case 'keda':
      return new KedaScaledObject(sim, a.spec, deployment, metrics, ctx.clockStartMs);
    case 'densityController':
      return new DensityController(sim, a.spec, deployment, metrics);
    default:
      return unknownKind(a);
  }
}

function unknownKind(a: never): never {
  throw new Error(`autoscaler: unhandled kind ${JSON.stringify(a)}`);
}
