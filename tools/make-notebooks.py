"""Writes the teaching notebooks (notebooks/*.ipynb) from the cells below; `npm run notebooks` then
executes them with the tslab TypeScript kernel and saves their outputs. Edit here, not in the .ipynb."""
import json
import pathlib

IMPORTS = """import * as tslab from 'tslab';
import { loadScenarioFile, compareScenarios, runScenario, Experiment, seriesChartSvg, mmcMeanWait } from '../dist/src/index.js';
import { readFileSync } from 'node:fs';
const variants = (file: string) => compareScenarios(readFileSync(file, 'utf8'), file).variants;"""

NOTEBOOKS = {
    "01-gmp-basics": [
        ("md", """# 1. GMP basics: Gs, Ps, Ms — and a queue you can check against theory

Each request is a goroutine (G). GOMAXPROCS Ps run Gs; each P has a local run queue of 256 plus
`runnext`; Ms are the OS threads that carry the Ps. `scenarios/mmc-four-ps.yaml` is an M/M/4 queue at
70% load, run by the ideal FIFO reference scheduler; here the same load also goes through the GMP
model, once with an idealised poller and once with Go's netpoller."""),
        ("code", IMPORTS),
        ("code", """const base = loadScenarioFile('../scenarios/mmc-four-ps.yaml');
const gmp = (netpoll: 'go' | 'always-polling') => ({ ...base, runtime: { ...base.runtime, scheduler: 'gmp' as const, netpoll } });
const lambda = 2800, mu = 1000, c = 4;
console.log(`Erlang C mean wait      ${(1000 * mmcMeanWait(lambda, mu, c)).toFixed(3)} ms`);
for (const [name, s] of [['ideal FIFO', base], ['GMP, ideal poller', gmp('always-polling')], ["GMP, Go's netpoll", gmp('go')]] as const) {
  const r = runScenario(s, 1).summary;
  console.log(`${name.padEnd(23)} ${r.waitMs.mean.toFixed(3)} ms  (steals ${r.gmp?.steals ?? '-'})`);
}"""),
        ("md", """With an ideal poller the GMP scheduler is work-conserving: local queues plus stealing behave like
one shared queue, so the wait matches Erlang C. Go's netpoller is not: a request that becomes ready
while every M is busy waits for some P's next poll (or sysmon's 10 ms poll) even if another P is
about to go idle — the wait sits above Erlang C. The run queues over time, and `GODEBUG=schedtrace`
lines printed the way Go prints them:"""),
        ("code", """const lines: string[] = [];
const exp = new Experiment(gmp('go'), 1, { schedtraceMs: 200, onTrace: (t) => lines.push(t) });
const r = exp.finish();
console.log(lines.slice(0, 5).join('\\n'));
tslab.display.html(await seriesChartSvg(r.series, { runnable: 'runnable', running: 'running', spinning_threads: 'spinning Ms' }, 'Gs runnable and running (GMP)', 'count'));"""),
    ],
    "02-work-stealing": [
        ("md", """# 2. Work stealing after a burst on one P

Every 50 ms one goroutine spawns 64 short children. They all land on its P; `wakep` starts a spinning
M on an idle P, which steals half of the victim's queue, and each thief that finds work wakes another
(`resetspinning` → `wakep`), so the burst spreads within microseconds."""),
        ("code", IMPORTS),
        ("code", """const [four, one] = variants('../scenarios/work-stealing-burst.yaml').map((v) => runScenario(v.scenario, 1).summary);
console.log(`GOMAXPROCS 4: ${four.gmp!.steals} steals (${four.gmp!.stolenGs} Gs moved), p99 ${four.latencyMs.p99.toFixed(2)} ms`);
console.log(`GOMAXPROCS 1: no thief, p99 ${one.latencyMs.p99.toFixed(2)} ms`);"""),
        ("code", """const r = runScenario(loadScenarioFile('../scenarios/work-stealing-burst.yaml'), 1);
tslab.display.html(await seriesChartSvg(r.series, { steals_per_s: 'steals/s' }, 'Steals per second', 'steals/s'));"""),
    ],
    "03-syscalls-and-handoff": [
        ("md", """# 3. Syscalls and handoff: why blocking syscalls grow the thread count

A G in a blocking syscall keeps its M *and* its P (`_Psyscall`). sysmon retakes the P after 20 µs–10 ms
and hands it to another M (`handoffp` → `startm`), creating a new OS thread when none is idle. Ms are
never destroyed, so `threads` only grows."""),
        ("code", IMPORTS),
        ("code", """const r = runScenario(loadScenarioFile('../scenarios/syscalls-grow-threads.yaml'), 1);
console.log(`threads ${r.summary.gmp!.threads}, handoffs ${r.summary.gmp!.handoffs}, syscalls ${r.summary.gmp!.syscalls}`);
tslab.display.html(await seriesChartSvg(r.series, { threads: 'threads (Ms)', in_syscall: 'Gs in syscalls', idle_threads: 'idle Ms' }, 'Threads grow with blocking syscalls', 'count'));"""),
    ],
    "04-preemption-and-sysmon": [
        ("md", """# 4. Preemption and sysmon: why a 1 ms timer waits 10–20 ms behind a CPU hog

With GOMAXPROCS=1 and a goroutine that never yields, a 1 ms `time.Sleep` is due after 1 ms, but only
a preemption frees the P. sysmon preempts a G 10 ms after the loop that first saw its time slice; once
it has backed off to 10 ms loops, that is 10–20 ms after the slice began."""),
        ("code", IMPORTS),
        ("code", """const r = runScenario(loadScenarioFile('../scenarios/sysmon-preemption-hog.yaml'), 1);
const d = r.summary.gmp!.timerDelayMs;
console.log(`timer lateness: p50 ${d.p50.toFixed(2)} ms, max ${d.max.toFixed(2)} ms over ${d.count} timers`);
console.log(`preemptions ${r.summary.gmp!.preemptions}, sysmon loops evaluated ${r.summary.gmp!.sysmonLoopsEvaluated}`);"""),
        ("md", """Only the sysmon loops that can act become events: the model keeps the loop's timing state (20 µs,
doubling after 50 idle loops up to 10 ms) and computes when it would notice the hog."""),
    ],
    "05-gc-and-mark-assist": [
        ("md", """# 5. GC and mark assist

Requests allocate 2 MiB each on a pod with a 400 MB live heap. When the heap reaches the pacer's
trigger a cycle starts: background workers take 25% of the Ps, and goroutines that allocate during
the mark must *assist* — scan in proportion to what they allocate. That is where the tail comes from."""),
        ("code", IMPORTS),
        ("code", """const s = loadScenarioFile('../scenarios/gc-mark-assist.yaml');
const lines: string[] = [];
const exp = new Experiment(s, 1, { gctrace: true, onTrace: (t) => lines.push(t) });
const r = exp.finish();
console.log(lines.slice(0, 6).join('\\n'));"""),
        ("code", """tslab.display.html(await seriesChartSvg(r.series, { gc_assist_ms_per_s: 'assist ms/s', gc_cpu_ms_per_s: 'GC CPU ms/s' }, 'GC CPU and mark assist', 'ms per s'));
tslab.display.html(await seriesChartSvg(r.series, { latency_p99_ms: 'p99', latency_p50_ms: 'p50' }, 'Latency', 'ms'));"""),
        ("code", """for (const v of variants('../scenarios/gc-mark-assist.yaml')) {
  const x = runScenario(v.scenario, 1).summary;
  console.log(`${v.name.padEnd(10)} p99 ${x.latencyMs.p99.toFixed(2)} ms, ${x.gmp!.gc!.cycles} cycles, assist ${(100 * x.gmp!.gc!.assistFraction).toFixed(2)}% of CPU`);
}"""),
    ],
    "06-hpa-behaviors": [
        ("md", """# 6. HPA behaviors compared: flapping and the stabilization window

Load swings between 500 and 900 req/s. Without a scale-down stabilization window the HPA follows every
swing; with 300 s it keeps the highest recommendation of the last five minutes: more pod-seconds, no
flapping. Both runs use the same seed."""),
        ("code", IMPORTS),
        ("code", """for (const v of variants('../scenarios/hpa-flapping.yaml')) {
  const r = runScenario(v.scenario, 1);
  console.log(`${v.name}: ${r.summary.hpa!.rescales} rescales, ${r.summary.hpa!.directionReversals} reversals, ${r.summary.cluster.podSeconds.toFixed(0)} pod-s`);
  tslab.display.html(await seriesChartSvg(r.series, { replicas_desired: 'desired', replicas_ready: 'ready' }, `Replicas — ${v.name}`, 'pods'));
}"""),
    ],
}


def cell(kind, text, i):
    lines = text.split("\n")
    src = [l + "\n" for l in lines[:-1]] + [lines[-1]]
    if kind == "md":
        return {"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": src}
    return {"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {}, "outputs": [], "source": src}


for name, cells in NOTEBOOKS.items():
    nb = {
        "cells": [cell(k, t, i) for i, (k, t) in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}, "language_info": {"name": "typescript"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / f"{name}.ipynb"
    path.write_text(json.dumps(nb, indent=1) + "\n")
    print(path)
