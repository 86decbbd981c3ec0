"""Writes the teaching notebooks (notebooks/*.ipynb) from the cells below; `npm run notebooks` then
executes them with the tslab TypeScript kernel and saves their outputs. Edit here, not in the .ipynb.

Every lesson has the same shape (issue 21): the question; a prediction the reader writes down before
running; the run; the figure; what happened in the runtime's or the controller's own terms, with links to
the Go or Kubernetes function; exercises with worked answers (a code cell that runs the change, and the
reasoning folded in a <details> block). Numbers about a run are printed by the run, never written into the
text: seeded outputs move when the model does. test/lessons/notebooks.test.ts checks the shape."""
import json
import pathlib

GO = "https://github.com/golang/go/blob/go1.19/src/runtime/"
K8S = "https://github.com/kubernetes/kubernetes/blob/v1.30.0/pkg/controller/podautoscaler/"

IMPORTS = """import * as tslab from 'tslab';
import { loadScenarioFile, compareScenarios, runScenario, Experiment, seriesChartSvg, mmcMeanWait } from '../dist/src/index.js';
import { readFileSync } from 'node:fs';
const variants = (file: string) => compareScenarios(readFileSync(file, 'utf8'), file).variants;
/** The scenario of `file` (its base, without variants) with `patch` merged in, as a variant would be. */
const patched = (file: string, patch: object) => {
  const text = readFileSync(file, 'utf8').replace(/^variants:[\\s\\S]*$/m, '');
  return compareScenarios(`${text}\\nvariants:\\n  - name: exercise\\n    patch: ${JSON.stringify(patch)}\\n`, file).variants[0]!.scenario;
};
/** One column of a run's timeseries. */
const col = (r: { series: { columns: readonly string[]; rows: readonly (readonly number[])[] } }, name: string) => {
  const i = r.series.columns.indexOf(name);
  return r.series.rows.map((row) => row[i]!);
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;"""


def lesson(number, title, scenario, question, predict, cells, explain, exercises, report):
    """cells: the run and the figure ([("code", ...) / ("md", ...)]); exercises: [(question, code, answer)]."""
    out = [
        ("md", f"# {number}. {title}\n\n**Scenario:** [`scenarios/{scenario}`](../scenarios/{scenario})\n\n"
               f"**The question.** {question}"),
        ("md", f"**Predict before you run.** Write your answers down first — the point is to find out where your model "
               f"of the system is wrong.\n\n{predict}"),
        ("code", IMPORTS),
        *cells,
        ("md", f"## What happened, in the system's own terms\n\n{explain}"),
        ("md", "## Exercises\n\n" + "\n".join(f"{i + 1}. {q}" for i, (q, _, _) in enumerate(exercises))
               + "\n\nGuess first; each worked answer below runs the change, then explains it (click *Answer*)."),
    ]
    for i, (_, code, answer) in enumerate(exercises):
        out.append(("code", f"// Worked answer to exercise {i + 1}\n{code}"))
        out.append(("md", f"<details><summary>Answer {i + 1}</summary>\n\n{answer}\n\n</details>"))
    out.append(("md", f"## Run it yourself\n\n{report}"))
    return out

NOTEBOOKS = {}

NOTEBOOKS["01-gmp-basics"] = lesson(
    1, "GMP basics: Gs, Ps, Ms — and a queue you can check against theory", "mmc-four-ps.yaml",
    """Each request is a goroutine (G). GOMAXPROCS Ps run Gs; each P has a local run queue of 256 plus
`runnext`; Ms are the OS threads that carry the Ps. At 70% load on 4 Ps (2,800 req/s of 1 ms exponential
CPU), does Go's scheduler — per-P queues plus stealing — wait as little as one shared FIFO queue (an
M/M/4 queue, whose mean wait Erlang C gives exactly)?""",
    """- Will the GMP scheduler with an *ideal* poller wait more, less or the same as Erlang C?
- And with Go's real netpoller, which only checks the network at certain moments?""",
    [
        ("code", """const base = loadScenarioFile('../scenarios/mmc-four-ps.yaml');
const gmp = (netpoll: 'go' | 'always-polling') => ({ ...base, runtime: { ...base.runtime, scheduler: 'gmp' as const, netpoll } });
const lambda = 2800, mu = 1000, c = 4;
const erlang = 1000 * mmcMeanWait(lambda, mu, c);
console.log(`Erlang C mean wait      ${erlang.toFixed(3)} ms`);
for (const [name, s] of [['ideal FIFO', base], ['GMP, ideal poller', gmp('always-polling')], ["GMP, Go's netpoll", gmp('go')]] as const) {
  const r = runScenario(s, 1).summary;
  console.log(`${name.padEnd(23)} ${r.waitMs.mean.toFixed(3)} ms = ${(r.waitMs.mean / erlang).toFixed(2)} x Erlang C  (steals ${r.gmp?.steals ?? '-'})`);
}"""),
        ("md", "The run queues over time, and the first `GODEBUG=schedtrace=200` lines, printed the way Go 1.19 prints them:"),
        ("code", """const lines: string[] = [];
const exp = new Experiment(gmp('go'), 1, { schedtraceMs: 200, onTrace: (t) => lines.push(t) });
const r = exp.finish();
console.log(lines.slice(0, 5).join('\\n'));
tslab.display.html(await seriesChartSvg(r.series, { runnable: 'runnable', running: 'running', spinning_threads: 'spinning Ms' }, 'Gs runnable and running (GMP)', 'count'));"""),
    ],
    f"""With an ideal poller the GMP scheduler is (nearly) work-conserving: a P whose local queue is empty runs
[`findRunnable`]({GO}proc.go) — local `runqget`, then the global queue, then `stealWork`, which takes half
of another P's queue (`runqsteal` → `runqgrab`) — so no P idles while a G waits anywhere, and the local
queues behave like one shared queue: the wait printed above sits at Erlang C.

Go's netpoller is not work-conserving. A request becomes runnable only when some M calls
[`netpoll`]({GO}netpoll_epoll.go): a P calls it from `findRunnable` when it runs out of work, and
[`sysmon`]({GO}proc.go) calls it if nobody has polled for 10 ms. A request that arrives while every P
is busy waits for the next poll even if another P is about to go idle; and the Gs a poll finds are
injected by `injectglist` onto queues, not handed to the P that will be free first. That is the gap
between the last line and Erlang C. In the schedtrace lines, `runqueue=` is the global queue and the
brackets hold each P's local queue — what `runqput` fills and stealing drains.""",
    [
        ("""Raise the load to 3,600 req/s (90%) on the ideal FIFO scheduler. By how much does the mean wait grow
— in proportion to the load (×90/70), or faster? Why?""",
         """const hot = { ...base, workload: { ...base.workload, arrival: { process: 'poisson' as const, ratePerS: 3600 } } };
const w70 = runScenario(base, 1).summary.waitMs.mean, w90 = runScenario(hot, 1).summary.waitMs.mean;
console.log(`simulated: 70% ${w70.toFixed(3)} ms, 90% ${w90.toFixed(3)} ms  (x${(w90 / w70).toFixed(1)})`);
console.log(`Erlang C:  70% ${(1000 * mmcMeanWait(2800, 1000, 4)).toFixed(3)} ms, 90% ${(1000 * mmcMeanWait(3600, 1000, 4)).toFixed(3)} ms`);""",
         """Much faster than in proportion: in an M/M/c queue the wait grows roughly like 1/(1 − ρ) once the
servers are mostly busy — going from ρ = 0.7 to 0.9 triples 1/(1 − ρ) and also makes waiting much more
likely (Erlang C's P(wait) rises). The simulation follows the formula, which is the check that the
engine's queueing is right before any Go detail is added. In production this is why "70% CPU" and "90%
CPU" are different worlds for latency."""),
        ("""Keep 70% load but on **one** P (700 req/s, GOMAXPROCS 1). Same utilisation — is the wait the same as on
four Ps?""",
         """const one = { ...base, workload: { ...base.workload, arrival: { process: 'poisson' as const, ratePerS: 700 } }, runtime: { ...base.runtime, gomaxprocs: 1 } };
const w1 = runScenario(one, 1).summary.waitMs.mean;
console.log(`1 P at 70%: simulated ${w1.toFixed(3)} ms, M/M/1 ${(1000 * mmcMeanWait(700, 1000, 1)).toFixed(3)} ms; 4 Ps at 70%: M/M/4 ${(1000 * mmcMeanWait(2800, 1000, 4)).toFixed(3)} ms`);""",
         """No — one server at 70% waits several times longer than four at 70%. Four servers pool their idle
moments: a request waits only if *all four* are busy. This pooling is exactly what per-P run queues
would lose without stealing, and what `stealWork` wins back."""),
    ],
    """`gmpsim run scenarios/mmc-four-ps.yaml --report` writes `results/mmc-four-ps/` (summary.json,
timeseries.csv, report.html); `--schedtrace 200` prints the lines above.""",
)

NOTEBOOKS["02-work-stealing"] = lesson(
    2, "Work stealing after a burst on one P", "work-stealing-burst.yaml",
    """Every 50 ms one goroutine spawns 64 short children (0.1 ms of CPU each) and waits for them. They are
all created on its P. How quickly do the other three Ps get to help — and what does the burst cost when
there is nobody to steal (GOMAXPROCS 1)?""",
    """- Roughly how many steal operations per burst on 4 Ps: about 3 (one per idle P), about 64, or something
in between?
- How much higher is p99 with GOMAXPROCS 1 than with 4?""",
    [
        ("code", """const [four, one] = variants('../scenarios/work-stealing-burst.yaml').map((v) => runScenario(v.scenario, 1).summary);
const bursts = four.requests.completed;
console.log(`GOMAXPROCS 4: ${four.gmp!.steals} steals moving ${four.gmp!.stolenGs} Gs over ${bursts} bursts = ${(four.gmp!.steals / bursts).toFixed(1)} steals, ${(four.gmp!.stolenGs / bursts).toFixed(1)} Gs per burst; p99 ${four.latencyMs.p99.toFixed(2)} ms`);
console.log(`GOMAXPROCS 1: no thief; p99 ${one.latencyMs.p99.toFixed(2)} ms (x${(one.latencyMs.p99 / four.latencyMs.p99).toFixed(1)})`);"""),
        ("code", """const r = runScenario(loadScenarioFile('../scenarios/work-stealing-burst.yaml'), 1);
tslab.display.html(await seriesChartSvg(r.series, { steals_per_s: 'steals/s' }, 'Steals per second', 'steals/s'));"""),
    ],
    f"""Each `go` statement is [`newproc`]({GO}proc.go), which puts the child into its P's `runnext` with
`runqput(pp, newg, true)`; the child already there is pushed to the local queue's tail. `newproc` then
calls `wakep`, which starts a spinning M on an idle P (only if no M is spinning yet). That M runs
`findRunnable` → `stealWork`, which visits the other Ps in random order and takes **half** of a victim's
queue (`runqsteal` → `runqgrab`, n − n/2). A spinning M that finds work calls `resetspinning` → `wakep`,
waking the next idle P — so thieves arrive one after another and each takes half of what is left: the
printed steals per burst are a handful, and far more Gs move than steals happen. With one P there is no
thief: the 64 children run one after the other, and the parent (which waits for all of them) sees the
whole sum — the printed ratio of p99s.""",
    [
        ("""Give the pod 8 Ps. Do the steals per burst double? Does p99 halve?""",
         """const eight = runScenario(patched('../scenarios/work-stealing-burst.yaml', { runtime: { gomaxprocs: 8 } }), 1).summary;
console.log(`8 Ps: ${(eight.gmp!.steals / eight.requests.completed).toFixed(1)} steals and ${(eight.gmp!.stolenGs / eight.requests.completed).toFixed(1)} Gs per burst, p99 ${eight.latencyMs.p99.toFixed(2)} ms (4 Ps: ${four.latencyMs.p99.toFixed(2)} ms)`);""",
         """More thieves do more steals, but p99 does not halve. Work spreads by halving: the first thief takes
half the queue, the next half of a remainder, so the last Ps to wake find little left; and the burst
is only 64 × 0.1 ms — the time to wake Ms and steal is a visible share of it. Compare the printed
numbers: the gain from 4 to 8 Ps is smaller than from 1 to 4."""),
        ("""Make each child 10× longer (1 ms of CPU). What happens to the number of steals per burst, and to p99?""",
         """const long = runScenario(patched('../scenarios/work-stealing-burst.yaml', { workload: { request: { steps: [{ spawn: { count: 64, wait: true, steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }] } }] } } }), 1).summary;
console.log(`1 ms children: ${(long.gmp!.steals / long.requests.completed).toFixed(1)} steals per burst, p99 ${long.latencyMs.p99.toFixed(2)} ms (0.1 ms children: ${four.latencyMs.p99.toFixed(2)} ms)`);""",
         """p99 grows about tenfold — the work is 64 ms per burst over 4 Ps — while the steal pattern changes
little: stealing happens when a P runs dry, and with longer children the Ps run dry at about the same
points in the burst. Stealing moves work; it does not make work cheaper. (If the burst no longer fits
in the 50 ms between arrivals, queues build up from burst to burst — read the printed p99.)"""),
    ],
    """`gmpsim run scenarios/work-stealing-burst.yaml --schedtrace 10 --trace burst.json --trace-window 0:0.2`
prints per-P queue lengths and writes a Perfetto timeline with the steal instants;
`gmpsim compare scenarios/work-stealing-burst.yaml` runs both variants.""",
)

NOTEBOOKS["03-syscalls-and-handoff"] = lesson(
    3, "Syscalls and handoff: why blocking syscalls grow the thread count", "syscalls-grow-threads.yaml",
    """500 requests per second each block 30 ms in a syscall (think: a read from a slow disk) on GOMAXPROCS 2.
How many OS threads does the process end up with — and what happens to latency?""",
    """- Threads: about 2 (GOMAXPROCS), about 15 (500/s × 30 ms in flight), or more?
- CPU is only a few percent busy. Will the mean latency be close to 30 ms?""",
    [
        ("code", """const r = runScenario(loadScenarioFile('../scenarios/syscalls-grow-threads.yaml'), 1);
const g = r.summary.gmp!;
console.log(`threads ${g.threads}, handoffs ${g.handoffs}, syscalls ${g.syscalls}`);
console.log(`latency mean ${r.summary.latencyMs.mean.toFixed(1)} ms, p99 ${r.summary.latencyMs.p99.toFixed(1)} ms at utilization ${pct(r.summary.utilization)}`);
tslab.display.html(await seriesChartSvg(r.series, { threads: 'threads (Ms)', in_syscall: 'Gs in syscalls', idle_threads: 'idle Ms' }, 'Threads grow with blocking syscalls', 'count'));"""),
    ],
    f"""A G that enters a blocking syscall ([`entersyscall`]({GO}proc.go)) keeps its M **and** its P; the P
is left in `_Psyscall`. Only [`sysmon`]({GO}proc.go)'s `retake` takes the P away, and only from a P
whose `syscalltick` it has seen unchanged for a whole sysmon loop; then `handoffp` → `startm` gives the
P to another M — an idle one (`mget`) or a new OS thread (`newm`). When the syscall returns,
`exitsyscall` tries `exitsyscallfast` (its old P, or any idle P); failing that the G goes to the global
queue and the M parks in `stopm` (`mput` on the idle list). Ms are never destroyed, so `threads` only
climbs, and the idle Ms stay parked.

Latency is the Go 1.19 trap described at the top of the scenario: after a lull sysmon sleeps 10 ms
per loop; returning Ms grab their old P straight out of `_Psyscall`, so each P's `syscalltick` moves
between two sysmon loops and `retake` rarely sees one unchanged — requests queue behind Ps pinned in
syscalls while the CPU idles. The printed mean latency is far above the 30 ms of the syscall at a few
percent utilization.""",
    [
        ("""Shorten the syscall to 0.002 ms (a fast `getpid`-like call). What happens to handoffs and threads?""",
         """const fast = runScenario(patched('../scenarios/syscalls-grow-threads.yaml', { workload: { request: { steps: [{ cpu: { dist: 'exponential', meanMs: 0.2 } }, { syscall: { dist: 'constant', valueMs: 0.002 } }, { cpu: { dist: 'exponential', meanMs: 0.1 } }] } } }), 1).summary;
console.log(`0.002 ms syscalls: threads ${fast.gmp!.threads}, handoffs ${fast.gmp!.handoffs}, latency mean ${fast.latencyMs.mean.toFixed(2)} ms`);""",
         """No handoffs, and the thread count stays near GOMAXPROCS. sysmon's first look at a P in a syscall only
records its `syscalltick`; a 2 µs syscall is over long before the next loop, so `retake` never fires
and the M simply keeps its P — which is why Go makes fast syscalls cheap and does not hand off eagerly."""),
        ("""Make the 30 ms wait a **network** wait (a `netpoll` step) instead of a syscall. Threads? Latency?""",
         """const net = runScenario(patched('../scenarios/syscalls-grow-threads.yaml', { workload: { request: { steps: [{ cpu: { dist: 'exponential', meanMs: 0.2 } }, { netpoll: { dist: 'constant', valueMs: 30 } }, { cpu: { dist: 'exponential', meanMs: 0.1 } }] } } }), 1).summary;
console.log(`30 ms network wait: threads ${net.gmp!.threads}, handoffs ${net.gmp!.handoffs}, latency mean ${net.latencyMs.mean.toFixed(1)} ms`);""",
         f"""A few threads and a latency close to the 30 ms wait. A network read parks the G (`gopark`) and frees
its P at once; the poller ([`netpoll`]({GO}netpoll_epoll.go)) makes the G runnable when data arrives.
No M is stuck, so nothing has to be handed off — the reason Go services do I/O through the netpoller
and why blocking file or cgo calls are the ones that grow threads."""),
    ],
    """`gmpsim run scenarios/syscalls-grow-threads.yaml --report`; the `threads` and `handoffs_per_s` columns
of timeseries.csv, and `--schedtrace 100` to watch `threads=` and `idlethreads=` climb.""",
)

