import { z } from 'zod';
import { DEFAULT_GO_VERSION, defaultGomaxprocs, GO_VERSIONS } from '../runtime/version.js';
import { type Arrival, ArrivalSchema, K6_PROCESSES, K6_TIMEOUT_MS, MAX_VUS } from './arrival-schema.js';
import { CLIENT_RETRY_POLICY } from './client-schema.js';
import {
  AUTOSCALER_KINDS,
  ClusterSchema,
  checkFaults,
  checkTimeline,
  DensitySchema,
  FaultSchema,
  HpaSchema,
  KedaSchema,
  MetricsPipelineSchema,
  TimelineEventSchema,
} from './cluster-schema.js';
import { CostsSchema } from './costs-schema.js';
import {
  type AllocSize,
  AllocSizeSchema,
  type DurationDist,
  DurationDistSchema,
  MAX_CV,
} from './distribution-schema.js';
import { checkBounds, checkCloses, checkPrograms, LIMITS, MAX_PROGRAM_OPS, stepsAllocate } from './schema-checks.js';
import { serviceSchemas } from './service-schema.js';
import { GomaxprocsSchema } from './shared-fields.js';
import { STEP_KINDS, type Step, type StepBodies, type StepKind, stepKind } from './steps.js';
import { SweepSchema } from './sweep-schema.js';

/**
 * The scenario file schema. Conventions:
 * - every field has a default, so the smallest scenario is `{}`; a block's discriminator (`dist`,
 *   `process`) is the one thing you must name when you write that block;
 * - units are in field names (`durationS`, `meanMs`, `ratePerS`), times convert to integer ns at load;
 * - unknown keys are errors (strict objects), so a typo never silently falls back to a default.
 * The reference table in docs/scenario-reference.md is generated from these descriptions.
 */

/** Dependencies, the `call` step and the service block (service-schema.ts), built on DurationDistSchema. */
const { DependenciesSchema, CallSchema, ServiceSchema } = serviceSchemas(DurationDistSchema);

// runtime.costs lives in costs-schema.ts (issue 16's 700-line rule); re-exported for importers.
export { type Costs, CostsSchema } from './costs-schema.js';
export {
  STEP_KINDS,
  type Step,
  type StepBodies,
  type StepKind,
  type StepVisitor,
  stepKind,
  visitStep,
} from './steps.js';
export type { AllocSize, Arrival, DurationDist };
export {
  AllocSizeSchema,
  ArrivalSchema,
  DurationDistSchema,
  K6_PROCESSES,
  K6_TIMEOUT_MS,
  LIMITS,
  MAX_CV,
  MAX_PROGRAM_OPS,
  MAX_VUS,
};

/**
 * The schema of each step kind's body, a Record over StepKind: a kind added to StepBodies does not compile
 * until it has a schema here. A step is a strict mapping with exactly one of these keys.
 */
