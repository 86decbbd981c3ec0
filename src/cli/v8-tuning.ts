import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for gmpsim's long runs, each with the reason it is set (issue 24 item 1). Process-wide, so
 * set only by a process's entry point — the CLI (main.ts) and the benchmarks — never by model code (which
 * the browser's playground runs too), and before the model's code is optimised (flags are read when a
 * function is compiled). `GMPSIM_V8_TUNING=0` leaves V8's defaults (for side-by-side measurements).
 */
export const V8_TUNING: readonly { flag: string; why: string }[] = [
  {
    flag: '--max-inlined-bytecode-size-cumulative=3000',
    why:
      "V8 stops inlining into a function once its inlined callees' bytecode passes 920 bytes; one scheduled " +
      'event (Simulation.postAt and the ladder insert) is ~600 of it, so each Go-model handler was left ' +
      'calling its hot callees. At 3,000 the cluster hour takes 13 % less main-thread CPU (9 % less in all, ' +
      "with the optimising compiler's extra work on its own thread); 2,000 gives 9.5 %, 5,000 no more than 3,000",
  },
];

/**
 * Apply V8_TUNING (unless GMPSIM_V8_TUNING=0); returns the flags set. An unknown flag would only be reported
 * on stderr by V8 (test/cli/v8-tuning.test.ts checks each is known).
 */
export function tuneV8(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.GMPSIM_V8_TUNING === '0') return [];
  for (const t of V8_TUNING) setFlagsFromString(t.flag);
  return V8_TUNING.map((t) => t.flag);
}