NOTEBOOKS["04-preemption-and-sysmon"] = lesson(
    4, "Preemption and sysmon: why a 1 ms timer waits 10–20 ms behind a CPU hog", "sysmon-preemption-hog.yaml",
    """On GOMAXPROCS 1 a goroutine burns CPU for 5 s without yielding; another sleeps 1 ms in a loop. The
timer is due after 1 ms — when does the sleeper actually run?""",
    """- Timer lateness: about 0 ms, about 10 ms (Go's time slice), or more?
- How many sysmon loops does it take to notice the hog?""",
    [
        ("code", """const r = runScenario(loadScenarioFile('../scenarios/sysmon-preemption-hog.yaml'), 1);
const d = r.summary.gmp!.timerDelayMs;
console.log(`timer lateness: p50 ${d.p50.toFixed(2)} ms, max ${d.max.toFixed(2)} ms over ${d.count} timers`);
console.log(`preemptions ${r.summary.gmp!.preemptions}, sysmon loops evaluated ${r.summary.gmp!.sysmonLoopsEvaluated}`);"""),
        ("code", """const lines: string[] = [];
new Experiment(loadScenarioFile('../scenarios/sysmon-preemption-hog.yaml'), 1, { schedtraceMs: 5, onTrace: (t) => lines.push(t) }).finish();
console.log(lines.slice(0, 8).join('\\n'));"""),
        ("md", "The first quarter second again, sampled every millisecond: when does sysmon preempt the hog?"),
        ("code", """const fine = runScenario(patched('../scenarios/sysmon-preemption-hog.yaml', { durationS: 0.25, metrics: { sampleIntervalMs: 1 } }), 1);
const at = col(fine, 't_s').filter((_, i) => col(fine, 'preemptions_per_s')[i]! > 0);
console.log(`preemptions at t = ${at.map((t) => `${(1000 * t).toFixed(0)} ms`).join(', ')}`);
tslab.display.html(await seriesChartSvg(fine.series, { preemptions_per_s: 'preemptions/s (1 ms samples)' }, 'sysmon preempting the hog', 'per s'));"""),
    ],
    f"""Nothing in the hog yields, so only a preemption frees the P. Preemption comes from
[`sysmon`]({GO}proc.go): each loop `retake` checks every running P, and if its `schedtick` has not moved
for `forcePreemptNS` (10 ms) it calls `preemptone`, which since Go 1.14 sends SIGURG (asynchronous
preemption, [`preemptM`]({GO}signal_unix.go)). But sysmon is not a 10 ms clock: it sleeps 20 µs, and
after 50 loops that found nothing to do it doubles its sleep each loop up to 10 ms. When the hog
starts, sysmon is already asleep for 10 ms; the loop that first sees the hog's slice only records it,
and it preempts 10 ms later — so the sleeper's timer, checked by `checkTimers` when the P schedules
again, fires 10–20 ms late (the printed p50). The figure shows the rhythm this gives at 10 ms loops:
one loop sees a new `schedtick` and records it with the time, a later loop finds it unchanged 10 ms on
and preempts; the hog resumes with a fresh `schedtick` at once, so the cycle repeats — compare the
printed preemption times. The model keeps sysmon's timing state and turns into
events only the loops that can act (`sysmon loops evaluated`).""",
    [
        ("""Give the pod a second P (GOMAXPROCS 2). How late are the timers now?""",
         """const two = runScenario(patched('../scenarios/sysmon-preemption-hog.yaml', { runtime: { gomaxprocs: 2 } }), 1).summary.gmp!;
console.log(`GOMAXPROCS 2: timer lateness p50 ${two.timerDelayMs.p50.toFixed(3)} ms, max ${two.timerDelayMs.max.toFixed(3)} ms, preemptions ${two.preemptions}`);""",
         """Almost on time: the hog keeps one P, the sleeper runs on the other as soon as its timer is due. The
hog is still preempted as often (the printed count): `retake` preempts any G that has held its P for
10 ms, whether or not anything else waits — it just resumes at once. A single CPU-bound
goroutine hurts timers only when it holds the *last* free P: with GOMAXPROCS 1 (or a 1-core
container), every such hog is a 10–20 ms latency floor for everyone."""),
    ],
    """`gmpsim run scenarios/sysmon-preemption-hog.yaml --schedtrace 5` prints the single P's queue as above;
summary.json → `gmp.timerDelayMs`.""",
)

NOTEBOOKS["05-gc-and-mark-assist"] = lesson(
    5, "GC and mark assist", "gc-mark-assist.yaml",
    """Requests allocate 2 MiB each (200 req/s) on a pod with a 400 MB live heap and GOMAXPROCS 4. The GC
is concurrent — so why does p99 rise while a cycle runs, and what do GOGC and turning assists off do?""",
    """- What share of the CPU goes to mark assist: under 1%, a few %, or over 10%?
- With GOGC 200, do you expect more or fewer cycles — and more or less assist per cycle?""",
    [
        ("code", """const s = loadScenarioFile('../scenarios/gc-mark-assist.yaml');
const lines: string[] = [];
const exp = new Experiment(s, 1, { gctrace: true, onTrace: (t) => lines.push(t) });
const r = exp.finish();
console.log(lines.slice(0, 6).join('\\n'));"""),
        ("code", """tslab.display.html(await seriesChartSvg(r.series, { gc_assist_ms_per_s: 'assist ms/s', gc_cpu_ms_per_s: 'GC CPU ms/s' }, 'GC CPU and mark assist', 'ms per s'));
tslab.display.html(await seriesChartSvg(r.series, { latency_p99_ms: 'p99', latency_p50_ms: 'p50' }, 'Latency', 'ms'));"""),
        ("code", """const byVariant: Record<string, any> = {};
for (const v of variants('../scenarios/gc-mark-assist.yaml')) {
  const x = runScenario(v.scenario, 1).summary;
  byVariant[v.name] = x;
  console.log(`${v.name.padEnd(10)} p99 ${x.latencyMs.p99.toFixed(2)} ms, ${x.gmp!.gc!.cycles} cycles, assist ${pct(x.gmp!.gc!.assistFraction)} of CPU, GC ${pct(x.gmp!.gc!.gcCpuFraction)}, heap goal ${x.gmp!.gc!.heapGoalMB.toFixed(0)} MB`);
}"""),
    ],
    f"""A cycle starts ([`gcStart`]({GO}mgc.go)) when the heap reaches the pacer's trigger, a point between
the last marked heap and the goal, goal = marked × (1 + GOGC/100)
([`heapGoalInternal`]({GO}mgcpacer.go)). Background workers
([`gcBgMarkWorker`]({GO}mgc.go)) take 25% of the Ps. Meanwhile the program keeps allocating, and every
allocation during the mark debits the goroutine's `gcAssistBytes`; a goroutine in debt must scan in
proportion to what it allocated before it gets its memory ([`gcAssistAlloc`]({GO}mgcmark.go)), at
`assistWorkPerByte` = remaining scan work / remaining runway to the goal. A request that allocates 2 MiB
in the middle of a mark does its share of the marking: that is the latency bump in the chart, and the
second CPU figure of each gctrace line. The cycle ends with the short STW mark termination
(`gcMarkTermination`). GOGC 200 doubles the runway: fewer cycles, and each one's assist ratio is lower
because the runway is longer — a larger heap for less CPU. Turning assists off removes their tail, but
then nothing slows an allocator that outruns the mark (exercise 2).""",
    [
        ("""Halve the allocation (1 MiB per request). What happens to the number of cycles and to the assist share?""",
         """const half = runScenario(patched('../scenarios/gc-mark-assist.yaml', { workload: { request: { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { alloc: { dist: 'constant', valueKB: 1024 } }, { netpoll: { dist: 'constant', valueMs: 1 } }, { cpu: { dist: 'exponential', meanMs: 1 } }] } } }), 1).summary;
const full = byVariant['gogc-100'];
console.log(`1 MiB: ${half.gmp!.gc!.cycles} cycles, assist ${pct(half.gmp!.gc!.assistFraction)}, p99 ${half.latencyMs.p99.toFixed(2)} ms`);
console.log(`2 MiB: ${full.gmp.gc.cycles} cycles, assist ${pct(full.gmp.gc.assistFraction)}, p99 ${full.latencyMs.p99.toFixed(2)} ms`);""",
         """About half the cycles — the runway (goal − marked heap) is set by the live heap and GOGC, not by the
allocation rate, so half the allocation takes twice as long to cross it. The assist share falls too:
fewer bytes are allocated while each mark is running, so less debt is incurred. Allocation rate is the
lever; GOGC only sets how much heap you trade for it."""),
        ("""The `no-assist` variant removed the tail at no visible memory cost. Why does Go not simply turn
assists off? Quadruple the allocation (8 MiB per request) and compare peak RSS with assists on and off.""",
         """const steps8 = [{ cpu: { dist: 'exponential', meanMs: 1 } }, { alloc: { dist: 'constant', valueKB: 8192 } }, { netpoll: { dist: 'constant', valueMs: 1 } }, { cpu: { dist: 'exponential', meanMs: 1 } }];
for (const markAssist of [true, false]) {
  const x = runScenario(patched('../scenarios/gc-mark-assist.yaml', { workload: { request: { steps: steps8 } }, runtime: { gc: { markAssist } } }), 1).summary;
  console.log(`8 MiB, assists ${markAssist ? 'on ' : 'off'}: p99 ${x.latencyMs.p99.toFixed(1)} ms, peak RSS ${x.gmp!.gc!.peakRssMB.toFixed(0)} MB, last heap goal ${x.gmp!.gc!.heapGoalMB.toFixed(0)} MB`);
}
const on = byVariant['gogc-100'], off = byVariant['no-assist'];
console.log(`2 MiB, assists on: peak RSS ${on.gmp.gc.peakRssMB.toFixed(0)} MB; off: ${off.gmp.gc.peakRssMB.toFixed(0)} MB`);""",
         """At 2 MiB per request the background workers (25% of the Ps) keep up with the allocation, so assists
make no systematic difference to the peak (the printed 2 MiB peaks differ by where the cycles fell, in
either direction) — only to the tail. At 8 MiB the allocation outruns them: without assists the heap
keeps growing while the mark runs, peak RSS and the next goal (from a bigger marked heap) climb above
the assisted run's, and nothing bounds them. Assists are the back-pressure that keeps the heap near
its goal — in a container, the difference between a slow request and the OOM killer (lesson 8). The
tail latency they cost is the price of a bounded heap."""),
    ],
    """`gmpsim run scenarios/gc-mark-assist.yaml --gctrace` prints gctrace lines; `gmpsim compare
scenarios/gc-mark-assist.yaml` runs the three variants; timeseries.csv has `gc_assist_ms_per_s`.""",
)

NOTEBOOKS["06-hpa-behaviors"] = lesson(
    6, "HPA behaviors compared: flapping and the stabilization window", "hpa-flapping.yaml",
    """Load swings between 500 and 900 req/s, each level lasting about a minute. With a `behavior` whose
scale-down stabilization window is 0, and with 300 s, how often does the HPA rescale — and what does
the quiet cost?""",
    """- Rescales in 15 minutes without a window: about 2, about 10, or about 30?
- With the 300 s window: more or fewer pod-seconds, and by how much?""",
    [
        ("code", """const runs: Record<string, any> = {};
for (const v of variants('../scenarios/hpa-flapping.yaml')) {
  const r = runScenario(v.scenario, 1);
  runs[v.name] = r;
  console.log(`${v.name}: ${r.summary.hpa!.rescales} rescales, ${r.summary.hpa!.directionReversals} reversals, ${r.summary.cluster.podSeconds.toFixed(0)} pod-s, p95 ${r.summary.latencyMs.p95.toFixed(2)} ms`);
  tslab.display.html(await seriesChartSvg(r.series, { replicas_desired: 'desired', replicas_ready: 'ready' }, `Replicas — ${v.name}`, 'pods'));
}"""),
    ],
    f"""Every 15 s the controller ([`reconcileAutoscaler`]({K8S}horizontal.go)) asks
[`computeReplicasForMetrics`]({K8S}horizontal.go) for a recommendation — for CPU,
`GetResourceReplicas` in [replica_calculator.go]({K8S}replica_calculator.go): ceil(utilization /
target × ready pods), unless within the 10% tolerance. With a `behavior`,
`normalizeDesiredReplicasWithBehaviors` → `stabilizeRecommendationWithBehaviors` keeps the recommendations
of the last `stabilizationWindowSeconds` and, for scale-down, uses their **maximum**: with a 0 s window
each drop in load is followed at once (and each rise too), so every swing becomes two rescales and a
direction reversal; with 300 s the replicas come down only after five minutes of lower recommendations,
which at one-minute swings is almost never. The price is the pod-seconds printed above; the gain is
fewer pod starts (each one a cold pod — not free) and a steadier tail.""",
    [
        ("""Set the window to 120 s. Where do rescales and pod-seconds land, between the two variants or outside?""",
         """const w120 = runScenario(patched('../scenarios/hpa-flapping.yaml', { hpa: { behavior: { scaleDown: { stabilizationWindowSeconds: 120 } } } }), 1).summary;
console.log(`window 120 s: ${w120.hpa!.rescales} rescales, ${w120.hpa!.directionReversals} reversals, ${w120.cluster.podSeconds.toFixed(0)} pod-s`);
for (const [n, r] of Object.entries(runs)) console.log(`${n}: ${r.summary.hpa.rescales} rescales, ${r.summary.cluster.podSeconds.toFixed(0)} pod-s`);""",
         """In between: a 120 s window outlasts most single low-load minutes (states last about 60 s on average,
exponentially distributed) but not the longer ones, so it removes most — not all — of the flapping,
at part of the cost. The window should be longer than the load's typical dips, not than its trends."""),
    ],
    """`gmpsim compare scenarios/hpa-flapping.yaml --seeds 2` prints the table over seeds;
`hpa_decisions.csv` of a run shows each sync's recommendation and the ScaleDownStabilized condition.""",
)

NOTEBOOKS["07-gomaxprocs-and-cfs-quota"] = lesson(
    7, "GOMAXPROCS above the CPU limit: CFS throttling", "gomaxprocs-above-cpu-limit.yaml",
    """A container limited to 1 core runs on an 8-CPU node. Go 1.19 sets GOMAXPROCS from the CPUs it can
see — 8 — not from the limit. Does a process with 8 Ps on a 1-core quota just run at 1 core, or worse?""",
    """- Will p99 be about the same with GOMAXPROCS 8 and GOMAXPROCS 1 (the work is the same), or different?
- Go 1.25 reads the quota and picks max(2, ceil(limit)) = 2 Ps. Throttled or not?""",
    [
        ("code", """const rows: Record<string, any> = {};
for (const v of variants('../scenarios/gomaxprocs-above-cpu-limit.yaml')) {
  const x = runScenario(v.scenario, 1);
  rows[v.name] = x;
  const t = x.summary.gmp!.cpuThrottling!;
  console.log(`${v.name.padEnd(15)} GOMAXPROCS ${x.summary.gomaxprocs}: throttled ${t.throttledPeriods}/${t.periods} periods (${t.throttledMs.toFixed(0)} ms), p99 ${x.summary.latencyMs.p99.toFixed(2)} ms, GC ${pct(x.summary.gmp!.gc!.gcCpuFraction)}`);
}"""),
        ("code", """tslab.display.html(await seriesChartSvg(rows['go1.19-default'].series, { throttled_ms_per_s: 'throttled ms/s', gc_cpu_ms_per_s: 'GC CPU ms/s' }, 'GOMAXPROCS 8 on a 1-core quota', 'ms per s'));"""),
    ],
    f"""The kernel's CFS bandwidth control gives the container's cgroup 100 ms of CPU per 100 ms period
(`cpu.cfs_quota_us`). Threads of the cgroup draw from that budget; when it is spent, the kernel
throttles the whole cgroup until the period ends ([`throttle_cfs_rq`](https://github.com/torvalds/linux/blob/v6.6/kernel/sched/fair.c)
in kernel/sched/fair.c) — every thread stops, whatever it was doing. Go 1.19's `getproccount`
([os_linux.go]({GO}os_linux.go)) counts the CPUs of the affinity mask, so `schedinit` sets 8 Ps. Eight
Ms can then burn the 100 ms budget in ~12 ms of wall time: when a GC cycle starts,
`findRunnable` hands every idle P an *idle mark worker* ([`gcBgMarkWorker`]({GO}mgc.go) in idle mode),
so all 8 threads run at once, and the pod stalls for the rest of the period. Requests caught in that
stall wait up to ~90 ms — the p99 above. With GOMAXPROCS 1 the same work is spread over the period and
the quota is never exceeded. Go 1.25's [`defaultGOMAXPROCS`](https://github.com/golang/go/blob/go1.25.0/src/runtime/cgroup_linux.go)
reads the quota but never goes below 2 Ps, so on a 1-core limit it can still overrun (less often).""",
    [
        ("""Raise the limit to 2 cores, GOMAXPROCS still 8. Does throttling go away?""",
         """const two = runScenario(patched('../scenarios/gomaxprocs-above-cpu-limit.yaml', { runtime: { cpuLimitCores: 2 } }), 1).summary;
const t2 = two.gmp!.cpuThrottling!;
console.log(`limit 2 cores, 8 Ps: throttled ${t2.throttledPeriods}/${t2.periods} periods, p99 ${two.latencyMs.p99.toFixed(2)} ms`);""",
         """In this run it goes away: the mark's work is done before eight threads can burn 200 ms of quota,
and the tail falls with it. The trap springs when the Ps can burn the quota faster than a burst of
work (a GC cycle's idle mark workers, a fan-out) ends — GOMAXPROCS × burst length against the quota
per period. More quota moves that line; GOMAXPROCS ≤ the limit (what `automaxprocs` and Go 1.25 do)
removes it."""),
        ("""Remove the allocation (no GC at all), keeping GOMAXPROCS 8 on 1 core. Throttled?""",
         """const nogc = runScenario(patched('../scenarios/gomaxprocs-above-cpu-limit.yaml', { workload: { request: { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }] } } }), 1).summary;
const t3 = nogc.gmp!.cpuThrottling!;
console.log(`no allocation: throttled ${t3.throttledPeriods}/${t3.periods} periods, p99 ${nogc.latencyMs.p99.toFixed(2)} ms`);""",
         """None in this run: at 60% of one core, request handlers alone rarely have 8 runnable Gs at once, so
the 8 Ps seldom run together. It is the GC's idle mark workers (and bursts of runnable Gs) that turn
spare Ps into simultaneous threads — the throttling trap is a GC-and-bursts story."""),
    ],
    """`gmpsim compare scenarios/gomaxprocs-above-cpu-limit.yaml --seeds 3`; summary.json →
`gmp.cpuThrottling` mirrors cpu.stat (nr_periods, nr_throttled, throttled_time).""",
)

