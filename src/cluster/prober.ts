/**
 * The kubelet's probe worker, one per (pod, container, probe type), reduced to its decisions: whether a
 * tick probes, and what a probe's result does to the cached result. The Deployment runs the ticks and
 * sends the probes; this leaf only returns values. Mirrors kubernetes/kubernetes pkg/kubelet/prober/
 * worker.go (newWorker, doProbe) and prober_manager.go (UpdatePodStatus).
 */

export type ProbeType = 'startup' | 'readiness' | 'liveness';
export const PROBE_TYPES: readonly ProbeType[] = ['startup', 'readiness', 'liveness'];
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

/** A Probe's timing and thresholds (core/v1 Probe; defaults from SetDefaults_Probe). */
export interface ProbeSpec {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** What the container looks like to doProbe at a tick. */
export interface ContainerView {
  /** The container's generation (its container ID); -1 while it has none. */
  containerId: number;
  /** State.Running != nil. */
  running: boolean;
  /** Whole seconds since State.Running.StartedAt, as int32(time.Since(...).Seconds()) truncates. */
  secondsSinceStart: number;
  /** ContainerStatus.Started: the startup probe succeeded (or there is none). */
  started: boolean;
  /** The pod has a deletionTimestamp. */
  deleting: boolean;
}

/** What a tick does: probe now, skip, or stop the worker (it returns false from doProbe). */
export type TickAction = 'probe' | 'skip' | 'stop';

export class ProbeWorker {
  /** The cached result the kubelet acts on (resultsManager). */
  result: ProbeResult;
  lastResult: ProbeResult = 'Unknown';
  resultRun = 0;
  onHold = false;
  containerId = -1;

  constructor(
    readonly type: ProbeType,
    readonly spec: ProbeSpec,
  ) {
    this.result = this.initialValue;
  }

  /** newWorker: readiness starts Failure, liveness Success, startup Unknown. */
  get initialValue(): ProbeResult {
    return this.type === 'readiness' ? 'Failure' : this.type === 'liveness' ? 'Success' : 'Unknown';
  }

  /** doProbe up to the probe call: a new container resets the result and lifts the hold; then the gates. */
  tick(c: ContainerView): TickAction {
    if (c.containerId < 0) return 'skip'; // not created yet
    if (c.containerId !== this.containerId) {
      this.containerId = c.containerId;
      this.result = this.initialValue;
      this.onHold = false; // "We've got a new container; resume probing."
    }
    if (this.onHold) return 'skip';
    if (!c.running) {
      this.result = 'Failure'; // "Non-running container probed"; the pod restarts it (RestartPolicy Always)
      return 'skip';
    }
    if (c.deleting && this.type !== 'readiness') {
      this.result = 'Success'; // quiet shutdown
      return 'stop';
    }
    if (c.secondsSinceStart < this.spec.initialDelaySeconds) return 'skip';
    if (c.started ? this.type === 'startup' : this.type !== 'startup') return 'skip';
    return 'probe';
  }

  /**
   * doProbe after the probe: count the run of identical results; the cached result changes only when the
   * run reaches failureThreshold or successThreshold. A liveness or startup Failure puts the worker on
   * hold until a new container. Returns the result set, or undefined if the threshold was not reached.
   */
  record(result: 'Success' | 'Failure'): ProbeResult | undefined {
    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    const threshold = result === 'Failure' ? this.spec.failureThreshold : this.spec.successThreshold;
    if (this.resultRun < threshold) return undefined;
    this.result = result;
    if (this.type !== 'readiness' && result === 'Failure') {
      this.onHold = true;
      this.resultRun = 0;
    }
    return result;
  }
}