const stepBodySchemas = (): { [K in StepKind]: z.ZodType<StepBodies[K], unknown> } => ({
  cpu: DurationDistSchema.describe('run on a P for this long (a CPU burst)'),
  syscall: DurationDistSchema.describe('a blocking syscall: the M blocks; sysmon may hand its P off'),
  netpoll: DurationDistSchema.describe('wait for the network (the G parks in netpoll)'),
  sleep: DurationDistSchema.describe('time.Sleep: a timer on the current P'),
  alloc: AllocSizeSchema.describe(
    'allocate heap memory (mallocgc), live until the goroutine exits: counts toward the GC trigger, and during ' +
      'a mark phase may make the goroutine assist',
  ),
  gosched: z.literal(true).describe('runtime.Gosched: yield to the global run queue'),
  spawn: z
    .strictObject({
      count: z.number().int().min(1).max(1_000_000).default(1).describe('goroutines to start (`go f()` × count)'),
      wait: z.boolean().default(true).describe('wait for all of them (a WaitGroup / channel receive)'),
      steps: z.array(StepSchema).min(1).describe("each child's program"),
    })
    .describe('start child goroutines'),
  locked: z
    .strictObject({
      mutex: z.string().min(1).default('mu').describe('mutex name; steps naming the same mutex contend'),
      cpu: DurationDistSchema.describe('CPU time spent holding it'),
    })
    .describe('sync.Mutex: Lock, run, Unlock (waiters are served first come, first served)'),
  deep: z
    .strictObject({
      stackKB: z
        .number()
        .positive()
        .max(1024 * 1024)
        .describe('stack depth the call chain needs, KiB (the stack grows by doubling from 2 KiB, copying)'),
      cpu: DurationDistSchema.describe('CPU time spent that deep'),
    })
    .describe(
      'a deep call chain (recursion, big frames): grow the stack, run, return; a later GC halves the stack ' +
        'while under a quarter of it is used',
    ),
  send: z
    .strictObject({ chan: z.string().min(1).describe('a channel declared in runtime.channels') })
    .describe('`ch <- v`: hand the value to a waiting receiver, else put it in the buffer, else wait for a receiver'),
  recv: z
    .strictObject({ chan: z.string().min(1).describe('a channel declared in runtime.channels') })
    .describe('`<-ch`: take a value from the buffer or a waiting sender, else wait for a sender'),
  repeat: z
    .strictObject({
      count: z.number().int().min(1).max(MAX_PROGRAM_OPS).describe('times to run the steps'),
      steps: z.array(StepSchema).min(1).describe('the loop body'),
    })
    .describe('a loop: the steps, count times over (each step keeps its own random stream across iterations)'),
  call: CallSchema,
  select: z
    .strictObject({
      chan: z.string().min(1).describe('a channel declared in runtime.channels'),
      op: z.enum(['recv', 'send']).default('recv').describe('the channel case: `<-ch` (recv) or `ch <- v` (send)'),
      timeout: DurationDistSchema.describe('the timer case: `<-time.After(timeout)`'),
      ready: z.array(StepSchema).default([]).describe('steps run when the channel case wins'),
      timedOut: z.array(StepSchema).default([]).describe('steps run when the timeout wins'),
    })
    .describe(
      'select with a timeout (selectgo): the channel case if it can proceed now, else park on the channel and a ' +
        'timer; whichever comes first wins (a closed channel makes recv ready at once, send panic)',
    ),
  close: z
    .strictObject({ chan: z.string().min(1).describe('a channel declared in runtime.channels') })
    .describe(
      '`close(ch)` (closechan): every parked receiver wakes with the zero value, later receives never block; a ' +
        'send to it, or a second close, panics (the pod dies)',
    ),
  rwlocked: z
    .strictObject({
      rwmutex: z.string().min(1).default('rw').describe('sync.RWMutex name; steps naming the same one contend'),
      write: z.boolean().default(false).describe('Lock (exclusive) instead of RLock (shared)'),
      cpu: DurationDistSchema.describe('CPU time spent holding it'),
    })
    .describe(
      'sync.RWMutex (rwmutex.go): RLock/Lock, run, RUnlock/Unlock; a waiting writer blocks new readers (writer ' +
        'preference) and gets the lock when the last reader leaves',
    ),
});

export const StepSchema: z.ZodType<Step> = z.lazy(() => {
  const bodies = stepBodySchemas();
  const [first, ...rest] = STEP_KINDS.map((k) => z.strictObject({ [k]: bodies[k] }));
  return z.union([first!, ...rest]) as unknown as z.ZodType<Step>;
});

export const WorkloadSchema = z.strictObject({
  arrival: ArrivalSchema.default({ process: 'poisson', ratePerS: 100 }),
  request: z
    .strictObject({
      steps: z
        .array(StepSchema)
        .min(1)
        .default([{ cpu: { dist: 'exponential', meanMs: 1 } }])
        .describe(`the program of the goroutine serving a request, run in order; steps: ${STEP_KINDS.join(', ')}`),
    })
    .prefault({})
    .describe('what one request does'),
  client: z
    .strictObject({
      timeoutMs: z
        .number()
        .positive()
        .optional()
        .describe(
          `the client gives up on an attempt after this long (the server keeps working on it); absent = no ` +
            `timeout, or k6's ${K6_TIMEOUT_MS / 1000} s with a k6 executor (constant-vus, ramping-vus, ` +
            `ramping-arrival-rate)`,
        ),
      retries: z
        .number()
        .int()
        .min(0)
        .max(10)
        .default(0)
        .describe('attempts after the first (max attempts = retries + 1) when one fails in a way retryOn names'),
      backoffMs: z.number().nonnegative().default(100).describe('wait before retry k: backoffMs × 2^(k−1), ms'),
      ...CLIENT_RETRY_POLICY,
    })
    .prefault({})
    .describe('the callers: timeouts and retries (retry storms add load exactly when the service is slow)'),
});
export type Workload = z.infer<typeof WorkloadSchema>;