NOTEBOOKS["08-gomemlimit-vs-oom"] = lesson(
    8, "GOMEMLIMIT versus the OOM killer", "gomemlimit-vs-oom.yaml",
    """About 92 MB is live (80 MB of caches plus requests in flight) in a container limited to 180 MB. With
GOGC=100 the heap may grow to about twice the live heap before the next cycle. What happens — and what
does GOMEMLIMIT=150MiB change?""",
    """- Without GOMEMLIMIT: does the kernel kill the container? How many requests are lost?
- With GOMEMLIMIT: is it free, or what does it cost?""",
    [
        ("code", """const mem: Record<string, any> = {};
for (const v of variants('../scenarios/gomemlimit-vs-oom.yaml')) {
  const x = runScenario(v.scenario, 1);
  mem[v.name] = x;
  const s = x.summary;
  console.log(`${v.name.padEnd(15)} OOM kills ${s.cluster.oomKills}, lost ${s.cluster.oomLostRequests}, failed ${s.requests.failed}, peak RSS ${s.gmp!.gc!.peakRssMB.toFixed(0)} MB, GC ${pct(s.gmp!.gc!.gcCpuFraction)}, ${s.gmp!.gc!.cycles} cycles, p99 ${s.latencyMs.p99.toFixed(1)} ms`);
}"""),
        ("code", """for (const [n, x] of Object.entries(mem)) tslab.display.html(await seriesChartSvg(x.series, { rss_mb: 'RSS MB', heap_goal_mb: 'heap goal MB', heap_live_mb: 'heap live MB' }, `Memory — ${n}`, 'MB'));"""),
    ],
    f"""The pacer sets the heap goal from GOGC alone unless a memory limit is set: in
[`heapGoalInternal`]({GO}mgcpacer.go) the goal is the smaller of the GOGC goal and
`memoryLimitHeapGoal()` — the limit minus the memory that is not heap, minus headroom. Without the
limit the goal (about twice the live heap) lies above the container's 180 MB: RSS crosses the cgroup's
`memory.max`, and the kernel's memory-cgroup OOM killer ends the process
([`mem_cgroup_out_of_memory`](https://github.com/torvalds/linux/blob/v6.6/mm/memcontrol.c)). Every
request in flight is lost; the kubelet restarts the container with its crash-loop back-off (at once,
then 10 s, 20 s, … — [`doBackOff`](https://github.com/kubernetes/kubernetes/blob/v1.30.0/pkg/kubelet/kuberuntime/kuberuntime_manager.go)),
and the pod refuses work meanwhile. With GOMEMLIMIT the goal is capped under the limit, so the GC runs
more often — the printed GC CPU and cycle counts — and the container lives.""",
    [
        ("""Set GOMEMLIMIT to 100 MiB — barely above the live heap. What happens to GC CPU and latency?""",
         """const tight = runScenario(patched('../scenarios/gomemlimit-vs-oom.yaml', { runtime: { gc: { memoryLimitMB: 100 } } }), 1).summary;
console.log(`GOMEMLIMIT 100: OOM kills ${tight.cluster.oomKills}, ${tight.gmp!.gc!.cycles} cycles, GC ${pct(tight.gmp!.gc!.gcCpuFraction)}, p99 ${tight.latencyMs.p99.toFixed(1)} ms`);""",
         f"""The runway between the live heap and the goal shrinks to a few MB, so cycles run back to back: GC
CPU soars. Go 1.19 caps this death spiral with the GC CPU limiter ([`gcCPULimiter`]({GO}mgclimit.go)):
GC time that counts against it (assists and dedicated workers; the printed share also counts idle mark
workers, which only use otherwise idle Ps) is held near 50%, and assists are skipped while it limits —
the process slows down instead of dying.
A memory limit too close to the live heap trades OOM kills for a permanently busy collector."""),
        ("""Without GOMEMLIMIT, set GOGC=50. Killed?""",
         """const g50 = runScenario(patched('../scenarios/gomemlimit-vs-oom.yaml', { runtime: { gc: { gogc: 50 } } }), 1).summary;
console.log(`GOGC 50: OOM kills ${g50.cluster.oomKills}, peak RSS ${g50.gmp!.gc!.peakRssMB.toFixed(0)} MB, ${g50.gmp!.gc!.cycles} cycles, GC ${pct(g50.gmp!.gc!.gcCpuFraction)}`);""",
         """GOGC 50 puts the goal at about 1.5× the live heap, under the limit, so the container survives here
too — but GOGC applies all the time and scales with the live heap: if the caches grow, the goal grows
past the limit again. GOMEMLIMIT is a ceiling that holds whatever the live heap does; GOGC is a ratio."""),
    ],
    """`gmpsim compare scenarios/gomemlimit-vs-oom.yaml --seeds 3`; pods.csv shows the restarts;
summary.json → `cluster.oomKills`, `cluster.oomLostRequests`.""",
)

NOTEBOOKS["09-numa-stealing"] = lesson(
    9, "NUMA: the remote penalty and NUMA-aware stealing", "numa-stealing.yaml",
    """A pod's 8 Ps span two NUMA nodes. Each request fans out 16 goroutines on one P and idle Ps steal
them — across nodes too, where memory is remote (1.5× slower here). Go steals in random order. Would
stealing from your own node first (a 2014 proposal never built into Go) help?""",
    """- What share of the CPU work runs away from its memory with Go's random steal order: ~0, ~25%, ~50%?
- Does NUMA-aware stealing bring p99 back to the one-node baseline?""",
    [
        ("code", """for (const v of variants('../scenarios/numa-stealing.yaml')) {
  const s = runScenario(v.scenario, 1).summary;
  console.log(`${v.name.padEnd(11)} p50 ${s.latencyMs.p50.toFixed(3)} ms, p99 ${s.latencyMs.p99.toFixed(3)} ms, steals ${s.gmp!.steals}, cross-node ${s.gmp!.numa?.crossNodeSteals ?? '-'}, remote work ${s.gmp!.numa ? pct(s.gmp!.numa.remoteWorkFraction) : '-'}`);
}"""),
        ("code", """const rnd = runScenario(variants('../scenarios/numa-stealing.yaml')[0]!.scenario, 1);
tslab.display.html(await seriesChartSvg(rnd.series, { steals_per_s: 'steals/s', cross_node_steals_per_s: 'cross-node steals/s' }, 'Steals — random order', 'per s'));"""),
    ],
    f"""Go has no NUMA awareness: [`stealWork`]({GO}proc.go) walks the Ps in a random order (`stealOrder`, a
random start and a stride coprime to GOMAXPROCS) and takes half of the first non-empty queue it finds —
on either node. A G stolen across nodes runs with its memory on the other node (first touch), so its
CPU work takes `remoteFactor` times as long, and its cache is cold. Dmitry Vyukov's "NUMA-aware
scheduler for Go" (2014) proposed per-node queues and stealing from the own node first; the
`numa-aware` variant models that steal order only. Compare the printed cross-node steals and remote
share: a node-first order cuts the steals across nodes, but when one node's Ps are all busy the other
node's idle Ps still steal across (after finding nothing at home), and a stolen G's memory stays where
it was first touched — so the remote share and the tail move far less, and stay above the one-node
baseline. Steal order alone is not NUMA awareness: Vyukov's design also needed node-local heaps.""",
    [
        ("""Make remote memory 3× slower instead of 1.5×. Which variant gains most from NUMA-aware stealing now?""",
         """for (const order of ['random', 'numa-aware'] as const) {
  const s = runScenario(patched('../scenarios/numa-stealing.yaml', { runtime: { numa: { remoteFactor: 3, stealOrder: order } } }), 1).summary;
  console.log(`remoteFactor 3, ${order.padEnd(10)} p99 ${s.latencyMs.p99.toFixed(3)} ms, remote work ${pct(s.gmp!.numa!.remoteWorkFraction)}`);
}""",
         """The worse the remote penalty, the more a node-first steal order pays: each remote G now costs three
times its work, so keeping work local matters more than spreading it quickly. With a mild penalty,
spreading fast (random order) costs little; with a heavy one, locality wins. Compare the printed p99
gap with the one in the table above."""),
    ],
    """`gmpsim compare scenarios/numa-stealing.yaml`; summary.json → `gmp.numa`; timeseries.csv →
`cross_node_steals_per_s`, `remote_cpu_ms_per_s`.""",
)

NOTEBOOKS["10-flash-crowd-autoscalers"] = lesson(
    10, "Flash crowd: CPU HPA vs goroutines-per-pod HPA vs KEDA", "flash-crowd-autoscalers.yaml",
    """Load jumps from 100 to 1,500 req/s at 90 s. Each request spends ~1.3 ms on CPU and waits 50 ms on the
network. Three autoscalers: an HPA on CPU (50% of a 1-core request), an HPA on goroutines per pod
(target 15), and KEDA on the request rate (300 req/s per replica). Which serves the crowd best, and at
what cost?""",
    """- Rank the three by pod-seconds (cost), and by p99.
- The goroutine count is a popular "saturation" signal. Is it a CPU signal here?""",
    [
        ("code", """const fc: Record<string, any> = {};
for (const v of variants('../scenarios/flash-crowd-autoscalers.yaml')) {
  const x = runScenario(v.scenario, 1);
  fc[v.name] = x;
  const s = x.summary;
  console.log(`${v.name.padEnd(15)} p99 ${s.latencyMs.p99.toFixed(1)} ms, ${s.cluster.podSeconds.toFixed(0)} pod-s, max ${s.cluster.maxReplicas} pods, max ${s.cluster.maxGoroutinesPerPod} goroutines/pod, rescales ${s.hpa?.rescales ?? '-'}`);
}
console.log(`Little's law: 1,500 req/s x ~51 ms in the system = ${(1500 * 0.0513).toFixed(0)} goroutines in flight`);"""),
        ("code", """for (const [n, x] of Object.entries(fc)) tslab.display.html(await seriesChartSvg(x.series, { replicas_desired: 'desired', replicas_ready: 'ready' }, `Replicas — ${n}`, 'pods'));"""),
    ],
    f"""The CPU HPA's recommendation is [`GetResourceReplicas`]({K8S}replica_calculator.go): total CPU over
requests, divided by the target — 1,500 req/s × 1.3 ms is about 2 cores, so about 4 pods at 50%. The
goroutine HPA uses `GetMetricReplicas` (a Pods metric, AverageValue): ceil(total goroutines / 15). By
Little's law, goroutines in flight = arrival rate × time in the system, and 50 ms of network wait
dominates that time, so the goroutine count measures *waiting*, not CPU: it asks for many more pods
than the CPU needs — more pod-seconds — for a similar tail, because all three react at the same first
sync and the queue built before it sets p99. KEDA ([`RequestScale`](https://github.com/kedacore/keda/blob/v2.14.0/pkg/scaling/executor/scale_scaledobjects.go))
activates from zero itself and hands 1↔N to an HPA with an External AverageValue metric: desired =
ceil(rate / 300). It sizes by the rate alone, polls every 15 s and rescales more often.""",
    [
        ("""Cut the network wait from 50 ms to 5 ms. What happens to the goroutine HPA's pod count? To the CPU HPA's?""",
         """const short = [{ cpu: { dist: 'exponential', meanMs: 1 } }, { netpoll: { dist: 'constant', valueMs: 5 } }, { cpu: { dist: 'exponential', meanMs: 0.3 } }];
for (const name of ['cpu-hpa', 'goroutines-hpa']) {
  const vv = variants('../scenarios/flash-crowd-autoscalers.yaml').find((v) => v.name === name)!;
  const s = runScenario({ ...vv.scenario, workload: { ...vv.scenario.workload, request: { ...vv.scenario.workload.request, steps: patched('../scenarios/flash-crowd-autoscalers.yaml', { workload: { request: { steps: short } } }).workload.request.steps } } }, 1).summary;
  console.log(`${name.padEnd(15)} 5 ms wait: max ${s.cluster.maxReplicas} pods, ${s.cluster.podSeconds.toFixed(0)} pod-s (50 ms wait: ${fc[name].summary.cluster.maxReplicas} pods)`);
}""",
         """The goroutine HPA asks for fewer pods — Little's law again: fewer goroutines in flight — while the
CPU HPA does not move, because the CPU per request did not change. (Not tenfold fewer: during the
crowd's first minute the goroutines also count requests queued for CPU.) A goroutine target silently encodes the
latency of your dependencies: when a database slows down, it scales the service up, which does
nothing for the database."""),
    ],
    """`gmpsim compare scenarios/flash-crowd-autoscalers.yaml --seeds 3` prints the table with intervals;
pods.csv holds each pod's goroutines over time.""",
)

NOTEBOOKS["11-metrics-outage"] = lesson(
    11, "A metrics outage during a spike", "metrics-outage-spike.yaml",
    """The metrics pipeline (metrics-server) goes down at 95 s, just before the load jumps from 300 to 1,600
req/s (2.4 cores of work on two 1-P pods), and comes back at 180 s. What does the HPA do meanwhile?""",
    """- Does the HPA scale on the last values it saw, scale to maxReplicas to be safe, or hold its size?
- How much worse is p99 than with healthy metrics?""",
    [
        ("code", """const out: Record<string, any> = {};
for (const v of variants('../scenarios/metrics-outage-spike.yaml')) {
  const x = runScenario(v.scenario, 1);
  out[v.name] = x;
  console.log(`${v.name.padEnd(8)} p99 ${x.summary.latencyMs.p99.toFixed(0)} ms, max replicas ${x.summary.cluster.maxReplicas}, rescales ${x.summary.hpa!.rescales}`);
}
console.log('outage: the syncs around the outage (t, current -> desired, ScalingActive)');
for (const d of out['outage'].hpaDecisions.filter((d: any) => d.tS >= 90 && d.tS <= 200)) console.log(`  ${d.tS} s  ${d.currentReplicas} -> ${d.desiredReplicas}  ${d.scalingActive}`);"""),
        ("code", """for (const [n, x] of Object.entries(out)) tslab.display.html(await seriesChartSvg(x.series, { replicas_desired: 'desired', replicas_ready: 'ready' }, `Replicas — ${n}`, 'pods'));
for (const [n, x] of Object.entries(out)) tslab.display.html(await seriesChartSvg(x.series, { latency_p99_ms: 'p99 ms' }, `p99 — ${n}`, 'ms'));"""),
    ],
    f"""Each sync, [`computeReplicasForMetrics`]({K8S}horizontal.go) asks the metrics API for every metric;
when the resource metrics API fails, `GetResourceReplicas` returns the error, the metric is invalid,
and with every metric invalid [`reconcileAutoscaler`]({K8S}horizontal.go) records the condition
`ScalingActive=False, FailedGetResourceMetric` and does **not** change the scale — there is no cache
of old values to act on, and no "fail open". The replicas stay where they were while the spike queues
on two pods; at the first sync after metrics return, the (legacy) scale-up limit `calculateScaleUpLimit`
— max(2 × current, 4) — applies, so recovery takes more than one sync. The healthy variant reacts at the
first sync that sees the spike.""",
    [
        ("""Keep the outage, but start with 4 replicas (and minReplicas 4). What happens to p99?""",
         """const headroom = runScenario(patched('../scenarios/metrics-outage-spike.yaml', { cluster: { replicas: 4 }, hpa: { minReplicas: 4 } }), 1).summary;
console.log(`4 replicas: p99 ${headroom.latencyMs.p99.toFixed(0)} ms, ${headroom.cluster.podSeconds.toFixed(0)} pod-s (2 replicas: ${out['outage'].summary.latencyMs.p99.toFixed(0)} ms, ${out['outage'].summary.cluster.podSeconds.toFixed(0)} pod-s)`);""",
         """Four 1-P pods hold the 2.4 cores of the spike, so the outage costs little latency: while metrics are
down the HPA can only keep what it has, so the floor (minReplicas) is your insurance against metric
outages, paid in pod-seconds all the time. The alternative insurance is a metrics pipeline that does
not share a failure with the spike."""),
    ],
    """`gmpsim compare scenarios/metrics-outage-spike.yaml`; `hpa_decisions.csv` of the outage run shows
`ScalingActive False/FailedGetResourceMetric` during the fault window. This scenario is also the
"cached metrics" folk claim in lesson 16.""",
)

NOTEBOOKS["12-diurnal-day"] = lesson(
    12, "A day compressed: diurnal load and the scale-down window", "diurnal-day.yaml",
    """A day squeezed into 24 minutes: load follows a sinusoid from ~100 req/s at "midnight" to ~1,100 at
"noon", against a CPU HPA with Kubernetes' defaults (no `behavior`). How closely do the replicas follow
the curve on the way up, and on the way down?""",
    """- Which lags more behind the load: scale-up or scale-down? By roughly how long?
- What share of the day's pod-seconds would a perfectly tracking autoscaler save: ~1%, ~10%, ~30%?""",
    [
        ("code", """const day = runScenario(loadScenarioFile('../scenarios/diurnal-day.yaml'), 1);
const s = day.summary;
// a pod-seconds floor: the pods the load needs at each sample (CPU per request / (target x request)), never below minReplicas
const t = col(day, 't_s'), rate = col(day, 'arrivals_per_s'), ready = col(day, 'replicas_ready');
const needed = rate.map((x) => Math.max(1, Math.ceil((x * 0.0015) / 0.6)));
const dt = t[1]! - t[0]!;
const measured = t.map((x, i) => [x, i] as const).filter(([x]) => x > s.warmupS);
const podS = measured.reduce((a, [, i]) => a + ready[i]! * dt, 0), idealS = measured.reduce((a, [, i]) => a + needed[i]! * dt, 0);
console.log(`pod-seconds ${s.cluster.podSeconds.toFixed(0)} (ready pods: ${podS.toFixed(0)}), tracking floor ${idealS.toFixed(0)}: ${pct(1 - idealS / podS)} above it`);
console.log(`rescales ${s.hpa!.rescales} (up ${s.hpa!.scaleUps}, down ${s.hpa!.scaleDowns}), p99 ${s.latencyMs.p99.toFixed(1)} ms`);"""),
        ("code", """const view = { ...day, series: { columns: [...day.series.columns, 'needed'], rows: day.series.rows.map((r, i) => [...r, needed[i]!]) } };
tslab.display.html(await seriesChartSvg(view.series, { replicas_desired: 'desired', replicas_ready: 'ready', needed: 'needed at 60% CPU' }, 'A day of replicas', 'pods'));"""),
    ],
    f"""Without `behavior`, [`normalizeDesiredReplicas`]({K8S}horizontal.go) first passes the recommendation
through `stabilizeRecommendation`: the replicas used are the **maximum** recommendation of the last 5
minutes (`downscaleStabilisationWindow`), so scale-down lags the curve by up to five minutes — here a
fifth of an "hour". Scale-up is limited only by `calculateScaleUpLimit` (max(2 × current, 4) per sync)
and by the metric window plus the pods' start-up and readiness delays, so it follows within a sync or
two. The "tracking floor" is what a clairvoyant autoscaler at the same 60% target would run; the gap
printed above is the price of the window's caution on a smooth curve that needs none.""",
    [
        ("""Give the HPA a behavior with a 60 s scale-down window. Pod-seconds? Rescales? p99?""",
         """const fast = runScenario(patched('../scenarios/diurnal-day.yaml', { hpa: { behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } }), 1).summary;
console.log(`60 s window: ${fast.cluster.podSeconds.toFixed(0)} pod-s, ${fast.hpa!.rescales} rescales, p99 ${fast.latencyMs.p99.toFixed(1)} ms`);
console.log(`default:     ${s.cluster.podSeconds.toFixed(0)} pod-s, ${s.hpa!.rescales} rescales, p99 ${s.latencyMs.p99.toFixed(1)} ms`);""",
         """Fewer pod-seconds and about the same p99: a smooth diurnal curve has no dips to be cautious about,
so a short window tracks it down without flapping. Rescales rise (more, smaller steps down). A short
window is safe for smooth load and risky for spiky load (lesson 6): know which one you have."""),
    ],
    """`gmpsim run scenarios/diurnal-day.yaml --report` (the report plots replicas against arrivals);
summary.json → `cluster.podSeconds`.""",
)

