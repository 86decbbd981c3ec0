import { RUNQ_SIZE } from './runq.js';
import type { Sched } from './sched.js';
import { Gdead, Grunnable, Grunning, Gsyscall, Gwaiting, Mparked, Msyscall, Pidle, Psyscall } from './states.js';

/**
 * Consistency checks over a scheduler's state (for tests and debugging; O(Gs + Ps + Ms)). Returns one
 * message per violation: no G lost or duplicated across run queues, running Gs match Ps running them,
 * at most GOMAXPROCS running, syscall Gs match Ms in syscalls, idle/spinning counters match.
 */
export function checkInvariants(s: Sched): string[] {
  const bad: string[] = [];
  const g = s.g;
  const seen = new Uint8Array(g.count);
  const mark = (gp: number, where: string) => {
    if (gp < 0 || gp >= g.count) bad.push(`${where}: G index ${gp} out of range`);
    else if (seen[gp]++) bad.push(`G${g.goid[gp]} queued twice (${where})`);
    else if (g.status[gp] !== Grunnable)
      bad.push(`G${g.goid[gp]} in ${where} has status ${g.status[gp]}, expected runnable`);
  };
  for (let p = 0; p < s.nP; p++) {
    for (let i = s.rq.runqhead[p]!; i < s.rq.runqtail[p]!; i++)
      mark(s.rq.runq[p * RUNQ_SIZE + (i % RUNQ_SIZE)]!, `P${p}.runq`);
    if (s.rq.runqlen(p) > RUNQ_SIZE) bad.push(`P${p}.runq holds ${s.rq.runqlen(p)} > ${RUNQ_SIZE}`);
    if (s.rq.runnext[p]! >= 0) mark(s.rq.runnext[p]!, `P${p}.runnext`);
  }
  const nStatus = [0, 0, 0, 0, 0, 0, 0];
  for (let gp = 0; gp < g.count; gp++) nStatus[g.status[gp]!]!++;
  const queued = s.rq.totalQueued();
  if (nStatus[Grunnable] !== queued) bad.push(`${nStatus[Grunnable]} runnable Gs but ${queued} queued`);
  let runningPs = 0;
  for (let p = 0; p < s.nP; p++) {
    const gp = s.pCurG[p]!;
    if (gp >= 0) {
      runningPs++;
      if (g.status[gp] !== Grunning) bad.push(`P${p} runs G${g.goid[gp]} with status ${g.status[gp]}`);
    }
  }
  if (runningPs > s.nP) bad.push(`${runningPs} Ps running > GOMAXPROCS ${s.nP}`);
  if (nStatus[Grunning] !== runningPs || runningPs !== s.runningPs())
    bad.push(`running Gs ${nStatus[Grunning]}, Ps running ${runningPs}, counter ${s.runningPs()}`);
  const inSyscall = s.mCountIn(Msyscall);
  if (nStatus[Gsyscall] !== inSyscall) bad.push(`${nStatus[Gsyscall]} Gs in syscalls but ${inSyscall} Ms in syscalls`);
  const live = nStatus[Grunnable]! + nStatus[Grunning]! + nStatus[Gsyscall]! + nStatus[Gwaiting]!;
  if (live !== s.liveGs() + s.nSystemGs)
    bad.push(`${live} live Gs by status but ${s.liveGs()} created − exited + ${s.nSystemGs} mark workers`);
  if (nStatus[Gdead]! + live !== g.count) bad.push(`Gs in unexpected states`);
  let idle = 0,
    sys = 0;
  for (let p = 0; p < s.nP; p++) {
    if (s.pStatus[p] === Pidle && s.pM[p] === -1) idle++;
    if (s.pStatus[p] === Psyscall) sys++;
  }
  if (idle !== s.npidle) bad.push(`${idle} idle Ps but npidle = ${s.npidle}`);
  if (sys !== s.nPsyscall) bad.push(`${sys} Ps in syscalls but nPsyscall = ${s.nPsyscall}`);
  let spinning = 0;
  for (let m = 0; m < s.mcount; m++) if (s.mSpinning[m] && s.mStatus[m] !== Mparked) spinning++;
  if (spinning !== s.nmspinning) bad.push(`${spinning} spinning Ms but nmspinning = ${s.nmspinning}`);
  // (the most Ps the pod may have had: GOMAXPROCS may have been higher earlier, procresize.ts)
  if (s.busyIntegralNs() > s.pCap * s.sim.now + 1e-6)
    bad.push(`busy time ${s.busyIntegralNs()} > GOMAXPROCS × elapsed`);
  return bad;
}