export const GcSchema = z
  .strictObject({
    gogc: z
      // "100" as the environment variable is written (env values are strings) reads as 100.
      .preprocess(
        (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
        z.union([z.number().int().min(1).max(100_000), z.literal('off')]),
      )
      .default(100)
      .describe(
        'GOGC: heap growth over the live heap (and stacks, globals) before the next cycle, percent; off = ' +
          'collect only for GOMEMLIMIT',
      ),
    memoryLimitMB: z
      .number()
      .positive()
      .optional()
      .describe('GOMEMLIMIT, MiB (a soft limit the pacer steers the heap goal under); absent = none'),
    baseLiveHeapMB: z
      .number()
      .nonnegative()
      .default(0)
      .describe('heap the program keeps live regardless of requests (caches, pools), MiB'),
    globalsKB: z
      .number()
      .nonnegative()
      .default(0)
      .describe('scannable global variables, KiB (a GC root; part of the heap goal)'),
    scanRateMBPerCpuS: z
      .number()
      .positive()
      .default(1000)
      .describe('mark (scan) throughput of one CPU, MiB per CPU-second'),
    stwSweepTermUs: z
      .number()
      .nonnegative()
      .default(30)
      .describe('sweep-termination stop-the-world work, µs (plus the time to preempt running Gs)'),
    stwMarkTermUs: z
      .number()
      .nonnegative()
      .default(60)
      .describe('mark-termination stop-the-world work, µs (plus the time to preempt running Gs)'),
    sweepNsPerKB: z
      .number()
      .nonnegative()
      .default(100)
      .describe(
        'sweeping 1 KiB of heap spans (done by allocating goroutines in proportion, the rest at the next sweep ' +
          'termination), ns',
      ),
    writeBarrierSlowdown: z
      .number()
      .min(1)
      .default(1.05)
      .describe('CPU bursts that start during a mark phase run this many times longer (write barrier on)'),
    scanFraction: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'share of heap bytes that hold pointers and must be scanned by the mark (0 for a heap of []byte ' +
          'buffers; 1 treats every byte as scannable)',
      ),
    markAssist: z
      .boolean()
      .default(true)
      .describe('allocating goroutines in debt assist the mark (false: workers only, for comparison)'),
    cpuLimiter: z
      .boolean()
      .default(true)
      .describe('the GC CPU limiter (Go 1.19+): assists stop when GC would use over 50% of CPU'),
  })
  .describe('the garbage collector (active when some step allocates)');