NOTEBOOKS["13-trace-replay"] = lesson(
    13, "Replaying a production rate trace", "trace-replay.yaml",
    """Instead of a formula, the arrivals follow a rate trace — `scenarios/traces/morning-ramp.csv`, rows of
(time_s, rate_per_s) such as an export of Prometheus' `rate(http_requests_total[1m])`. Against a CPU HPA
with a 60 s scale-down window, where does the tail come from: the ramp, or the peaks?""",
    """- Where will p99 be worst — at the steepest part of the ramp, or at the top?
- How many pods at the peak?""",
    [
        ("code", """const tr = runScenario(loadScenarioFile('../scenarios/trace-replay.yaml'), 1);
console.log(readFileSync('../scenarios/traces/morning-ramp.csv', 'utf8').trim().split('\\n').join('  '));
const p99 = col(tr, 'latency_p99_ms'), tt = col(tr, 't_s');
const worst = p99.reduce((bi, x, i) => (x > p99[bi]! ? i : bi), 0);
console.log(`max replicas ${tr.summary.cluster.maxReplicas}, rescales ${tr.summary.hpa!.rescales}, run p99 ${tr.summary.latencyMs.p99.toFixed(1)} ms; worst sampled p99 ${p99[worst]!.toFixed(1)} ms at t = ${tt[worst]} s`);"""),
        ("code", """tslab.display.html(await seriesChartSvg(tr.series, { replicas_desired: 'desired', replicas_ready: 'ready' }, 'Replicas', 'pods'));
tslab.display.html(await seriesChartSvg(tr.series, { latency_p99_ms: 'p99', latency_p50_ms: 'p50' }, 'Latency', 'ms'));"""),
    ],
    f"""Each row of the trace holds its rate until the next one, and arrivals are Poisson at that rate. The
HPA sees each step only through the metrics window (its CPU rate is an average over the last scrape
window) and acts at its 15 s sync ([`reconcileAutoscaler`]({K8S}horizontal.go)); each new pod then takes
its start-up and readiness delay. So every step up of the trace opens a window of under-capacity; and
the 60 s scale-down window (`stabilizeRecommendationWithBehaviors`) lets pods go a minute after the
recommendation drops — soon enough that a step *down* can leave the remaining pods hot. Compare the
time of the worst sampled p99 (printed) with the trace rows and the replica chart to see which of the
two made this run's tail. The lognormal CPU (cv 1.5) gives a heavy service-time tail even when capacity is right.""",
    [
        ("""Scale the request's CPU up by half (mean 3 ms instead of 2). Does the HPA simply run 1.5× the pods, with the same tail?""",
         """const heavy = runScenario(patched('../scenarios/trace-replay.yaml', { workload: { request: { steps: [{ cpu: { dist: 'lognormal', meanMs: 3, cv: 1.5 } }, { netpoll: { dist: 'exponential', meanMs: 3 } }] } } }), 1).summary;
console.log(`3 ms: max ${heavy.cluster.maxReplicas} pods, ${heavy.cluster.podSeconds.toFixed(0)} pod-s, p99 ${heavy.latencyMs.p99.toFixed(1)} ms`);
console.log(`2 ms: max ${tr.summary.cluster.maxReplicas} pods, ${tr.summary.cluster.podSeconds.toFixed(0)} pod-s, p99 ${tr.summary.latencyMs.p99.toFixed(1)} ms`);""",
         """More pods, but the tail does not stay put: service times are 1.5× longer, so each under-capacity
window builds a longer queue, so p99 rises although the HPA did its job (the `maxReplicas: 10`
ceiling is not reached here; raise the CPU further and it will bind). Capacity planning by "pods per
request" misses the transients; replaying the real trace shows them."""),
    ],
    """`gmpsim run scenarios/trace-replay.yaml --report`; put your own CSV in `workload.arrival.file`.""",
)

NOTEBOOKS["14-hpa-flash-crowd"] = lesson(
    14, "The first scale-up of a flash crowd, step by step", "hpa-flash-crowd.yaml",
    """Load jumps from 200 to 1,200 req/s at 120 s (2 ms of CPU per request, GOMAXPROCS 2, CPU target 50%
of a 1-core request). When does the HPA first act, by how much, and when are the new pods serving?""",
    """- First scale-up: at the first sync after 120 s, or later? To how many pods?
- How many syncs until the HPA reaches the pods the load needs?""",
    [
        ("code", """const fc = runScenario(loadScenarioFile('../scenarios/hpa-flash-crowd.yaml'), 1);
for (const d of fc.hpaDecisions!.filter((d) => d.tS >= 105 && d.tS <= 210)) {
  console.log(`${String(d.tS).padStart(4)} s  ${d.currentReplicas} -> ${d.desiredReplicas}  proposals [${d.proposals}]  ScalingLimited ${d.scalingLimited}`);
}
console.log(`p99 ${fc.summary.latencyMs.p99.toFixed(1)} ms, max replicas ${fc.summary.cluster.maxReplicas}`);"""),
        ("code", """tslab.display.html(await seriesChartSvg(fc.series, { replicas_desired: 'desired', replicas_ready: 'ready', pods_pending: 'pending' }, 'Replicas through the flash crowd', 'pods'));
tslab.display.html(await seriesChartSvg(fc.series, { latency_p99_ms: 'p99' }, 'p99 per sample', 'ms'));"""),
    ],
    f"""The CPU the HPA sees is a rate over the metrics window, so the first sync after the jump still
averages mostly old load; [`GetResourceReplicas`]({K8S}replica_calculator.go) proposes
ceil(utilization / target × ready pods) once the window holds enough of the crowd. Without `behavior`,
[`normalizeDesiredReplicas`]({K8S}horizontal.go) caps the step with `calculateScaleUpLimit` —
max(2 × current, 4) — and reports `ScalingLimited True/ScaleUpLimit` (printed above when it binds). New
pods are Pending for their start-up time, then unready for the readiness delay; in that time
`GetResourceReplicas` counts them as unready (`groupPods`: 0 usage on scale-up), so the next sync's
proposal is computed from the ready pods only. The latency bump lasts from the jump until enough pods
are Ready.""",
    [
        ("""Add `behavior: {scaleUp: {policies: [{type: Pods, value: 1, periodSeconds: 60}]}}`. How long until the pods suffice, and what happens to p99?""",
         """const slow = runScenario(patched('../scenarios/hpa-flash-crowd.yaml', { hpa: { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } } }), 1);
const reached = (r: any) => r.hpaDecisions.find((d: any) => d.tS > 120 && d.desiredReplicas >= fc.summary.cluster.maxReplicas)?.tS ?? 'never';
console.log(`1 pod/60 s: reaches ${fc.summary.cluster.maxReplicas} pods at ${reached(slow)} s, p99 ${slow.summary.latencyMs.p99.toFixed(1)} ms, ${slow.summary.cluster.podSeconds.toFixed(0)} pod-s`);
console.log(`default:    reaches it at ${reached(fc)} s, p99 ${fc.summary.latencyMs.p99.toFixed(1)} ms, ${fc.summary.cluster.podSeconds.toFixed(0)} pod-s`);""",
         f"""Minutes instead of two syncs: `convertDesiredReplicasWithBehaviorRate` allows one pod per 60 s
(counting the scale events of the last period), so the HPA climbs a pod a minute. Yet p99 barely
moves, for fewer pod-seconds — compare the printed lines. The reason is in the scenario: the pods have
GOMAXPROCS 2 and a 1-core *request* but no CPU *limit*, so two pods can run the crowd's ~2.4 cores on
their four Ps. The HPA's utilization is usage over the request (`GetResourceReplicas`), so it sees
120% and scales — while the pods still had room. Put a `cpuLimitCores: 1` on the runtime and the
slow policy would cost latency."""),
    ],
    """`gmpsim run scenarios/hpa-flash-crowd.yaml --report`; `hpa_decisions.csv` holds every sync with its
conditions.""",
)

NOTEBOOKS["15-compare-and-sweep"] = lesson(
    15, "Three HPA settings side by side; a sweep; tuning", "compare-hpa-settings.yaml",
    """The same flash crowd (200 → 1,200 req/s, 5 ms network wait) against three HPA settings — the default,
a cautious scale-up (one pod per 60 s), and a goroutines-per-pod target — on the same seeds. Then
[`sweep-hpa-target.yaml`](../scenarios/sweep-hpa-target.yaml): which CPU target and GOMAXPROCS serve a
crowd at the lowest cost, counting SLO minutes as money?""",
    """- Which of the three settings has the worst p99? Which costs the most pod-seconds?
- In the sweep: does a higher CPU target (80%) always save money once SLO violations are priced in?""",
    [
        ("code", """const cmp: Record<string, any> = {};
for (const v of variants('../scenarios/compare-hpa-settings.yaml')) {
  const x = runScenario(v.scenario, 1);
  cmp[v.name] = x;
  const s = x.summary;
  console.log(`${v.name.padEnd(11)} p99 ${s.latencyMs.p99.toFixed(1)} ms, ${s.cluster.podSeconds.toFixed(0)} pod-s, rescales ${s.hpa!.rescales}, max goroutines/pod ${s.cluster.maxGoroutinesPerPod}`);
}"""),
        ("code", """const t = col(cmp['default'], 't_s');
const merged = { columns: ['t_s', ...Object.keys(cmp)], rows: t.map((x, i) => [x, ...Object.values(cmp).map((r: any) => col(r, 'replicas_ready')[i]!)]) };
tslab.display.html(await seriesChartSvg(merged, Object.fromEntries(Object.keys(cmp).map((n) => [n, n])), 'Ready pods per setting', 'pods'));"""),
        ("md", """The sweep, a few points by hand with one seed each (`gmpsim sweep` runs the whole grid with
replications, confidence intervals and workers). The objective is the file's: pod-seconds plus 60 per
minute over the p99 SLO. The minutes over the SLO are counted here from the per-sample p99 column."""),
        ("code", """const sweepBase = loadScenarioFile('../scenarios/sweep-hpa-target.yaml');
const points: { target: number; gomaxprocs: number; podS: number; sloMin: number; score: number }[] = [];
for (const gomaxprocs of [1, 2]) for (const target of [40, 60, 80]) {
  const s = patched('../scenarios/sweep-hpa-target.yaml', { runtime: { gomaxprocs }, hpa: { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }] } });
  const r = runScenario(s, 1);
  const t = col(r, 't_s'), p = col(r, 'latency_p99_ms'), dt = t[1]! - t[0]!;
  const sloMin = t.reduce((a, x, i) => a + (x > sweepBase.warmupS && p[i]! > sweepBase.slo!.p99Ms! ? dt : 0), 0) / 60;
  points.push({ target, gomaxprocs, podS: r.summary.cluster.podSeconds, sloMin, score: r.summary.cluster.podSeconds + 60 * sloMin });
}
points.sort((a, b) => a.score - b.score);
for (const p of points) console.log(`target ${p.target}%, GOMAXPROCS ${p.gomaxprocs}: ${p.podS.toFixed(0)} pod-s + 60 x ${p.sloMin.toFixed(2)} SLO-min = ${p.score.toFixed(0)}`);"""),
    ],
    f"""`cautious` is `convertDesiredReplicasWithBehaviorRate` in [horizontal.go]({K8S}horizontal.go) limiting
scale-up to one pod per minute: the queue that builds during the crowd's first minutes sets its p99.
`goroutines` is `GetMetricReplicas` on a Pods metric ([replica_calculator.go]({K8S}replica_calculator.go)):
goroutines in flight = rate × time in the system (Little's law). With a short (5 ms) network wait few
goroutines are in flight, so this target can keep *fewer* pods than the CPU target — the opposite of
lesson 10, where a 50 ms wait made the same kind of target keep more: a goroutine target's meaning
depends on the latency of what the service waits on. The default legacy path scales as fast as
`calculateScaleUpLimit` allows. In the sweep, a higher target packs more load per pod (fewer
pod-seconds) and leaves less headroom for the crowd's first minute before new pods are Ready; the SLO
minutes that costs are priced at 60 each. A pod with GOMAXPROCS 2 on a 1-core request (no limit) has
two Ps to absorb that minute for the same pod-seconds — read the printed ranking.""",
    [
        ("""Make the SLO minutes ten times as expensive (600 each). Which point wins now?""",
         """const pricey = [...points].map((p) => ({ ...p, score: p.podS + 600 * p.sloMin })).sort((a, b) => a.score - b.score);
console.log(`at 60/min the best is target ${points[0]!.target}%, GOMAXPROCS ${points[0]!.gomaxprocs}; at 600/min: target ${pricey[0]!.target}%, GOMAXPROCS ${pricey[0]!.gomaxprocs}`);""",
         """The price of a violation only matters between points that trade pod-seconds for violations. If the
cheapest point has no SLO minutes at all (as GOMAXPROCS 2 may here, absorbing the crowd on its second
P), no price moves the winner; where the cheap points violate, a dearer minute moves the best point
towards lower targets — headroom bought with pod-seconds. The objective encodes a business decision;
the sweep makes its consequences explicit. With one seed per point the ranking is noisy; `gmpsim sweep` reports
confidence intervals over replications before you believe a winner."""),
    ],
    """`gmpsim compare scenarios/compare-hpa-settings.yaml --seeds 3`; `gmpsim sweep
scenarios/sweep-hpa-target.yaml --workers 2` writes runs.csv, points.csv and sweep.json;
`gmpsim tune` searches the same space adaptively.""",
)

CLAIMS_HELPERS = """/** Mean of a summary field over seeds, per variant of a compare file. */
const SEEDS = [1, 2];
const runAll = (file: string) => Object.fromEntries(variants(file).map((v) => [v.name, SEEDS.map((seed) => runScenario(v.scenario, seed))]));
const mean = (runs: any[], read: (s: any) => number) => runs.reduce((a, r) => a + read(r.summary), 0) / runs.length;
const verdict = (holds: boolean) => (holds ? 'the model agrees with the claim' : 'the model REJECTS the claim');"""


def claim(title, scenario, claim_text, predict, code, explain):
    return [
        ("md", f"## {title}\n\n**Claim:** {claim_text}\n\n**Scenario:** [`scenarios/{scenario}`](../scenarios/{scenario})\n\n"
               f"**Predict before you run:** {predict}"),
        ("code", code),
        ("md", f"**Why, in the runtime's or the controller's own terms.** {explain}"),
    ]


