/**
 * `runtime.costs`: what each runtime operation costs (context switch, steal, newproc, thread create and wake,
 * syscall bookkeeping, channel op, preemption, timer slack, stack copy, mallocgc, net/http, procresize).
 * Moved out of schema.ts (issue 16's 700-line rule), which re-exports it.
 */
import { z } from 'zod';

export const CostsSchema = z
  .strictObject({
    ctxSwitchNs: z.number().nonnegative().default(200).describe('switching the P to another G (gogo + schedule), ns'),
    stealNs: z.number().nonnegative().default(300).describe('a successful steal (runqgrab), ns'),
    goroutineCreateNs: z
      .number()
      .nonnegative()
      .default(300)
      .describe('`go f()` (newproc), charged to the creating G, ns'),
    threadCreateUs: z
      .number()
      .nonnegative()
      .default(30)
      .describe('creating an OS thread for a new M (newm → clone), µs'),
    threadWakeUs: z.number().nonnegative().default(5).describe('waking a parked M (futex wake → running), µs'),
    syscallOverheadNs: z.number().nonnegative().default(100).describe('entersyscall + exitsyscall bookkeeping, ns'),
    chanOpNs: z
      .number()
      .nonnegative()
      .default(50)
      .describe('a channel send or receive that does not block (chansend/chanrecv: lock, copy, maybe goready), ns'),
    preemptSignalUs: z
      .number()
      .nonnegative()
      .default(5)
      .describe('async preemption: SIGURG delivery until the G stops, µs'),
    runnextStealWaitUs: z
      .number()
      .nonnegative()
      .default(3)
      .describe("runqgrab's usleep(3) before stealing a running P's runnext, µs"),
    timerSlackUs: z
      .number()
      .nonnegative()
      .default(50)
      .describe(
        "Linux timer slack (timer_slack_ns): how late sysmon's usleep may return; each loop takes its delay + " +
          'this + threadWakeUs, µs',
      ),
    usleepLateQuantilesUs: z
      .array(
        z.strictObject({
          q: z.number().min(0).max(1).describe('the quantile, 0 to 1'),
          us: z.number().nonnegative().describe('how late a usleep(20) returned at that quantile, µs'),
        }),
      )
      .optional()
      .superRefine((pts, ctx) => {
        if (pts === undefined) return;
        if (pts.length < 2 || pts[0]!.q !== 0 || pts.at(-1)!.q !== 1)
          ctx.addIssue({
            code: 'custom',
            message: `expected at least two points, the first at q 0 and the last at q 1, found ${pts.length} point(s)`,
          });
        for (let i = 1; i < pts.length; i++) {
          if (pts[i]!.q <= pts[i - 1]!.q)
            ctx.addIssue({
              code: 'custom',
              path: [i, 'q'],
              message: `expected q above the previous point's ${pts[i - 1]!.q}, found ${pts[i]!.q}`,
            });
          if (pts[i]!.us < pts[i - 1]!.us)
            ctx.addIssue({
              code: 'custom',
              path: [i, 'us'],
              message: `expected at least the previous point's ${pts[i - 1]!.us} µs, found ${pts[i]!.us}`,
            });
        }
      })
      .describe(
        "sysmon's usleep lateness as a distribution (issue 26): quantiles of how late a usleep(20) returns, from " +
          'q 0 to q 1 (`calibrate usleepdist` measures them); each sysmon loop shorter than 10 ms draws its own ' +
          'lateness (linear between the points), shifted so its median is timerSlackUs + threadWakeUs. Absent: ' +
          'every loop is late by exactly timerSlackUs + threadWakeUs',
      ),
    sysmonWakeCpuUs: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        "the CPU each wake of sysmon's thread (a switch in, the loop, a switch out) takes from a running M when " +
          "the pod's Ms running Go code and sysmon outnumber runtime.hostCpus (as when every thread is pinned to " +
          'one core), spread over the running Ms, µs; counts against the CPU quota with them. 0: sysmon is free. ' +
          "`calibrate sysmoncost` measured 29.8 µs on the project's VM (issue 26)",
      ),
    stackCopyNsPerKB: z
      .number()
      .nonnegative()
      .default(50)
      .describe('copystack: copying 1 KiB of stack when it grows (memmove), ns'),
    mallocNsPerObject: z
      .number()
      .nonnegative()
      .default(15)
      .describe(
        "mallocgc's small-object path (<= 32 KiB: size class, mcache span), per object, zeroing excluded, charged " +
          'to the allocating goroutine, ns',
      ),
    mallocLargeUs: z
      .number()
      .nonnegative()
      .default(2)
      .describe(
        "mallocgc's large-object path (> 32 KiB: a span of whole pages from mheap), per object, zeroing excluded, µs",
      ),
    zeroNsPerKB: z
      .number()
      .nonnegative()
      .default(50)
      .describe('memclrNoHeapPointers: zeroing 1 KiB of a new object (needzero), charged with mallocgc, ns'),
    httpRequestUs: z
      .number()
      .nonnegative()
      .default(60)
      .describe(
        "net/http's own CPU per request on the server (reading and parsing it, dispatch, writing the response, " +
          'the read/write syscalls, netpoll wake-ups), µs; charged only with runtime.server: net/http',
      ),
    procresizeUs: z
      .number()
      .nonnegative()
      .default(30)
      .describe(
        "runtime.GOMAXPROCS's stop-the-world work (procresize: Ps made or destroyed, their mcaches flushed, queues " +
          'and timers moved), µs, besides preempting the running Gs; charged only by a live GOMAXPROCS change',
      ),
  })
  .describe('runtime operation costs');
export type Costs = z.infer<typeof CostsSchema>;