export const RuntimeSchema = z
  .strictObject({
    scheduler: z
      .enum(['gmp', 'ideal-fifo'])
      .default('gmp')
      .describe(
        'gmp: the Go scheduler (Ps, Ms, run queues, stealing, sysmon); ideal-fifo: one FIFO queue served by ' +
          'gomaxprocs Ps with no overhead (the M/M/c reference; cpu steps only)',
      ),
    goVersion: z
      .enum(GO_VERSIONS)
      .default(DEFAULT_GO_VERSION)
      .describe('runtime behaviour to follow where versions differ: default GOMAXPROCS, schedtrace format'),
    gomaxprocs: GomaxprocsSchema.optional().describe(
      'number of Ps; default by goVersion: 1.19 → hostCpus; 1.25 → min(hostCpus, max(2, ceil(cpuLimitCores)))',
    ),
    netpoll: z
      .enum(['go', 'always-polling'])
      .default('go')
      .describe(
        "go: Go's netpoller (an M blocks in netpoll only when it has nothing to run; otherwise ready Gs wait " +
          "for a scheduler poll or sysmon's 10 ms poll); always-polling: an idealised poller that makes every " +
          'ready G runnable at once',
      ),
    server: z
      .enum(['none', 'net/http'])
      .default('none')
      .describe(
        'what requests arrive through: none charges nothing beyond the steps; net/http reads each request with ' +
          'a syscall before its steps (entersyscall: it wakes a deep-sleeping sysmon) and runs ' +
          "costs.httpRequestUs of CPU on the request's goroutine (one burst after its steps)",
      ),
    hostCpus: z.number().int().min(1).max(1024).default(4).describe('CPUs of the node the pod runs on'),
    cpuLimitCores: z
      .number()
      .positive()
      .optional()
      .describe(
        'container CPU limit, cores: a CFS quota of cpuLimitCores × cfsPeriodMs per period shared by all Ms ' +
          '(spent → every M stalls until the period ends); also sets the Go 1.25 GOMAXPROCS default. Absent: no limit',
      ),
    cfsPeriodMs: z
      .number()
      .min(1)
      .max(1000)
      .default(100)
      .describe(
        'CFS bandwidth period (cpu.cfs_period_us), ms: the kernel accepts 1 ms to 1 s (min_cfs_quota_period, ' +
          'max_cfs_quota_period in kernel/sched/core.c)',
      ),
    syncMutex: z
      .enum(['fifo', 'go'])
      .default('fifo')
      .describe(
        "sync.Mutex's rules: fifo hands the mutex to the first waiter at every Unlock (earlier versions' model); " +
          'go follows mutex.go: normal mode (a woken waiter competes with new arrivals and usually loses) until a ' +
          'waiter has waited over 1 ms, then starvation mode (Unlock hands off in FIFO order, new arrivals queue at ' +
          'the tail)',
      ),
    maxThreads: z
      .number()
      .int()
      .min(2)
      .max(100_000)
      .default(10_000)
      .describe('debug.SetMaxThreads: exceeding it is a fatal error'),
    costs: CostsSchema.prefault({}),
    gc: GcSchema.prefault({}),
    channels: z
      .record(
        z.string().min(1),
        z
          .strictObject({
            capacity: z
              .number()
              .int()
              .min(0)
              .max(1_000_000)
              .default(0)
              .describe('buffer slots (0: unbuffered, every send meets a receiver)'),
          })
          .prefault({}),
      )
      .default({})
      .describe('channels the steps send to and receive from, by name (`make(chan T, capacity)`), one set per pod'),
    numa: z
      .strictObject({
        nodes: z
          .number()
          .int()
          .min(1)
          .max(8)
          .default(1)
          .describe("NUMA nodes the pod's Ps span (Ps numbered node by node); 1 = uniform memory"),
        remoteFactor: z
          .number()
          .min(1)
          .default(1.5)
          .describe(
            'CPU work of a G on a P of another node than its memory (first touch) takes this many times as long',
          ),
        migrationUs: z
          .number()
          .nonnegative()
          .default(5)
          .describe('cold-cache cost of running a G stolen from a P on another node, µs'),
        stealOrder: z
          .enum(['random', 'numa-aware'])
          .default('random')
          .describe(
            "random: Go's steal order (no NUMA awareness); numa-aware: steal from the thief's own node first " +
              "(Vyukov's 2014 proposal)",
          ),
      })
      .prefault({})
      .describe('NUMA placement of the Ps and its penalties'),
    memoryLimitMB: z
      .number()
      .positive()
      .optional()
      .describe(
        'container memory limit (resources.limits.memory), MiB: when heap + stacks + runtime overhead pass it ' +
          "the pod is OOM-killed (in-flight requests lost) and restarted after kubelet's back-off; absent = none",
      ),
    runtimeOverheadMB: z
      .number()
      .nonnegative()
      .default(8)
      .describe(
        'runtime memory besides heap and stacks (metadata, fragmentation, binary), MiB; counted by GOMEMLIMIT ' +
          'and the container limit',
      ),
  })
  .transform((r) => ({
    ...r,
    gomaxprocs: r.gomaxprocs ?? defaultGomaxprocs(r.goVersion, r.hostCpus, r.cpuLimitCores),
  }));
export type Runtime = z.infer<typeof RuntimeSchema>;

/** Prometheus' default buckets (5 ms – 10 s) with sub-millisecond ones added: scheduler delays live there. */
export const DEFAULT_LATENCY_BUCKETS_MS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
] as const;