NOTEBOOKS["16-folk-claims"] = [
    ("md", """# 16. Folk claims put to the model

Six pieces of common advice about Go services on Kubernetes, each run through the model with a verdict.
Each claim has a curated scenario and a test (`test/lessons/folk-claims.test.ts`) that asserts the same
verdict over three seeds as ratios and directions — so the verdicts below are checked in CI, not just
narrated. Here two seeds per claim keep the notebook quick; the numbers are printed by the runs.

**The question.** Which of these hold for Go 1.19 and the Kubernetes HPA, which are half-truths, and
which are facts about other systems? For each, write *true*, *false* or *it depends* before running."""),
    ("code", IMPORTS + "\n" + CLAIMS_HELPERS),
    *claim("1. \"GOGC=50 lowers GC frequency\"", "claim-gogc-50-gc-frequency.yaml",
           "setting GOGC below 100 makes the GC run less often.",
           "cycles at GOGC 50 relative to GOGC 100: ×0.5, ×1, ×2?",
           """const g = runAll('../scenarios/claim-gogc-50-gc-frequency.yaml');
for (const [n, rs] of Object.entries(g)) console.log(`${n.padEnd(9)} ${mean(rs, (s) => s.gmp.gc.cycles).toFixed(0)} cycles, GC CPU ${pct(mean(rs, (s) => s.gmp.gc.gcCpuFraction))}, heap goal ${mean(rs, (s) => s.gmp.gc.heapGoalMB).toFixed(0)} MB`);
const ratio = mean(g['gogc-50']!, (s) => s.gmp.gc.cycles) / mean(g['gogc-100']!, (s) => s.gmp.gc.cycles);
console.log(`GOGC 50 / GOGC 100 cycles: x${ratio.toFixed(2)} — ${verdict(ratio < 1)}`);""",
           f"""GOGC is the *runway*: the heap goal is marked heap × (1 + GOGC/100)
([`heapGoalInternal`]({GO}mgcpacer.go)). Halving GOGC halves the bytes the program may allocate
between cycles, so at the same allocation rate the cycles come about twice as often — more GC CPU
for a smaller heap. To run the GC *less* often, raise GOGC (or set GOMEMLIMIT and GOGC=off)."""),
    *claim("2. \"More Ps mean less mark assist\"", "claim-more-ps-less-assist.yaml",
           "giving a Go process more Ps reduces the time goroutines spend in mark assist.",
           "assist as a share of the CPU, and in absolute CPU-seconds, at GOMAXPROCS 2, 4 and 8.",
           """const a = runAll('../scenarios/claim-more-ps-less-assist.yaml');
const coreS = (s: any) => s.gmp.gc.assistFraction * s.gomaxprocs * (s.durationS - s.warmupS);
for (const [n, rs] of Object.entries(a)) console.log(`${n.padEnd(13)} assist ${pct(mean(rs, (s) => s.gmp.gc.assistFraction))} of CPU = ${mean(rs, coreS).toFixed(1)} core-s; mark on ${pct(mean(rs, (s) => s.gmp.gc.markPhaseFraction))} of the time; p99 ${mean(rs, (s) => s.latencyMs.p99).toFixed(1)} ms`);
const holds = mean(a['gomaxprocs-8']!, coreS) < mean(a['gomaxprocs-2']!, coreS) && mean(a['gomaxprocs-8']!, (s) => s.gmp.gc.assistFraction) < mean(a['gomaxprocs-4']!, (s) => s.gmp.gc.assistFraction);
console.log(verdict(holds));""",
           f"""True for a fixed load, and the mechanism is worth knowing: the background mark workers are 25%
of GOMAXPROCS ([`gcBgMarkWorker`]({GO}mgc.go), `gcControllerState.startCycle` in
[mgcpacer.go]({GO}mgcpacer.go)), so more Ps finish the same scan work sooner; a shorter mark means fewer
bytes allocated while it is on, hence less debt for [`gcAssistAlloc`]({GO}mgcmark.go). The share falls
fastest (the same assist over more CPU); in absolute CPU the gain is smaller between small counts,
where the pod is saturated. Sooner only up to the host's CPUs: this host has 4, so GOMAXPROCS 8 puts 8
threads on 4 cores and its mark lasts as long as with 4 Ps (the same cores scan). Assist still falls,
because the extra Ps, idle between requests, run idle mark workers whose background credit pays the
allocating goroutines' debt before they must scan ([`gcFlushBgCredit`]({GO}mgcmark.go)) — the scan
work moves to the same cores, not away. The caveat is the price: more Ps only help if the container
may use them — above the CPU limit they buy throttling instead (lesson 7)."""),
    *claim("3. \"Stop-the-world pauses grow with the heap\"", "claim-stw-grows-with-heap.yaml",
           "a bigger heap means longer GC pauses.",
           "the longest STW pause with a 50 MB and with a 2 GB live heap.",
           """const h = runAll('../scenarios/claim-stw-grows-with-heap.yaml');
for (const [n, rs] of Object.entries(h)) {
  const markMs = mean(rs, (s) => (1000 * s.gmp.gc.markPhaseFraction * (s.durationS - s.warmupS)) / s.gmp.gc.cycles);
  console.log(`${n.padEnd(10)} heap goal ${mean(rs, (s) => s.gmp.gc.heapGoalMB).toFixed(0)} MB: STW p50 ${(1000 * mean(rs, (s) => s.gmp.gc.stwPauseMs.p50)).toFixed(0)} µs, max ${(1000 * Math.max(...rs.map((r: any) => r.summary.gmp.gc.stwPauseMs.max))).toFixed(0)} µs; concurrent mark ${markMs.toFixed(1)} ms per cycle; p99 ${mean(rs, (s) => s.latencyMs.p99).toFixed(1)} ms`);
}
const stw = (n: string) => Math.max(...h[n]!.map((r: any) => r.summary.gmp.gc.stwPauseMs.max));
console.log(verdict(stw('heap-2gb') > 2 * stw('heap-50mb')));""",
           f"""A JVM fact (Serial and Parallel collectors copy or compact whole generations inside the pause), not
a Go one. Go stops the world twice per cycle — sweep termination and mark termination
([`gcStart`]({GO}mgc.go), [`gcMarkTermination`]({GO}mgc.go), both via `stopTheWorldWithSema`) — and
neither walks the heap: the marking is concurrent. What grows with the heap is the concurrent mark
(printed per cycle) and the assists it charges to allocating goroutines — which is where a big heap's
latency cost lives in Go, as the p99 column shows."""),
    *claim("4. \"Idle Ms are reclaimed after 5 minutes\"", "claim-idle-ms-reclaimed.yaml",
           "the threads a burst of blocking syscalls created go away once the burst is over.",
           "the thread count 6 minutes after the burst.",
           """const ms = runScenario(loadScenarioFile('../scenarios/claim-idle-ms-reclaimed.yaml'), 1);
const th = col(ms, 'threads'), idle = col(ms, 'idle_threads'), tt = col(ms, 't_s');
console.log(`peak threads ${Math.max(...th)}; at t = ${tt[tt.length - 1]} s: ${th[th.length - 1]} threads, ${idle[idle.length - 1]} of them idle`);
console.log(verdict(th[th.length - 1]! < Math.max(...th)));
tslab.display.html(await seriesChartSvg(ms.series, { threads: 'threads', idle_threads: 'idle Ms', in_syscall: 'Gs in syscalls' }, 'Threads after a syscall burst', 'count'));""",
           f"""Go 1.19 never destroys an idle M. An M with nothing to run calls [`stopm`]({GO}proc.go), which puts it
on the idle list (`mput`) and sleeps on its note; `startm` takes one back (`mget`) before creating a new
thread. An M exits only when a goroutine that called `LockOSThread` exits without unlocking
(`goexit0` → `mexit`). So however many threads a burst created, all of them stay, parked (the printed
idle count) — cheap while parked (a stack each), but counted against the 10,000-thread limit
(`debug.SetMaxThreads`). The "5 minutes" belongs to other pools (e.g. `net/http`'s idle connections,
or JVM thread pools' keep-alive)."""),
    *claim("5. \"The HPA keeps scaling on cached metrics during a metrics outage\"", "metrics-outage-spike.yaml",
           "if metrics-server goes down, the HPA carries on with the last values it saw.",
           "what the HPA does during the outage window of a spike (95–180 s).",
           """const o = runAll('../scenarios/metrics-outage-spike.yaml');
const during = (r: any) => r.hpaDecisions.filter((d: any) => d.tS > 95 && d.tS < 180);
for (const [n, rs] of Object.entries(o)) console.log(`${n.padEnd(8)} rescales during the outage window: ${rs.map((r: any) => during(r).filter((d: any) => d.rescale).length).join(', ')}; conditions: ${[...new Set(rs.flatMap((r: any) => during(r).map((d: any) => d.scalingActive)))].join(', ')}; p99 ${mean(rs, (s) => s.latencyMs.p99).toFixed(0)} ms`);
console.log(verdict(o['outage']!.some((r: any) => during(r).some((d: any) => d.rescale))));""",
           f"""No cache: each sync [`computeReplicasForMetrics`]({K8S}horizontal.go) fetches the metrics afresh;
when the resource metrics API fails the metric is invalid, and with every metric invalid
[`reconcileAutoscaler`]({K8S}horizontal.go) sets `ScalingActive=False` (`FailedGetResourceMetric`) and
leaves the scale alone — neither on stale values nor "fail open" to maxReplicas. (With several
metrics, the valid ones still drive scale-up, never scale-down.) During an outage your capacity is
whatever you had: lesson 11."""),
    *claim("6. \"A behavior block cuts scale events and p95\"", "claim-behavior-cuts-events-and-p95.yaml",
           "adding `behavior` to an HPA reduces rescaling and improves the tail.",
           "rescales and p95 for no behavior (legacy), behavior with no scale-down window, the 300 s window, and a slow scale-up policy.",
           """const b = runAll('../scenarios/claim-behavior-cuts-events-and-p95.yaml');
for (const [n, rs] of Object.entries(b)) console.log(`${n.padEnd(14)} rescales ${mean(rs, (s) => s.hpa.rescales).toFixed(1)}, reversals ${mean(rs, (s) => s.hpa.directionReversals).toFixed(1)}, p95 ${mean(rs, (s) => s.latencyMs.p95).toFixed(2)} ms, ${mean(rs, (s) => s.cluster.podSeconds).toFixed(0)} pod-s`);
const p95 = (n: string) => mean(b[n]!, (s) => s.latencyMs.p95), ev = (n: string) => mean(b[n]!, (s) => s.hpa.rescales);
// the tolerances of test/lessons/folk-claims.test.ts: "the same" is within one rescale and 5% of p95
const same = Math.abs(ev('window-300s') - ev('legacy')) <= 1 && Math.abs(p95('window-300s') / p95('legacy') - 1) <= 0.05;
console.log(`against no behavior at all: window-300s ${same ? 'gives the same (within a rescale and 5% of p95)' : 'DIFFERS'}; no-window ${ev('no-window') > ev('legacy') ? 'adds events' : 'does not add events'}; slow-scale-up ${p95('slow-scale-up') > p95('legacy') ? 'raises' : 'does not raise'} p95`);""",
           f"""Half true, and misattributed. Without `behavior`, [`normalizeDesiredReplicas`]({K8S}horizontal.go)
already applies `stabilizeRecommendation` — the maximum recommendation of the last 5 minutes before
any scale-down — so the legacy HPA and a behavior with the default 300 s window give the same result,
within a rescale and a few percent of p95 (their scale-up rules count differently: a fixed max(2 ×
current, 4) against a rate over the policy's period).
What cuts events and p95 is the scale-down window, against a configuration *without* one; a behavior
block can just as well remove it (`no-window`: flapping, more events, a worse p95 — each scale-down
leaves the next surge short of pods) or slow scale-up (`convertDesiredReplicasWithBehaviorRate`: fewer
pod-seconds, a worse p95). A behavior is a set of knobs, not an improvement."""),
    ("md", """## Exercises

1. Claim 1 says GOGC=50 roughly doubles the cycles. Does GOGC=200 halve them — and does it halve the
   assist share too?
2. Claim 4: lower the burst to 50 req/s. Are fewer threads created — and are *they* reclaimed?

Guess first; the worked answers run the change (click *Answer*)."""),
    ("code", """// Worked answer to exercise 1
for (const n of ['gogc-100', 'gogc-200']) console.log(`${n}: ${mean(g[n]!, (s) => s.gmp.gc.cycles).toFixed(0)} cycles, assist ${pct(mean(g[n]!, (s) => s.gmp.gc.assistFraction))}`);"""),
    ("md", """<details><summary>Answer 1</summary>

The cycles halve, as the runway doubles. The assist share does not follow so simply: each cycle now
has twice the bytes to allocate before the goal, so the assist ratio (scan work per byte allocated)
is lower, but each mark lasts as long as the live heap takes to scan — the printed shares show how
the two effects net out in this run. Cycle count is a clean function of GOGC; assist is not.

</details>"""),
    ("code", """// Worked answer to exercise 2
const small = runScenario(patched('../scenarios/claim-idle-ms-reclaimed.yaml', { workload: { arrival: { process: 'steps', steps: [{ atS: 0, ratePerS: 50 }, { atS: 5, ratePerS: 1 }] } } }), 1);
const th2 = col(small, 'threads');
console.log(`burst of 50 req/s: peak ${Math.max(...th2)} threads, ${th2[th2.length - 1]} at the end`);"""),
    ("md", """<details><summary>Answer 2</summary>

Fewer threads are created — a smaller burst has fewer syscalls in flight when sysmon hands Ps off —
but they stay too: the count at the end equals the peak. Whatever the size of the burst, Go 1.19 keeps
its high-water mark of threads.

</details>"""),
    ("md", """## Not yet put to the model

"A cold start costs only the container start" is answered by lesson 17, which runs a flash crowd
through the start-up phases (scheduling, image pull, init, process start, application initialisation)
against the same run with start-up free. "A bigger connection pool lowers latency" still needs a model
of pools; it is added when that lands."""),
]

KUBE = "https://github.com/kubernetes/kubernetes/blob/v1.30.0/pkg/"
CA = "https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-1.30.0/cluster-autoscaler/"

