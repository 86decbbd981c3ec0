import { GO_FEATURES, type GoVersion } from '../version.js';
import type { Sched } from './sched.js';
import { Gdead, Mparked, Msyscall, WAIT_REASONS } from './states.js';

/**
 * GODEBUG=schedtrace / scheddetail output (proc.go schedtrace), from simulated time, in the format of the
 * chosen Go version. 1.19: `runqueue=0 [2 0]`, `m=-1` for "no M". 1.25 (as printed by real 1.25
 * binaries): `needspinning=N`, `runqueue=0 [ 2 0 ] schedticks=[ 12 15 ]` (each P's schedtick), `m=nil`.
 */
export function schedtrace(s: Sched, nowNs: number, detailed: boolean, version: GoVersion): string {
  const tip = GO_FEATURES[version].schedtraceNil;
  const nil = tip ? 'nil' : '-1';
  const idleM = s.mCountIn(Mparked);
  let out =
    `SCHED ${Math.floor(nowNs / 1e6)}ms: gomaxprocs=${s.nP} idleprocs=${s.npidle} threads=${s.mcount + 1}` +
    ` spinningthreads=${s.nmspinning}${tip ? ` needspinning=${s.needspinning}` : ''} idlethreads=${idleM} ` +
    `runqueue=${s.rq.runqsize}`;
  if (detailed) out += ` gcwaiting=0 nmidlelocked=0 stopwait=0 sysmonwait=0\n`;
  for (let p = 0; p < s.nP; p++) {
    const len = s.rq.runqlen(p);
    if (detailed) {
      const m = s.pM[p]!;
      out +=
        `  P${p}: status=${s.pStatus[p]} schedtick=${s.schedtick[p]} syscalltick=${s.syscalltick[p]} ` +
        `m=${m >= 0 ? m : nil} runqsize=${len} gfreecnt=${s.gfree.count[p]} timerslen=${s.dueCount[p]}\n`;
    } else {
      out += tip ? `${p === 0 ? ' [ ' : ''}${len} ` : `${p === 0 ? ' [' : ' '}${len}${p === s.nP - 1 ? ']' : ''}`;
    }
  }
  if (!detailed && tip) out += `] schedticks=[ ${Array.from(s.schedtick.subarray(0, s.nP)).join(' ')} ]`;
  if (!detailed) return out;
  for (let m = 0; m < s.mcount; m++) {
    const p = s.mP[m]!;
    const g = s.mCurG[m]!;
    out +=
      `  M${m}: p=${p >= 0 ? p : nil} curg=${g >= 0 ? s.g.goid[g] : nil} mallocing=0 throwing=0 ` +
      `preemptoff= locks=0 dying=0 spinning=${s.mSpinning[m] ? 'true' : 'false'} ` +
      `blocked=${s.mStatus[m] === Mparked || s.mStatus[m] === Msyscall ? 'true' : 'false'} lockedg=${nil}\n`;
  }
  for (let gp = 0; gp < s.g.count; gp++) {
    if (s.g.status[gp] === Gdead) continue; // dead Gs are on free lists; Go lists them too, but they are noise here
    const m = s.g.m[gp]!;
    out +=
      `  G${s.g.goid[gp]}: status=${s.g.status[gp]}(${WAIT_REASONS[s.g.waitReason[gp]!] ?? ''}) ` +
      `m=${m >= 0 ? m : nil} lockedm=${nil}\n`;
  }
  return out.trimEnd();
}