export const MetricsSchema = z.strictObject({
  sampleIntervalMs: z.number().min(0.001).default(1000).describe('time-series sampling interval, ms of simulated time'),
  latencyBucketsMs: z
    .array(z.number().positive())
    .min(1)
    .default([...DEFAULT_LATENCY_BUCKETS_MS])
    .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]!), 'strictly increasing bounds')
    .describe('upper bounds (le, ms) of the request latency histogram; +Inf is implicit'),
  exactQuantileSamples: z
    .number()
    .int()
    .min(1)
    .max(1 << 26)
    .optional()
    .describe(
      'measured latencies kept exactly for the summary quantiles (8 bytes each; default 2097152, ' +
        'metrics/sample-log.ts EXACT_SAMPLES); past it they fold into a log-linear histogram (within 0.05 %), ' +
        'so memory stays flat however long the run',
    ),
});

/** Names that become folder names and table columns. */
export const NameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

export const ScenarioSchema = z
  .strictObject({
    name: NameSchema.optional().describe(
      'scenario name, used for the results folder; default: the file name without extension',
    ),
    description: z.string().default('').describe('free text: what this scenario shows'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1)
      .describe('master random seed (`run --seed` overrides)'),
    durationS: z.number().positive().max(1e6).default(60).describe('simulated duration, s'),
    warmupS: z
      .number()
      .nonnegative()
      .default(0)
      .describe('statistics ignore requests that arrive before this simulated time, s'),
    metrics: MetricsSchema.prefault({}).describe('what is recorded, and how often'),
    workload: WorkloadSchema.prefault({}).describe('the requests arriving at the pod'),
    calibration: z
      .string()
      .min(1)
      .optional()
      .describe(
        'runtime cost values measured on a machine (`npm run calibrate`): a name from calibrations/ (e.g. ' +
          'go1.19-this-machine) or a .json file relative to the scenario; they become the defaults of ' +
          'runtime.costs and runtime.gc (values written here still win)',
      ),
    kubernetes: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Kubernetes manifest files (relative to the scenario): an apps/v1 Deployment, an autoscaling/v2 ' +
          '(v2beta2, v1) HorizontalPodAutoscaler, a KEDA ScaledObject; mapped onto cluster, runtime, hpa and ' +
          'keda (values written here still win; `gmpsim import` shows the mapping)',
      ),
    runtime: RuntimeSchema.prefault({}).describe("the pod's Go runtime (scheduler model and its parameters)"),
    cluster: ClusterSchema.prefault({}),
    metricsPipeline: MetricsPipelineSchema.prefault({}),
    hpa: HpaSchema.optional(),
    keda: KedaSchema.optional(),
    densityController: DensitySchema.optional(),
    dependencies: DependenciesSchema,
    service: ServiceSchema.prefault({}),
    faults: z.array(FaultSchema).default([]).describe('faults injected during the run (type, atS, durationS)'),
    steadyState: z
      .strictObject({
        windowS: z
          .number()
          .positive()
          .default(30)
          .describe("the probes' window before each fault starts and after it ends, s (during: the fault's own span)"),
        p99Ms: z
          .number()
          .positive()
          .optional()
          .describe("the hypothesis holds while the window's p99 latency stays below this, ms"),
        errorPercent: z
          .number()
          .min(0)
          .max(100)
          .optional()
          .describe(
            '… and failed requests (refused, lost, timed out for good) stay below this share of the requests ' +
              'that ended, percent',
          ),
      })
      .refine((h) => h.p99Ms !== undefined || h.errorPercent !== undefined, {
        message: 'expected p99Ms or errorPercent (a hypothesis with no condition checks nothing)',
      })
      .optional()
      .describe(
        "a chaos experiment's steady-state hypothesis (Chaos Toolkit, Litmus probes): checked before, during " +
          'and after each fault, reported pass/fail',
      ),
    clockStart: z.iso
      .datetime({ offset: true })
      .default('2026-01-05T00:00:00Z')
      .describe(
        'the wall-clock time of simulated t = 0, ISO 8601 with a zone offset (a Monday midnight UTC by ' +
          'default); cron schedules (keda.cron) are read against it',
      ),
    timeline: z
      .array(TimelineEventSchema)
      .default([])
      .describe('changes made at given times: rollout, scale (kubectl scale), hpa (new min/max replicas)'),
    slo: z
      .strictObject({
        p99Ms: z
          .number()
          .positive()
          .default(100)
          .describe('a sample interval whose p99 latency exceeds this violates the SLO, ms'),
      })
      .prefault({})
      .describe('the latency objective `gmpsim compare` counts violations of'),
    variants: z
      .array(
        z.strictObject({
          name: NameSchema.describe("the variant's column in the comparison"),
          patch: z
            .record(z.string(), z.unknown())
            .default({})
            .describe(
              'merged into the scenario (JSON Merge Patch: mappings merge key by key; lists and values replace; ' +
                'null removes a block, e.g. hpa: null)',
            ),
        }),
      )
      .optional()
      .describe(
        'for `gmpsim compare`: alternatives to run on the same seeds (e.g. three hpa settings); `run` ignores them',
      ),
    sweep: SweepSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.runtime.scheduler === 'ideal-fifo') {
      for (const k of ['limiter', 'requestTimeoutMs'] as const) {
        if (s.service[k] === undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: ['service', k],
          message: 'expected runtime.scheduler: gmp (the ideal-fifo scheduler runs no handler)',
        });
      }
      s.workload.request.steps.forEach((step, i) => {
        const kind = stepKind(step);
        if (kind !== 'cpu') {
          ctx.addIssue({
            code: 'custom',
            path: ['workload', 'request', 'steps', i],
            message: `the ideal-fifo scheduler runs cpu steps only, found "${kind}" (use runtime.scheduler: gmp)`,
          });
        }
      });
    }
    s.faults.forEach((f, i) => {
      if (f.type === 'node-loss' && s.cluster.nodes.count === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'type'],
          message: 'expected cluster.nodes.count ≥ 1 for a node-loss fault, found unlimited nodes (count 0)',
        });
      }
      if (f.type === 'noisy-neighbour' && f.stolenCores >= s.runtime.hostCpus) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'stolenCores'],
          message: `expected fewer stolen cores than runtime.hostCpus (${s.runtime.hostCpus}), found ${f.stolenCores}`,
        });
      }
    });
    const names = { chans: Object.keys(s.runtime.channels), deps: Object.keys(s.dependencies) };
    const a = s.workload.arrival;
    const oneRequest = a.process === 'timestamps' && a.atS.length === 1;
    checkCloses(s.workload.request.steps, ['workload', 'request', 'steps'], oneRequest, ctx);
    checkFaults(
      s.faults,
      {
        replicas: s.cluster.replicas,
        nodes: s.cluster.nodes.count,
        autoscaler: AUTOSCALER_KINDS.some((k) => s[k] !== undefined),
        clientTimeout: s.workload.client.timeoutMs !== undefined || K6_PROCESSES.includes(s.workload.arrival.process),
        allocates: stepsAllocate(s.workload.request.steps),
        gmp: s.runtime.scheduler === 'gmp',
        dependencies: names.deps,
      },
      ctx,
    );
    const nodes = s.cluster.nodes;
    if (s.cluster.nodeCpuSharing && nodes.count > 0 && nodes.allocatableCores > s.runtime.hostCpus) {
      const message =
        `expected at most runtime.hostCpus (${s.runtime.hostCpus}) with nodeCpuSharing (a node's ` +
        `allocatable CPU is part of its cores), found ${nodes.allocatableCores}`;
      ctx.addIssue({ code: 'custom', path: ['cluster', 'nodes', 'allocatableCores'], message });
    }
    checkPrograms(s.workload.request.steps, ['workload', 'request', 'steps'], names, ctx);
    checkTimeline(s.timeline, s.hpa, ctx);
    if (s.steadyState !== undefined && s.faults.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['steadyState'],
        message: 'expected faults to check the hypothesis around, found none',
      });
    }
    try {
      checkBounds(s, ctx);
    } catch {
      // Values malformed past their own (already reported) errors: nothing more to bound.
    }
    const scalers = AUTOSCALER_KINDS.filter((k) => s[k] !== undefined);
    if (scalers.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [scalers[1]!],
        message: `expected one autoscaler, found ${scalers.join(' and ')}`,
      });
    }
    // Only compare two values that are each valid on their own (their own errors are reported already).
    if (s.durationS > 0 && s.warmupS >= 0 && s.warmupS >= s.durationS) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmupS'],
        message: `expected warmupS < durationS (${s.durationS}), found ${s.warmupS}`,
      });
    }
  });

/** A scenario with every default filled in (what `run` writes as scenario.resolved.yaml). */
export type Scenario = z.infer<typeof ScenarioSchema> & { name: string };