NOTEBOOKS["17-scale-out-is-not-free"] = lesson(
    17, "Scale-out is not free: start-up, probes, rollouts and nodes", "startup-flash-crowd.yaml",
    """An autoscaler's decision is the start of a pod's life, not the end of the problem. Four runs, each a
cost production charges for and a model without it leaves out: a flash crowd meeting 40 s of start-up
per new pod ([`startup-flash-crowd.yaml`](../scenarios/startup-flash-crowd.yaml)); an overload that
makes the kubelet's liveness probes restart the pods that should be serving it
([`liveness-cascade.yaml`](../scenarios/liveness-cascade.yaml)); a rolling update in the middle of a
peak ([`rollout-during-peak.yaml`](../scenarios/rollout-during-peak.yaml)); and an HPA whose new pods
wait Pending for the cluster-autoscaler to add nodes
([`hpa-waits-for-nodes.yaml`](../scenarios/hpa-waits-for-nodes.yaml)). Where does the time go between
"the HPA asked for a pod" and "the pod serves", and what does each fix cost?""",
    """- Start-up: how much of the crowd's p99 comes from the 40 s of start-up (against the same run with
  start-up almost free)? Is raising minReplicas 60 s before a known crowd enough to remove it?
- Liveness: once the crowd has gone (150 s), do four pods with a strict liveness probe (1 s timeout,
  3 failures) recover by themselves? Does a lenient probe lose fewer requests — and is its p99 lower?
- Rollout: with Kubernetes' defaults (25% / 25%), how many Ready pods are left at the worst moment of
  a rollout of 6 pods? With maxSurge 2 / maxUnavailable 0?
- Nodes: with a 180 s node provisioner, how long after the crowd does the tail end? Does a 60 s
  provisioner, or spare nodes, make the p99 of the whole run much lower?""",
    [
        ("md", """### 1. Start-up phases on a flash crowd

Each new pod goes Scheduling → PullingImage (600 MB at 30 MB/s on a fresh node) → Init →
ContainerCreating → Initializing (20 s) → Ready. Three variants: `reactive` (the HPA alone),
`instant-start` (start-up almost free, as the model was before start-up phases) and `scheduled-min`
(minReplicas raised to 6 at 120 s for the crowd expected at 180 s)."""),
        ("code", """const sfc: Record<string, any> = {};
for (const v of variants('../scenarios/startup-flash-crowd.yaml')) {
  const x = runScenario(v.scenario, 1);
  sfc[v.name] = x;
  const s = x.summary, st = s.cluster.startup!;
  const t = col(x, 't_s'), ready = col(x, 'replicas_ready');
  const firstNew = t.find((_, i) => ready[i]! > 2);
  console.log(`${v.name.padEnd(14)} p99 ${s.latencyMs.p99.toFixed(1)} ms, p99.9 ${s.latencyMs.p999.toFixed(1)} ms, ${s.cluster.podSeconds.toFixed(0)} pod-s; ${st.podsStarted} new pods, mean ${st.meanToReadyS.toFixed(1)} s to Ready, the first Ready at ${firstNew} s`);
}
const st = sfc['reactive'].summary.cluster.startup!;
console.log('reactive, mean s per phase: ' + Object.entries(st.meanS).map(([k, v]) => `${k} ${(v as number).toFixed(1)}`).join(', ') + `; image pulls ${st.imagePulls}, cache hits ${st.imageCacheHits}`);
console.log('reactive, the HPA\\'s rescales: ' + sfc['reactive'].hpaDecisions.filter((d: any) => d.rescale).map((d: any) => `${d.tS} s ${d.currentReplicas} -> ${d.desiredReplicas}`).join(', '));"""),
        ("code", """const t1 = col(sfc['reactive'], 't_s');
const readyBy = { columns: ['t_s', ...Object.keys(sfc)], rows: t1.map((x, i) => [x, ...Object.values(sfc).map((r: any) => col(r, 'replicas_ready')[i]!)]) };
tslab.display.html(await seriesChartSvg(readyBy, Object.fromEntries(Object.keys(sfc).map((n) => [n, n])), 'Ready pods — start-up phases', 'pods'));
const p99By = { columns: ['t_s', ...Object.keys(sfc)], rows: t1.map((x, i) => [x, ...Object.values(sfc).map((r: any) => col(r, 'latency_p99_ms')[i]!)]) };
tslab.display.html(await seriesChartSvg(p99By, Object.fromEntries(Object.keys(sfc).map((n) => [n, n])), 'p99 per sample', 'ms'));"""),
        ("md", """### 2. The liveness cascade

Four pods serve 2,400 req/s; from 60 s to 150 s 4,400 arrive. A probe is a request to the pod and
waits in the same run queues as the traffic."""),
        ("code", """const lc: Record<string, any> = {};
for (const v of variants('../scenarios/liveness-cascade.yaml')) {
  const x = runScenario(v.scenario, 1);
  lc[v.name] = x;
  const s = x.summary, p = s.cluster.probes!;
  const t = col(x, 't_s'), ready = col(x, 'replicas_ready'), done = col(x, 'completions_per_s'), arr = col(x, 'arrivals_per_s');
  const last = t.map((_, i) => i).filter((i) => t[i]! > s.durationS - 60);
  const avg = (a: number[]) => last.reduce((acc, i) => acc + a[i]!, 0) / last.length;
  console.log(`${v.name}: probes sent ${p.sent}, timed out ${p.timeouts}, failed ${p.failures}; readiness lost ${p.readinessLost} times; liveness restarts ${p.livenessRestarts}`);
  console.log(`  requests failed ${s.requests.failed} of ${s.requests.arrived} (refused: no Ready pod ${s.cluster.rejected}; lost in restarts ${s.cluster.killed}); p99 of the completed ${(s.latencyMs.p99 / 1000).toFixed(1)} s`);
  console.log(`  last minute (the crowd left at 150 s): ${avg(ready).toFixed(1)} Ready pods, ${avg(done).toFixed(0)} of ${avg(arr).toFixed(0)} req/s completed`);
}
for (const [n, x] of Object.entries(lc)) tslab.display.html(await seriesChartSvg(x.series, { replicas_ready: 'Ready pods' }, `Ready pods — ${n}`, 'pods'));"""),
        ("md", """### 3. A rolling update during the peak

Six pods carry 4,200 req/s (2 ms of CPU each, 70% of their 12 Ps) when a new version rolls out at
120 s. `ResolveFenceposts` turns the percentages into pods: maxSurge rounds up, maxUnavailable down."""),
        ("code", """const ro: Record<string, any> = {};
console.log(`25% of 6 pods: maxSurge ceil(1.5) = ${Math.ceil(0.25 * 6)}, maxUnavailable floor(1.5) = ${Math.floor(0.25 * 6)}`);
for (const v of variants('../scenarios/rollout-during-peak.yaml')) {
  const x = runScenario(v.scenario, 1);
  ro[v.name] = x;
  const s = x.summary, r = s.cluster.rollouts![0]!;
  const t = col(x, 't_s'), ready = col(x, 'replicas_ready'), p99 = col(x, 'latency_p99_ms');
  const during = t.map((_, i) => i).filter((i) => t[i]! > r.atS && t[i]! <= (r.completedS ?? s.durationS));
  const alive = new Map<number, number>();
  for (const row of x.podSeries.rows) alive.set(row[0] as number, (alive.get(row[0] as number) ?? 0) + 1);
  console.log(`${v.name.padEnd(15)} rollout at ${r.atS} s, every new replica available at ${r.completedS} s; during it: fewest Ready ${Math.min(...during.map((i) => ready[i]!))}, most pods alive ${Math.max(...alive.values())}, worst sampled p99 ${Math.max(...during.map((i) => p99[i]!)).toFixed(1)} ms`);
  console.log(`${''.padEnd(15)} run p99 ${s.latencyMs.p99.toFixed(1)} ms, ${s.cluster.podSeconds.toFixed(0)} pod-s, HPA rescales ${s.hpa!.rescales}`);
}
const roT = col(ro['defaults-25-25'], 't_s');
const roReady = { columns: ['t_s', ...Object.keys(ro)], rows: roT.map((x, i) => [x, ...Object.values(ro).map((r: any) => col(r, 'replicas_ready')[i]!)]) };
tslab.display.html(await seriesChartSvg(roReady, Object.fromEntries(Object.keys(ro).map((n) => [n, n])), 'Ready pods through the rollout', 'pods'));"""),
        ("md", """### 4. The HPA waits for nodes

200 → 3,600 req/s at 120 s on two 2-core nodes (two 1-core pods each). The HPA asks for up to 12
pods; the rest wait Pending until the cluster-autoscaler's nodes are Ready. Variants: a 180 s
provisioner, a 60 s one, and six nodes from the start."""),
        ("code", """const nw: Record<string, any> = {};
for (const v of variants('../scenarios/hpa-waits-for-nodes.yaml')) {
  const x = runScenario(v.scenario, 1);
  nw[v.name] = x;
  const s = x.summary, st = s.cluster.startup!, na = s.cluster.nodeAutoscaler!;
  const t = col(x, 't_s'), p99 = col(x, 'latency_p99_ms');
  const slow = t.map((_, i) => i).filter((i) => t[i]! > 120 && p99[i]! > 100);
  console.log(`${v.name}: nodes added ${na.nodesAdded} (most up at once ${na.maxNodes}); new pods ${st.podsStarted}: mean ${st.meanS.Scheduling.toFixed(0)} s Scheduling (Pending included), ${st.meanToReadyS.toFixed(0)} s to Ready`);
  console.log(`  sampled p99 over 100 ms from ${slow.length ? t[slow[0]!] : '-'} s to ${slow.length ? t[slow[slow.length - 1]!] : '-'} s; run: p99 ${(s.latencyMs.p99 / 1000).toFixed(1)} s, p90 ${(s.latencyMs.p90 / 1000).toFixed(1)} s, mean ${(s.latencyMs.mean / 1000).toFixed(2)} s; ${s.cluster.podSeconds.toFixed(0)} pod-s`);
}
console.log('the HPA\\'s rescales (all variants): ' + nw['autoscaled-180s'].hpaDecisions.filter((d: any) => d.rescale).map((d: any) => `${d.tS} s ${d.currentReplicas} -> ${d.desiredReplicas}`).join(', '));
tslab.display.html(await seriesChartSvg(nw['autoscaled-180s'].series, { replicas_desired: 'desired', replicas_ready: 'ready', pods_pending: 'Pending', nodes: 'nodes', nodes_provisioning: 'nodes provisioning' }, 'autoscaled-180s: pods and nodes', 'count'));"""),
    ],
    f"""**Start-up.** The HPA's first scale-up needs a full metrics window of the crowd
([`reconcileAutoscaler`]({K8S}horizontal.go)); the pods it creates then go through the kubelet's steps:
the scheduler binds them, the image is pulled on each node that does not hold it
([`EnsureImageExists`]({KUBE}kubelet/images/image_manager.go), IfNotPresent — the printed pulls and
cache hits), init containers, the container start, and the application's own initialisation before the
readiness gate opens. Meanwhile the two old pods carry the crowd alone and their queues set the tail;
with start-up free (`instant-start`) the same decisions serve sooner. A decision that comes at the
crowd's arrival can never be faster than the start-up time: `scheduled-min` moves the decision
*before* the crowd (a KEDA cron trigger or a CronJob editing minReplicas), and pays for it in
pod-seconds — compare the printed lines.

**Liveness.** The kubelet runs one probe worker per container and probe
([`worker.doProbe`]({KUBE}kubelet/prober/worker.go), results through `prober.runProbe`); a probe that
has no answer within `timeoutSeconds` is a failure, and `failureThreshold` failures in a row change the
result. A readiness failure only takes the pod out of the Service; a *liveness* failure makes the
kubelet kill and restart the container
([`computePodActions`]({KUBE}kubelet/kuberuntime/kuberuntime_manager.go)), losing its requests in
flight, paying process start and initialisation again, with CrashLoopBackOff between restarts
(`doBackOff`). In an overload a probe waits behind the queue like any request, so a 1 s timeout fails
as soon as the queue holds more than a second of work — on every pod at once. The restarted pod comes
back to its share of a backlog and fails again; the survivors carry the rest and fail too: the printed
restarts and the last minute's Ready pods show whether the Deployment recovered after the crowd left.
The lenient probe rides it out through readiness alone. Read its p99 with the failed count beside it:
the p99 counts only requests that completed, so a run that *loses* its backlog can show a lower p99
than one that serves it late.

**Rollout.** The Deployment controller's [`rolloutRolling`]({KUBE}controller/deployment/rolling.go)
scales the new ReplicaSet up (`reconcileNewReplicaSet`, bounded by replicas + maxSurge:
`NewRSNewReplicas`) and the old ones down (`reconcileOldReplicaSets`, keeping replicas − maxUnavailable
available), with the fenceposts from [`ResolveFenceposts`]({KUBE}controller/deployment/util/deployment_util.go)
(printed). With the defaults it may drop a Ready pod at once, and five pods then carry six pods' load
until a new pod is Ready — the tail grows for the rollout's length. maxUnavailable 0 keeps every old
pod until its replacement is available: the rollout takes longer and pays for the surge pods
(pod-seconds), but the Ready count never drops. The HPA keeps scaling the Deployment during a rollout;
its changes are spread over the ReplicaSets in proportion (sync.go's `scale`, with `GetProportion`).

**Nodes.** A pod that fits on no node stays Pending. The cluster-autoscaler's loop
([`StaticAutoscaler.RunOnce`]({CA}core/static_autoscaler.go), scale-up in
[`ScaleUp`]({CA}core/scaleup/orchestrator/orchestrator.go)) sees unschedulable pods every scan and asks
the cloud for nodes, which join minutes later; only then are the pods scheduled, pull their image on
the fresh node, and start. The printed Scheduling time is mostly that wait. The backlog built in the
crowd's first minute — before any new pod could serve, whatever the provisioner — sets the p99 of the
whole run for every variant; what a faster provisioner or spare room buys is how *long* the tail lasts
(the printed window of slow samples) and the mean, at the price of idle nodes for `room-to-spare`.""",
    [
        ("""`scheduled-min` raises minReplicas 60 s before the crowd. Raise it only 10 s before (at 170 s), and
40 s before (at 140 s). How much of the gain remains?""",
         """for (const atS of [170, 140]) {
  const x = runScenario(patched('../scenarios/startup-flash-crowd.yaml', { timeline: [{ type: 'hpa', atS, minReplicas: 6 }, { type: 'hpa', atS: 420, minReplicas: 2 }] }), 1).summary;
  console.log(`minReplicas 6 at ${atS} s: p99 ${x.latencyMs.p99.toFixed(1)} ms, ${x.cluster.podSeconds.toFixed(0)} pod-s`);
}
for (const n of ['reactive', 'scheduled-min']) console.log(`${n.padEnd(13)} p99 ${sfc[n].summary.latencyMs.p99.toFixed(1)} ms, ${sfc[n].summary.cluster.podSeconds.toFixed(0)} pod-s; mean time to Ready ${sfc[n].summary.cluster.startup.meanToReadyS.toFixed(1)} s`);""",
         """A schedule helps only by the part of the start-up it hides: the pods must be *Ready* when the crowd
arrives, so the lead has to exceed the time to Ready (printed) — image pull, init and the application's
warm-up, not just the container start. With a 10 s lead the new pods are still pulling when the crowd
comes and most of the reactive run's tail is back; a lead shorter than the start-up buys part of it.
Measure your pods' time to Ready before you set the schedule."""),
        ("""Liveness: make the crowd last 20 s (60–80 s) instead of 90 s. Does the strict probe still restart
pods, and does the Deployment recover?""",
         """const shortCrowd = runScenario(patched('../scenarios/liveness-cascade.yaml', { workload: { arrival: { process: 'steps', steps: [{ atS: 0, ratePerS: 2400 }, { atS: 60, ratePerS: 4400 }, { atS: 80, ratePerS: 2400 }] } } }), 1);
const sp = shortCrowd.summary.cluster.probes!;
const tt = col(shortCrowd, 't_s'), rr = col(shortCrowd, 'replicas_ready');
const lastMin = tt.map((_, i) => i).filter((i) => tt[i]! > shortCrowd.summary.durationS - 60);
console.log(`20 s crowd, strict liveness: ${sp.livenessRestarts} restarts, ${shortCrowd.summary.requests.failed} requests failed; Ready pods in the last minute ${(lastMin.reduce((a, i) => a + rr[i]!, 0) / lastMin.length).toFixed(1)}`);
console.log(`90 s crowd, strict liveness: ${lc['strict-liveness'].summary.cluster.probes.livenessRestarts} restarts, ${lc['strict-liveness'].summary.requests.failed} requests failed`);""",
         """Compare the printed restarts and the last minute's Ready pods. A cascade needs the backlog to outlast
three probe periods on enough pods at once: a shorter crowd leaves a smaller backlog, fewer probes
time out in a row, and fewer restarts shift load onto the survivors. Whether it tips into the
self-sustaining state depends on how much backlog is left when the crowd ends — which is what makes a
metastable failure hard to test for: the same probe survives one crowd and not a slightly longer one.
The robust fix is the lenient liveness probe (or none): liveness is for deadlocks, not for load."""),
        ("""Rollout: the cheapest strategy, maxSurge 0 / maxUnavailable 2 (no extra pods at all). What happens
to the tail?""",
         """const cheap = runScenario(patched('../scenarios/rollout-during-peak.yaml', { cluster: { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 2 } } } }), 1).summary;
console.log(`0 / 2: p99 ${cheap.latencyMs.p99.toFixed(1)} ms, ${cheap.cluster.podSeconds.toFixed(0)} pod-s, rollout done at ${cheap.cluster.rollouts![0]!.completedS} s`);
for (const [n, x] of Object.entries(ro)) console.log(`${n.padEnd(15)} p99 ${x.summary.latencyMs.p99.toFixed(1)} ms, ${x.summary.cluster.podSeconds.toFixed(0)} pod-s`);""",
         """Four Ready pods have 8 Ps for 8.4 cores of work: the pods are over capacity while two are being
replaced, queues grow without bound until the new pods are Ready, and the p99 of the whole run jumps
by orders of magnitude, for a few pod-seconds saved. maxUnavailable is a capacity decision: at a peak,
(replicas − maxUnavailable) pods must carry the load. At 70% utilization one pod of six may go; two
may not."""),
    ],
    """`gmpsim compare scenarios/startup-flash-crowd.yaml` (and the same for the other three);
`gmpsim run … --report` writes pods.csv with each pod's `phase` (and `revision` in a rollout);
summary.json → `cluster.startup`, `cluster.probes`, `cluster.rollouts`, `cluster.nodeAutoscaler`;
timeseries.csv → `pods_pending`, `nodes`, `nodes_provisioning`.

Shared node CPU (`cluster.nodeCpuSharing`): `gmpsim compare scenarios/gomaxprocs-above-node-cores.yaml --seeds 3`
puts two pods with GOMAXPROCS 4 on each 4-core node; when both burst, their threads share the node's cores
(CFS between the pods' cgroups) and the tail grows, which the model without sharing does not show.

Warm-up after Ready (`cluster.pod.warmup`): `gmpsim compare scenarios/warmup-flash-crowd.yaml` sends a crowd
to pods whose new containers serve 3x slower at Ready; the cold pods stretch the tail and the HPA adds
more of them, while warm pods ahead of the crowd (minReplicas, or a schedule) do not.""",
)

NOTEBOOKS["18-goroutine-density-law"] = lesson(
    18, "The goroutine-density law against the HPA", "density-law-lesson.yaml",
    """The source article proposes a control law for the goroutines per pod, dρ/dt = α(ρ_target − ρ) −
β·λ_in + γ·σ_gc: pull the density to a target (α), scale ahead of the arrival rate (β), and hold the
density up while the GC pauses (γ). The model steps it once a period on x = ρ / ρ_target (see the
scenario's comment and the README's "Goroutine-density controller"). On one flash crowd (200 → 1,200
req/s at 90 s, 50 ms of network wait per request), with the article's values of α, β and γ: is the law
stable, what do β and γ do, and does it beat a CPU HPA?""",
    """- α = 0.1 and 0.3 with a 15 s period: does the replica count settle, or swing?
- β = 0.2 (the article's): more pods than the HPA, or fewer? By how much?
- γ = 0.25: does holding the density up under GC save pods — and what does it cost?""",
    [
        ("code", """const dl: Record<string, any> = {};
for (const v of variants('../scenarios/density-law-lesson.yaml')) {
  const x = runScenario(v.scenario, 1);
  dl[v.name] = x;
  const s = x.summary, d = v.scenario.densityController;
  const law = d ? `αΔt ${(d.alpha * d.periodS).toFixed(2)}, β ${d.beta}, γ ${d.gamma}, deadband ${d.deadbandPct}%` : 'HPA, CPU 50%';
  console.log(`${v.name.padEnd(19)} ${law.padEnd(42)} rescales ${String(s.hpa!.rescales).padStart(2)}, reversals ${String(s.hpa!.directionReversals).padStart(2)}, ${s.cluster.podSeconds.toFixed(0).padStart(5)} pod-s, max ${s.cluster.maxReplicas} pods, p99 ${s.latencyMs.p99.toFixed(1)} ms`);
}
const base = loadScenarioFile('../scenarios/density-law-lesson.yaml');
const tt = col(dl['hpa'], 't_s'), stw = col(dl['hpa'], 'gc_pause_ms_per_s'), rdy = col(dl['hpa'], 'replicas_ready'), arr = col(dl['hpa'], 'arrivals_per_s');
const after = tt.map((_, i) => i).filter((i) => tt[i]! > 120);
const meanOf = (f: (i: number) => number) => after.reduce((a, i) => a + f(i), 0) / after.length;
console.log(`the scales, in the HPA run after 120 s: λ̂ = per-pod rate / ${base.densityController!.referenceRatePerPodPerS} ≈ ${meanOf((i) => arr[i]! / rdy[i]! / base.densityController!.referenceRatePerPodPerS).toFixed(2)}; σ_gc ≈ ${meanOf((i) => stw[i]! / rdy[i]!).toFixed(3)} STW ms per s per pod`);"""),
        ("code", """const names = ['hpa', 'article-alpha-0.3', 'stable'];
const dlRows = { columns: ['t_s', ...names], rows: tt.map((x, i) => [x, ...names.map((n) => col(dl[n], 'replicas_desired')[i]!)]) };
tslab.display.html(await seriesChartSvg(dlRows, Object.fromEntries(names.map((n) => [n, n])), 'Replicas asked for', 'pods'));
console.log('article-alpha-0.3, each rescale: ' + dl['article-alpha-0.3'].hpaDecisions.filter((d: any) => d.rescale).map((d: any) => `${d.tS} s ${d.currentReplicas}->${d.desiredReplicas}`).join(', '));"""),
        ("md", "Why α × period decides: a proportional step shrinks the error by (1 − αΔt) each period. The error left after each of five periods, starting from 1:"),
        ("code", """for (const k of [0.5, 0.75, 1, 1.5, 2.5, 4.5]) console.log(`αΔt ${k.toFixed(2).padStart(4)}: ${Array.from({ length: 5 }, (_, n) => (1 - k) ** (n + 1)).map((e) => e.toFixed(2).padStart(7)).join(' ')}`);"""),
        ("md", """**The map.** The lesson's sweep crosses α (0.02–0.5), β (0–0.6) and γ (0–0.25) — the article's grid
and below it. `npm run density-map` runs every point and the `hpa` variant on the sweep's two seeds (the same
seeds for all: a paired comparison) and commits the result to `results/reference/density-law-map/`. A cell
**oscillates** when the controller's rescales reverse direction (up then down, or down then up) at least four
times in the run on the mean of the seeds — the load here steps up once and never down, so a loop that
settles reverses once or twice at most. A ★ marks a cell that **beats the HPA**: fewer pod-seconds and no
more minutes over the SLO than the HPA on every seed."""),
        ("code", """const mapCsv = readFileSync('../results/reference/density-law-map/map.csv', 'utf8').trimEnd().split('\\n');
const head = mapCsv[0]!.split(','), cells = mapCsv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
for (const p of ['monotone', 'ringing', 'diverging']) {
  const c = cells.filter((r) => r.predicted === p);
  console.log(`${p.padEnd(9)} (αΔt ${p === 'monotone' ? '≤ 1' : p === 'ringing' ? '1–2' : '≥ 2'}): ${c.filter((r) => r.behaviour === 'oscillates').length} of ${c.length} cells oscillate, ${c.filter((r) => r.beats_hpa === 'yes').length} beat the HPA`);
}
const stableWins = cells.filter((r) => r.behaviour === 'stable' && r.beats_hpa === 'yes');
console.log('stable and beating the HPA: ' + stableWins.map((r) => `α ${r.alpha} β ${r.beta} γ ${r.gamma} (${r.pod_seconds} vs ${r.hpa_pod_seconds} pod-s)`).join('; '));
tslab.display.html(readFileSync('../results/reference/density-law-map/map.svg', 'utf8'));"""),
    ],
    f"""**Stability is α × period.** The law is a continuous-time equation, but a controller acts once a
period: Euler forward, x* = x + Δt·α(1 − x), so the error is multiplied by (1 − αΔt) each period
(printed above). Up to αΔt = 1 it shrinks monotonically; between 1 and 2 it flips sign each period —
the replica count rings; at 2 and above it grows, bounded only by `maxStepReplicas` and the replica
limits. The article's α = 0.1–0.3 per second with a 15 s period are αΔt = 1.5–4.5: the swings and
reversals printed above. `stable` has αΔt below 1 and a 25% deadband, which damps — compare its
printed reversals, not zero — the ±1-pod flapping that a noisy goroutine gauge causes even in a stable
loop (`gmpsim validate` warns with the bound α ≤ 1/periodS).

**β and γ need scales.** With λ̂ measured against 100 req/s per pod, the article's β = 0.2 lowers the
aimed-for density by βΔt·λ̂ = 3·λ̂ of the target a period — the whole target once λ̂ passes a third — so the law
asks for pods in proportion to the arrival rate whatever the density: a lower p99 (less queueing) for
a multiple of the HPA's pod-seconds. σ_gc is stop-the-world milliseconds per second, under one here
(printed); γ = 0.25 then *raises* the aimed-for density enough to cancel the α term, so the law keeps
the pods it has under GC — the fewest pod-seconds and the worst tail of the table.

**Against the HPA.** The CPU HPA ([`GetResourceReplicas`]({K8S}replica_calculator.go)) measures
work, not waiting: it has a 10% tolerance (a deadband) and, without `behavior`, a 5-minute scale-down
window ([`stabilizeRecommendation`]({K8S}horizontal.go)), so it rescales seldom (printed). The density
law counts goroutines, which here are mostly waiting on the 50 ms network call (Little's law, lesson
10): with a stable α it can run fewer pods than the HPA for the same tail — compare `stable` with `hpa`
above — while the article's own α values buy the same tail with rescales and reversals. The law's
control theory, not its idea, is what the article's parameters get wrong.

**The map** (printed above) says the same over the whole grid. Every cell with αΔt ≥ 2 that still moves
pods swings; the cells that escape it are held at the replica limits by β (β = 0.6 asks for the maximum
whatever the density — stable, but at several times the HPA's pod-seconds). Below αΔt = 1 the loop settles
unless β's feed-forward term pulls against α and γ until they nearly cancel (then each period's small
residue flips sign: the cells with a small β), and γ = 0.25 with a small α and no β freezes the pods at one (the
fewest pod-seconds, and more minutes over the SLO than the HPA: no ★). The cells that are stable *and*
beat the HPA are few and have small α, no β and little or no γ — the law's proportional term alone, run
slowly enough for its period.""",
    [
        ("""Keep the article's α = 0.1 but decide every 5 s instead of 15 s (αΔt = 0.5). Rescales, reversals,
pod-seconds?""",
         """const p5 = runScenario(patched('../scenarios/density-law-lesson.yaml', { densityController: { periodS: 5 } }), 1).summary;
console.log(`α 0.1, period 5 s:  rescales ${p5.hpa!.rescales}, reversals ${p5.hpa!.directionReversals}, ${p5.cluster.podSeconds.toFixed(0)} pod-s, p99 ${p5.latencyMs.p99.toFixed(1)} ms`);
const a1 = dl['article-alpha-0.1'].summary;
console.log(`α 0.1, period 15 s: rescales ${a1.hpa.rescales}, reversals ${a1.hpa.directionReversals}, ${a1.cluster.podSeconds.toFixed(0)} pod-s, p99 ${a1.latencyMs.p99.toFixed(1)} ms`);""",
         """The same α becomes a stable loop when the period shrinks: it is the product αΔt that the
discrete step sees, not α. A shorter period also reacts sooner to the crowd. The price is more
decisions on a noisier gauge (each period sees fewer seconds of metrics), which is why a deadband
still helps. If you cannot shorten the period (the metrics pipeline's scrape interval bounds it),
lower α to at most 1/periodS."""),
        ("""Use a tenth of the article's β (0.02, with α = 0.05). Where do pod-seconds and p99 land?""",
         """const b02 = runScenario(patched('../scenarios/density-law-lesson.yaml', { densityController: { alpha: 0.05, beta: 0.02 } }), 1).summary;
console.log(`β 0.02: ${b02.cluster.podSeconds.toFixed(0)} pod-s, p99 ${b02.latencyMs.p99.toFixed(1)} ms, rescales ${b02.hpa!.rescales}, reversals ${b02.hpa!.directionReversals}`);
for (const n of ['hpa', 'article-beta-0.2']) console.log(`${n.padEnd(16)} ${dl[n].summary.cluster.podSeconds.toFixed(0)} pod-s, p99 ${dl[n].summary.latencyMs.p99.toFixed(1)} ms`);""",
         """β's term subtracts a fixed share of the target per unit of λ̂ every period, independent of the
error, so it shifts where the loop settles: a smaller β settles at a higher density (fewer pods) than
the article's. But it still pulls against α each period, so read the rescales and reversals beside
the pod-seconds: a feed-forward term on a noisy rate adds its noise to the decisions. The honest way
to "scale ahead of load" is a target that accounts for the rate (or a schedule, lesson 17), tuned with
`gmpsim sweep scenarios/density-law-lesson.yaml`, which maps α × β × γ over the article's ranges."""),
    ],
    """`gmpsim validate scenarios/density-law-lesson.yaml` (the stability warning); `gmpsim compare
scenarios/density-law-lesson.yaml --seeds 3`; `gmpsim sweep scenarios/density-law-lesson.yaml --workers 2`
(points.csv: pod-seconds, p99, rescales, flaps per α, β, γ); `npm run density-map` (the committed map, ~2
minutes of CPU).""",
)


NOTEBOOKS["19-the-service-world"] = [
    ("md", """# 19. The service's world: pools, slow dependencies, breakers and shedding

**Scenarios:** [`scenarios/pool-exhaustion-flash-crowd.yaml`](../scenarios/pool-exhaustion-flash-crowd.yaml),
[`scenarios/slow-dependency-hpa.yaml`](../scenarios/slow-dependency-hpa.yaml),
[`scenarios/breaker-trip-recover.yaml`](../scenarios/breaker-trip-recover.yaml),
[`scenarios/load-shedding.yaml`](../scenarios/load-shedding.yaml)

**The question.** A Go service's tail latency, and whether scaling it out helps, are mostly decided by what it
calls. When is the connection pool the bottleneck rather than CPU or the database? Does an autoscaler that
scales on goroutines help when the database is slow? What does a circuit breaker buy, and what does a load
shedder cost? The pool mirrors `database/sql`'s `conn()`/`putConn`
([sql.go](https://github.com/golang/go/blob/go1.19/src/database/sql/sql.go)); the breaker is sony/gobreaker's
state machine; the shedder is Netflix concurrency-limits' AIMD limit."""),
    ("md", """**Predict before you run.** Write your answers down first.

- Three pods with 4 connections each, 20 ms queries, 1,200 req/s: what fraction of requests fail with a
  500 ms deadline? What is the CPU utilization meanwhile?
- A database at 94 % of its capacity: a goroutine-count HPA scales out. By how much does p99 improve?
- A breaker that opens for 5 s: is the surge's failure count higher or lower than without it?
- A fixed limit of 16 in-flight requests at 1.4× overload: what is p99 for the admitted requests?"""),
    ("code", """import * as tslab from 'tslab';
import { compareScenarios, runScenario, seriesChartSvg } from '../dist/src/index.js';
import { readFileSync } from 'node:fs';
const variants = (file: string) => compareScenarios(readFileSync(file, 'utf8'), file).variants;
const runAll = (file: string) => Object.fromEntries(variants(file).map((v) => [v.name, runScenario(v.scenario, 1)]));
/** One column of every variant's run, side by side, as a series to chart. */
const byVariant = (runs: Record<string, any>, c: string) => {
  const t = col(Object.values(runs)[0], 't_s');
  return { columns: ['t_s', ...Object.keys(runs)], rows: t.map((x, i) => [x, ...Object.values(runs).map((r: any) => col(r, c)[i]!)]) };
};
const names = (runs: Record<string, any>) => Object.fromEntries(Object.keys(runs).map((n) => [n, n]));
const col = (r: { series: { columns: readonly string[]; rows: readonly (readonly number[])[] } }, name: string) => {
  const i = r.series.columns.indexOf(name);
  return r.series.rows.map((row) => row[i]!);
};"""),
    ("md", """### 1. Pool exhaustion under a flash crowd, and its fix"""),
    ("code", """const pool = runAll('../scenarios/pool-exhaustion-flash-crowd.yaml');
for (const [n, r] of Object.entries(pool)) {
  const s = r.summary, sv = s.service!;
  console.log(`${n}: ok ${s.requests.completed}, failed ${sv.requestsFailed}, p99 ${s.latencyMs.p99.toFixed(1)} ms, ` +
    `CPU ${(100 * s.utilization).toFixed(0)} %, dials ${sv.dependencies.db!.pool.dials}, abandoned at the db ${sv.dependencies.db!.abandoned}, ` +
    `max waiting ${Math.max(...col(r, 'pool_db_waiting'))}`);
}
tslab.display.html(await seriesChartSvg(byVariant(pool, 'pool_db_waiting'), names(pool), 'Requests waiting for a connection (all pods)', 'requests'));"""),
    ("md", """### 2. A slow dependency: goroutine HPA vs CPU HPA"""),
    ("code", """const slow = runAll('../scenarios/slow-dependency-hpa.yaml');
for (const [n, r] of Object.entries(slow)) {
  const s = r.summary;
  console.log(`${n}: max replicas ${s.cluster.maxReplicas}, pod-seconds ${s.cluster.podSeconds.toFixed(0)}, ` +
    `p50 ${s.latencyMs.p50.toFixed(1)} ms, p99 ${s.latencyMs.p99.toFixed(1)} ms`);
}
tslab.display.html(await seriesChartSvg(byVariant(slow, 'replicas_ready'), names(slow), 'Ready pods: CPU HPA vs goroutine HPA', 'pods'));
tslab.display.html(await seriesChartSvg(byVariant(slow, 'latency_p99_ms'), names(slow), 'p99 per sample: the same with 3 pods or 10', 'ms'));"""),
    ("md", """### 3. A breaker tripping and recovering"""),
    ("code", """const br = runAll('../scenarios/breaker-trip-recover.yaml');
for (const [n, r] of Object.entries(br)) {
  const sv = r.summary.service!;
  const t = col(r, 't_s'), done = col(r, 'completions_per_s');
  const firstOk = t.find((x, i) => x > 50 && done[i]! > 100);
  console.log(`${n}: trips ${sv.dependencies.db!.breakerTrips ?? 0}, failed ${sv.requestsFailed} (p50 ${sv.failedLatencyMs.p50.toFixed(1)} ms), ` +
    `abandoned at the db ${sv.dependencies.db!.abandoned}, first good second after the surge: ${firstOk} s`);
}
tslab.display.html(await seriesChartSvg(byVariant(br, 'completions_per_s'), names(br), 'Completed requests per second through the surge', 'requests/s'));"""),
    ("md", """### 4. Shedding keeps p99 while dropping requests"""),
    ("code", """const shed = runAll('../scenarios/load-shedding.yaml');
for (const [n, r] of Object.entries(shed)) {
  const s = r.summary, sv = s.service;
  console.log(`${n}: p99 ${s.latencyMs.p99.toFixed(1)} ms, ok ${s.requests.completed}, shed ${sv?.requestsShed ?? 0}` +
    (sv?.limiterLimitsAtEnd ? `, limit at end ${sv.limiterLimitsAtEnd.join(', ')}` : ''));
}
tslab.display.html(await seriesChartSvg(byVariant(shed, 'latency_p99_ms'), names(shed), 'p99 per sample (admitted requests)', 'ms'));"""),
    ("md", f"""## What happened, in the system's own terms

**The pool.** `database/sql`'s [`DB.conn`](https://github.com/golang/go/blob/go1.19/src/database/sql/sql.go)
hands out an idle connection, opens a new one while fewer than `MaxOpenConns` are open, and otherwise
queues the caller in `connRequests` until [`putConn`](https://github.com/golang/go/blob/go1.19/src/database/sql/sql.go)
gives one back — or until the request's context expires (`ctx.Done()`), which fails the request. With 4
connections of 20 ms each a pod can run 200 queries/s; the crowd asks about 400 per pod, so the queue grows
until requests hit their 500 ms deadline: most fail while the CPU idles (the printed CPU). The waits
that give up leave the database work they started behind (the printed abandoned queries): the pool, not
the database's capacity and not the CPU, is the bottleneck. 32 connections serve the same crowd with no
queue at all.

**A slow dependency.** The HPA's Pods metric is averaged over the pods
([`GetMetricReplicas`]({K8S}replica_calculator.go): usage / target × pods), and every request waiting on the
database is a live goroutine, so a goroutine HPA sees the dependency's latency as load and scales out; a CPU
HPA sees little CPU and does not. Both end with the same p50 and p99 (printed): the requests' time is spent
at the database, which more callers do not make faster. Scaling on a metric that measures someone else's
slowness buys pods, not latency.

**The breaker.** A gobreaker-style breaker ([sony/gobreaker](https://github.com/sony/gobreaker/blob/master/gobreaker.go):
closed → open after consecutive failures → half-open after its timeout) fails requests at once while
open (the printed p50 of failures, against the deadline's wait without it) instead of letting them wait;
the database gets far fewer queries that nobody waits for any more (abandoned), drains its backlog and
serves again sooner — the first good second after the surge.

**Shedding.** A limiter rejects requests above its in-flight limit at once (a fixed 16, or an AIMD limit
that grows by one while latency is fine and shrinks when it is not, as Netflix's concurrency-limits
does). Past capacity, open-loop arrivals without a limiter queue without bound — p99 in seconds — while
the limiters keep the admitted requests' p99 near the service time and return the rest as fast errors."""),
    ("md", """## Exercises

1. In the pool-exhaustion scenario, set `maxOpenConns: 8`. Is it enough for the crowd (3 pods × 8 / 20 ms)?
2. The slow dependency: give the database twice the concurrency (320). Does p99 fall — with either HPA?"""),
    ("code", """// Worked answer to exercise 1
const eight = compareScenarios(readFileSync('../scenarios/pool-exhaustion-flash-crowd.yaml', 'utf8').replace(/^variants:[\\s\\S]*$/m, '') +
  '\\nvariants:\\n  - name: eight\\n    patch: { dependencies: { db: { pool: { maxOpenConns: 8, maxIdleConns: 8 } } } }\\n',
  '../scenarios/pool-exhaustion-flash-crowd.yaml').variants[0]!.scenario;
const e = runScenario(eight, 1).summary;
console.log(`8 per pod: ok ${e.requests.completed}, failed ${e.service!.requestsFailed}, p99 ${e.latencyMs.p99.toFixed(1)} ms`);"""),
    ("md", """<details><summary>Answer 1</summary>

3 pods × 8 connections / 20 ms = 1,200 queries/s: the crowd's rate exactly (with lognormal query times
around the 20 ms mean), so the pools run near 100 % with no slack. In this run nothing fails — the waits
stay under the 500 ms deadline — but p99 is about 230 ms, four times the 55 ms of 32 connections: the
requests queue for a connection. A pool must be sized for the peak rate × the query time *with headroom*,
as any server pool near ρ = 1; then the requests see only the database's own latency.
</details>"""),
    ("code", """// Worked answer to exercise 2
const doubled = compareScenarios(readFileSync('../scenarios/slow-dependency-hpa.yaml', 'utf8').replace(/^variants:[\\s\\S]*$/m, '') +
  '\\nvariants:\\n  - name: cpu-hpa\\n    patch: { dependencies: { db: { concurrency: 320 } } }\\n' +
  '  - name: goroutine-hpa\\n    patch: { dependencies: { db: { concurrency: 320 } }, hpa: { metrics: [{ type: Pods, pods: { metric: { name: go_goroutines }, target: { type: AverageValue, averageValue: 20 } } }] } }\\n',
  '../scenarios/slow-dependency-hpa.yaml').variants;
for (const v of doubled) {
  const s = runScenario(v.scenario, 1).summary;
  console.log(`db concurrency 320, ${v.name}: p50 ${s.latencyMs.p50.toFixed(1)} ms, p99 ${s.latencyMs.p99.toFixed(1)} ms, max replicas ${s.cluster.maxReplicas}`);
}
console.log(`p99 of the database's own latency (exponential, mean 100 ms): 100 × ln 100 = ${(100 * Math.log(100)).toFixed(1)} ms`);"""),
    ("md", """<details><summary>Answer 2</summary>

No: p99 stays where it was, with either HPA. At 160 connections and 94 % the database hardly queues —
many servers pool their idle moments (an M/M/c queue of this size waits very little) — so the requests'
p99 is the database's *own* latency tail: the 99th percentile of an exponential with a 100 ms mean,
100 × ln 100 ≈ 460 ms (printed). More capacity removes a queue that was not there; only a faster
database (or fewer calls per request, or a cache) moves this p99.

</details>"""),
    ("md", """## Run it yourself

`gmpsim compare scenarios/pool-exhaustion-flash-crowd.yaml` (and the same for the other three);
timeseries.csv → `pool_db_in_use`, `pool_db_waiting`, `pool_db_wait_ms_per_s`, `dep_db_queued`,
`breaker_db_open`, `requests_failed_per_s`, `requests_shed_per_s`, `limiter_limit`; summary.json → `service`."""),
]

NOTEBOOKS["20-closed-loop-and-chaos"] = lesson(
    20, "Closed-loop users and targeted chaos", "closed-loop-users.yaml",
    """A load test with N users who wait for each answer is not an arrival rate: what does the service's
slowness do to the load it gets? And when a fault hits one pod of fifty, or only the metrics adapter, or
one pod of four whose callers retry — which figures move, and does the fleet come back when the fault
goes? (Scenarios: [`scenarios/closed-loop-users.yaml`](../scenarios/closed-loop-users.yaml),
[`scenarios/one-slow-pod.yaml`](../scenarios/one-slow-pod.yaml),
[`scenarios/metrics-adapter-outage.yaml`](../scenarios/metrics-adapter-outage.yaml),
[`scenarios/retry-storm-one-slow-pod.yaml`](../scenarios/retry-storm-one-slow-pod.yaml).)""",
    """- 10, 50, 100, 200 users with 100 ms think time against a pod that serves at most 500 requests/s: how
  do throughput and latency grow with the users?
- One pod of 50 gets 100 ms more network latency: does the mean move? the p99?
- The custom-metrics adapter goes down during a spike: what does an HPA on goroutines do? one on CPU?
- One of four pods loses half its CPU for 20 s; callers time out after 50 ms and retry 3 times. Does the
  fleet recover when the CPU comes back?""",
    [
        ("code", """const users: Record<string, any> = {};
for (const v of variants('../scenarios/closed-loop-users.yaml')) {
  const x = runScenario(v.scenario, 1);
  users[v.name] = x;
  const s = x.summary;
  const n = (v.scenario.workload.arrival as { vus: number }).vus;
  const little = n / ((s.latencyMs.mean + 100) / 1000);
  console.log(`${v.name.padEnd(10)} throughput ${s.throughputPerS.toFixed(0)}/s (Little: N/(R+Z) = ${little.toFixed(0)}/s), mean latency ${s.latencyMs.mean.toFixed(1)} ms`);
}
const tu = col(users['users-10'], 't_s');
const usersBy = (c: string) => ({ columns: ['t_s', ...Object.keys(users)], rows: tu.map((x, i) => [x, ...Object.values(users).map((r: any) => col(r, c)[i]!)]) });
const userNames = Object.fromEntries(Object.keys(users).map((n) => [n, n]));
tslab.display.html(await seriesChartSvg(usersBy('completions_per_s'), userNames, 'Completions per second: the users set the load, up to the 500/s capacity', 'requests/s'));
tslab.display.html(await seriesChartSvg(usersBy('latency_p50_ms'), userNames, 'Median latency per sample: past capacity every extra user only queues', 'ms'));"""),
        ("code", """const slow: Record<string, any> = {};
for (const v of variants('../scenarios/one-slow-pod.yaml')) slow[v.name] = runScenario(v.scenario, 1);
for (const [n, x] of Object.entries(slow)) console.log(`${n.padEnd(9)} mean ${x.summary.latencyMs.mean.toFixed(2)} ms, p99 ${x.summary.latencyMs.p99.toFixed(1)} ms`);
for (const c of slow['slow-pod'].summary.chaos.steadyState.checks) console.log(`  steady state ${c.phase.padEnd(6)} ${c.fromS}–${c.toS} s: p99 ${c.p99Ms?.toFixed(1)} ms -> ${c.pass ? 'pass' : 'FAIL'}`);
tslab.display.html(await seriesChartSvg(slow['slow-pod'].series, { latency_p99_ms: 'p99 ms', latency_p50_ms: 'p50 ms' }, 'One slow pod of 50 (fault 40–100 s)', 'ms'));"""),
        ("code", """const adapter: Record<string, any> = {};
for (const v of variants('../scenarios/metrics-adapter-outage.yaml')) adapter[v.name] = runScenario(v.scenario, 1);
for (const [n, x] of Object.entries(adapter)) {
  const during = x.hpaDecisions.filter((d: any) => d.tS > 90 && d.tS < 175).map((d: any) => `${d.currentReplicas}->${d.desiredReplicas}`);
  console.log(`${n.padEnd(21)} p99 ${x.summary.latencyMs.p99.toFixed(0)} ms; syncs during the outage: ${during.join(' ')}`);
}
const ta = col(adapter['healthy'], 't_s');
const readyBy = { columns: ['t_s', ...Object.keys(adapter)], rows: ta.map((x, i) => [x, ...Object.values(adapter).map((r: any) => col(r, 'replicas_ready')[i]!)]) };
tslab.display.html(await seriesChartSvg(readyBy, Object.fromEntries(Object.keys(adapter).map((n) => [n, n])), 'Ready pods: the adapter is down 85–175 s, the spike starts at 90 s', 'pods'));"""),
        ("code", """const storm: Record<string, any> = {};
for (const v of variants('../scenarios/retry-storm-one-slow-pod.yaml')) storm[v.name] = runScenario(v.scenario, 1);
for (const [n, x] of Object.entries(storm)) {
  const s = x.summary;
  console.log(`${n.padEnd(10)} completed ${s.requests.completed}, failed ${s.requests.failed}, retries ${s.requests.retries}, wasted attempts ${s.requests.wastedAttempts}`);
}
for (const [n, x] of Object.entries(storm)) tslab.display.html(await seriesChartSvg(x.series, { arrivals_per_s: 'arrivals/s', completions_per_s: 'completions/s' }, `Retry storm — ${n} (neighbour 30–50 s)`, 'requests/s'));"""),
        ("code", """const drain: Record<string, any> = {};
for (const v of variants('../scenarios/dependency-outage-node-drain.yaml')) drain[v.name] = runScenario(v.scenario, 1);
for (const [n, x] of Object.entries(drain)) {
  const s = x.summary;
  console.log(`${n.padEnd(10)} completed ${s.requests.completed}, failed ${s.requests.failed}, p99 ${s.latencyMs.p99.toFixed(1)} ms`);
  for (const c of s.chaos.steadyState.checks) console.log(`  steady state ${c.phase.padEnd(6)} ${c.fromS}–${c.toS} s -> ${c.pass ? 'pass' : 'FAIL'}`);
}
tslab.display.html(await seriesChartSvg(drain['breaker'].series, { replicas_ready: 'Ready pods', faults_active: 'faults active' }, 'Breakers on: the database hangs 20–30 s, node 1 is drained 45–65 s', 'count'));"""),
    ],
    f"""**Closed loop.** A user waits for the answer, so the users themselves limit the load: with N users,
response time R and think time Z, Little's law gives throughput N / (R + Z). Below capacity R is the
service time and throughput grows with N; at capacity throughput cannot grow, so R must — every extra
user only adds queueing. A closed-loop test therefore never shows the unbounded queue an open arrival
rate builds past capacity ("coordinated omission"); k6's `ramping-arrival-rate` is the open-loop
executor, with `maxVUs` capping what is in flight and dropped iterations counted.

**One slow pod.** The Service sends the slow pod 1 request in 50: 2% of requests take 100 ms more. The
mean moves by 2% × 100 ms; the p99 — the 99th of 100 requests — lands among the slow 2%, so it jumps to
the fault's latency. The steady-state hypothesis, checked before, during and after the fault from the
histogram buckets as a Prometheus probe would, fails only during.

**The adapter outage.** The HPA asks the custom metrics API for go_goroutines; with the adapter down
[`computeReplicasForMetrics`]({K8S}horizontal.go) gets an error for every metric and keeps the scale
(`ScalingActive=False`), so the spike queues. An HPA on CPU reads metrics-server (metrics.k8s.io),
which the fault spares, and scales as usual: a fault's target decides which controller it blinds.

**The retry storm.** Pod 0 at half its CPU is overloaded; its requests time out and are retried onto
the other pods, which are pushed past capacity; every timed-out attempt still runs on its pod (nobody
cancels it), so the work grows while the answers stop coming in time. When the neighbour leaves, the
queues of abandoned work are still there and keep every new attempt waiting past its timeout: a
metastable failure, which only shedding, cancelling abandoned work, or a retry budget ends.""",
    [
        ("""Closed loop: keep 50 users but halve their think time to 50 ms. Does the throughput double?""",
         """const quick = runScenario(patched('../scenarios/closed-loop-users.yaml', { workload: { arrival: { vus: 50, thinkTime: { dist: 'exponential', meanMs: 50 } } } }), 1).summary;
const slowThink = users['users-50'].summary;
for (const [n, s, z] of [['think 100 ms', slowThink, 100], ['think 50 ms', quick, 50]] as const)
  console.log(`50 users, ${n}: throughput ${s.throughputPerS.toFixed(0)}/s, mean latency ${s.latencyMs.mean.toFixed(1)} ms; R + Z = ${(s.latencyMs.mean + z).toFixed(1)} ms, N / X = ${(1000 * 50 / s.throughputPerS).toFixed(1)} ms`);""",
         """No. 2 cores at 4 ms of CPU per request serve at most 500 requests/s, and 50 users thinking 100 ms
already ask for nearly that. Halving the think time cannot raise the throughput past capacity, so by
Little's law (N = X · (R + Z)) the response time R grows until R + Z = N / X again — the printed lines
show both sides equal. The users' shorter pauses turn into queueing: a closed-loop test at capacity
measures its own queue, not the service's latency."""),
        ("""Give the retry-storm callers a 200 ms timeout instead of 50 ms (same retries). Does the fleet recover?""",
         """const longer = runScenario(patched('../scenarios/retry-storm-one-slow-pod.yaml', { workload: { client: { timeoutMs: 200 } } }), 1);
const late = (x: any) => { const a = col(x, 'arrivals_per_s'), c = col(x, 'completions_per_s'), t = col(x, 't_s'); let sa = 0, sc = 0; t.forEach((tt, i) => { if (tt > 70) { sa += a[i]!; sc += c[i]!; } }); return sc / sa; };
console.log(`completions per arrival after 70 s: timeout 50 ms ${pct(late(storm['retries']))}, timeout 200 ms ${pct(late(longer))}`);""",
         """A longer timeout retries less of what was merely slow, so less work is duplicated while pod 0 is
overloaded. Whether the fleet escapes the storm depends on whether the extra load stays below the three
healthy pods' spare capacity; the printed ratio says which side of that line this setting falls on."""),
    ],
    """`gmpsim compare scenarios/closed-loop-users.yaml`, `scenarios/one-slow-pod.yaml`,
`scenarios/metrics-adapter-outage.yaml`, `scenarios/retry-storm-one-slow-pod.yaml`; `gmpsim report` on a
run of one-slow-pod shades the fault's span and states the steady-state verdict.
[`scenarios/dependency-outage-node-drain.yaml`](../scenarios/dependency-outage-node-drain.yaml) puts two newer
faults under steady traffic: a database hang that trips every pod's breaker, and a node drain whose evicted
pods restart elsewhere without losing a request.""",
)

LINUX = "https://github.com/torvalds/linux/blob/v6.6/"

NOTEBOOKS["21-node-sharing-and-warm-up"] = lesson(
    21, "A shared node and a cold pod: two costs the HPA's arithmetic leaves out", "gomaxprocs-above-node-cores.yaml",
    """Two runs where the capacity a pod really has is less than the arithmetic says. **A shared node**
([`gomaxprocs-above-node-cores.yaml`](../scenarios/gomaxprocs-above-node-cores.yaml)): four pods, two per
4-core node, each requesting 2 cores with no CPU limit, so Go 1.19 sets GOMAXPROCS to the node's 4 CPUs
and two pods can put 8 threads on 4 cores. **A cold pod**
([`warmup-flash-crowd.yaml`](../scenarios/warmup-flash-crowd.yaml)): a flash crowd (300 → 1,500 req/s at
120 s) against a CPU-50 % HPA whose new containers serve their first requests 3× slower, the extra cost
halving every 30 s after Ready. How much tail does each cost, and which fix pays?""",
    """- Shared node: the nodes are about 80 % busy on average. Is p99 with sharing about the same as with a
  core per P, or clearly higher? And GOMAXPROCS 2 (the request) — better or worse than sharing?
- Cold pods: against the same crowd with pods always warm, is p99 about the same, twice as high, or tens of
  times higher? Does the HPA add *more* pods or fewer when they are cold?
- Which fix for the cold pods costs fewer pod-seconds: six warm pods all day, or minReplicas 6 from 60 s?""",
    [
        ("md", """### 1. GOMAXPROCS above the node's free cores

`isolated-cores` is the model without node sharing (every P has a core of its own); `shared-node`
turns on `cluster.nodeCpuSharing`, so the two pods of a node compete for its 4 cores; `gomaxprocs-2`
sets GOMAXPROCS to the request."""),
        ("code", """const node: Record<string, any> = {};
for (const v of variants('../scenarios/gomaxprocs-above-node-cores.yaml')) {
  const x = runScenario(v.scenario, 1);
  node[v.name] = x;
  const s = x.summary;
  console.log(`${v.name.padEnd(15)} GOMAXPROCS ${s.gomaxprocs}: p50 ${s.latencyMs.p50.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(1)} ms, mean ${s.latencyMs.mean.toFixed(2)} ms; CPU used ${pct(s.utilization)} of the Ps`);
}
const tn = col(node['shared-node'], 't_s');
const p99n = { columns: ['t_s', ...Object.keys(node)], rows: tn.map((x, i) => [x, ...Object.values(node).map((r: any) => col(r, 'latency_p99_ms')[i]!)]) };
tslab.display.html(await seriesChartSvg(p99n, Object.fromEntries(Object.keys(node).map((n) => [n, n])), 'p99 per sample: isolated cores, a shared node, GOMAXPROCS = request', 'ms'));"""),
        ("md", """### 2. Cold pods on a flash crowd

`always-warm` is the same run without warm-up; `cold-pods` has it; `min-replicas-6` keeps six warm pods
from the start; `scheduled-min` raises minReplicas to 6 at 60 s, so the new pods warm up (by time) before
the crowd at 120 s."""),
        ("code", """const warm: Record<string, any> = {};
for (const v of variants('../scenarios/warmup-flash-crowd.yaml')) {
  const x = runScenario(v.scenario, 1);
  warm[v.name] = x;
  const s = x.summary;
  console.log(`${v.name.padEnd(15)} p99 ${s.latencyMs.p99.toFixed(1)} ms, mean ${s.latencyMs.mean.toFixed(2)} ms; most replicas ${s.cluster.maxReplicas}, ${s.cluster.podSeconds.toFixed(0)} pod-s; HPA rescales ${s.hpa!.rescales}`);
}
const tw = col(warm['cold-pods'], 't_s');
const byVariant = (c: string) => ({ columns: ['t_s', ...Object.keys(warm)], rows: tw.map((x, i) => [x, ...Object.values(warm).map((r: any) => col(r, c)[i]!)]) });
const names = Object.fromEntries(Object.keys(warm).map((n) => [n, n]));
tslab.display.html(await seriesChartSvg(byVariant('replicas_ready'), names, 'Ready pods — the crowd arrives at 120 s', 'pods'));
tslab.display.html(await seriesChartSvg(byVariant('latency_p99_ms'), names, 'p99 per sample', 'ms'));"""),
    ],
    f"""**A shared node.** Go 1.19 sizes GOMAXPROCS from the CPUs the process may run on
([`getproccount`]({GO}os_linux.go), `sched_getaffinity`, read in [`schedinit`]({GO}proc.go)), which in a
container without a CPU limit is every CPU of the node, not the pod's request. Two such pods on a
4-core node can have 8 threads on a CPU at once. The kernel then shares the cores between the two pods'
cgroups by weight — cpu.shares, which the kubelet sets from the request
([`MilliCPUToShares`]({KUBE}kubelet/cm/helpers_linux.go)) — and within a pod between its threads
([CFS, `kernel/sched/fair.c`]({LINUX}kernel/sched/fair.c)). A pod whose threads get r of the n cores they
want runs every burst n / r times as long. On average the node is not full, so the median moves less
than the tail: the moments when *both* pods burst are the moments that make the tail, and in exactly
those moments each burst is stretched — the printed p99 of `shared-node` against `isolated-cores`, which is
the optimistic answer a model with a core per P gives. GOMAXPROCS at the request never over-commits
the node, but a pod can then never borrow the core its neighbour leaves idle, and its own bursts queue
for its 2 Ps: on this load that costs more than the sharing it avoids (compare the p99s). The
same arithmetic is why `automaxprocs` sets GOMAXPROCS from the CPU *limit*, not the request.

**A cold pod.** A pod passes its readiness probe when its HTTP server answers, not when its caches,
pools and lazily initialised code are hot; from then on the Service sends it a full share of the
traffic. While cold, each request costs up to 3× the CPU, so a new pod serves a third of what a warm
pod does — and burns CPU doing it. The HPA reads that CPU: [`GetResourceReplicas`]({K8S}replica_calculator.go)
computes utilisation as usage / request averaged over the Ready pods, so cold pods make the fleet look
*busier* and the controller ([`reconcileAutoscaler`]({K8S}horizontal.go)) adds still more pods — cold
ones too. The printed most-replicas and pod-seconds of `cold-pods` against `always-warm` show both
costs: a longer tail and a bigger bill. Warm capacity ahead of the crowd removes the tail. Six pods
from the start (`min-replicas-6`) are the initial replicas, warm since before the run; in this
six-minute run they are also the cheapest fix, but over a real day they are paid for through every
quiet hour. Raising minReplicas a minute before a known crowd (`scheduled-min`, a CronJob or a KEDA cron
trigger) creates *new* containers: after 60 s, two half-lives, they still cost 1.5× per request when the
crowd comes, so the HPA reads their CPU and adds more pods — the printed most-replicas and pod-seconds.
A schedule's lead time has to cover several half-lives of warm-up, not only the start-up.""",
    [
        ("""Lower the load on the shared node to 4,000 req/s (about half the node). Does sharing still cost
anything at the tail?""",
         """const lo = { workload: { arrival: { process: 'poisson', ratePerS: 4000 } } };
const shared = runScenario(patched('../scenarios/gomaxprocs-above-node-cores.yaml', lo), 1).summary;
const alone = runScenario(patched('../scenarios/gomaxprocs-above-node-cores.yaml', { ...lo, cluster: { nodeCpuSharing: false } }), 1).summary;
console.log(`4,000 req/s: shared node p99 ${shared.latencyMs.p99.toFixed(1)} ms, isolated cores p99 ${alone.latencyMs.p99.toFixed(1)} ms`);
console.log(`6,600 req/s: shared node p99 ${node['shared-node'].summary.latencyMs.p99.toFixed(1)} ms, isolated cores p99 ${node['isolated-cores'].summary.latencyMs.p99.toFixed(1)} ms`);""",
         """At half the node the two pods rarely want more than 4 cores at the same moment, so the stretched
bursts are rare and the p99s nearly agree. Sharing is not a constant tax: it appears as the node
approaches full, which is exactly when you look at the tail. A capacity test on an empty node (or a
model with a core per P) hides it."""),
        ("""Cold pods: make warm-up slower (half-life 90 s instead of 30 s). What happens to p99, to the number
of pods the HPA asks for, and to pod-seconds?""",
         """const slow = runScenario(patched('../scenarios/warmup-flash-crowd.yaml', { cluster: { pod: { warmup: { initialMultiplier: 3, halfLifeS: 90 } } } }), 1).summary;
for (const [n, s] of [['half-life 30 s', warm['cold-pods'].summary], ['half-life 90 s', slow]] as const)
  console.log(`${n}: p99 ${s.latencyMs.p99.toFixed(1)} ms, most replicas ${s.cluster.maxReplicas}, ${s.cluster.podSeconds.toFixed(0)} pod-s`);""",
         """All three grow. Each new pod stays expensive three times as long, so the fleet needs more pods to
carry the crowd, the HPA (reading the inflated CPU) asks for them, and those arrive cold as well;
the tail lasts until enough of them have warmed. Slow warm-up is a reason to keep warm capacity
ahead of a known peak rather than to lower the HPA's target."""),
        ("""Warm up by requests instead of by time (`halfLifeRequests: 2000`, no `halfLifeS`). Is the cold pods'
tail shorter or longer than by time — and does the minReplicas schedule still help?""",
         """const byReq = { cluster: { pod: { warmup: { initialMultiplier: 3, halfLifeS: null, halfLifeRequests: 2000 } } } };
const cold = runScenario(patched('../scenarios/warmup-flash-crowd.yaml', byReq), 1).summary;
const sched = runScenario(patched('../scenarios/warmup-flash-crowd.yaml', { ...byReq, timeline: [{ type: 'hpa', atS: 60, minReplicas: 6 }] }), 1).summary;
console.log(`by requests: cold pods p99 ${cold.latencyMs.p99.toFixed(1)} ms (${cold.cluster.podSeconds.toFixed(0)} pod-s); with minReplicas 6 at 60 s p99 ${sched.latencyMs.p99.toFixed(1)} ms (${sched.cluster.podSeconds.toFixed(0)} pod-s)`);
console.log(`by time:     cold pods p99 ${warm['cold-pods'].summary.latencyMs.p99.toFixed(1)} ms; scheduled-min p99 ${warm['scheduled-min'].summary.latencyMs.p99.toFixed(1)} ms`);""",
         """Under a crowd a new pod gets a few hundred requests per second, so 2,000 requests go by in seconds —
faster than a 30 s half-life: pods warmed by traffic warm *quickly* exactly when they are busy, and the
tail is shorter. The schedule still helps: pods added at 60 s get a share of the 300 req/s before the
crowd, enough requests to warm before it arrives. Which kind of warm-up your service has (JIT-like
code paths and caches warm by requests; a connection pool or a cache refresher by time) decides
whether pre-warming needs traffic (synthetic requests) or only time."""),
    ],
    """`gmpsim compare scenarios/gomaxprocs-above-node-cores.yaml --seeds 3` and
`gmpsim compare scenarios/warmup-flash-crowd.yaml --seeds 3` (then `gmpsim report` on the compare
directory: p99, Ready replicas and the HPA's metric as seed bands); `cluster.nodeCpuSharing` and
`cluster.pod.warmup` are described in the README (issue 17, second part).""",
)

def cell(kind, text, i):
    lines = text.split("\n")
    src = [l + "\n" for l in lines[:-1]] + [lines[-1]]
    if kind == "md":
        return {"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": src}
    return {"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {}, "outputs": [], "source": src}


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["--print-sources"]:
        # for test/lessons/notebooks.test.ts: each notebook's cells (kind, source) as written here
        print(json.dumps({name: [cell(k, t, i) for i, (k, t) in enumerate(cells)] for name, cells in NOTEBOOKS.items()}))
        sys.exit(0)
    only = set(sys.argv[1:])
    for name, cells in NOTEBOOKS.items():
        if only and name not in only:
            continue
        nb = {
            "cells": [cell(k, t, i) for i, (k, t) in enumerate(cells)],
            "metadata": {"kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}, "language_info": {"name": "typescript"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        path = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / f"{name}.ipynb"
        path.write_text(json.dumps(nb, indent=1) + "\n")
        print(path)
