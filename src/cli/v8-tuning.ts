import { setFlagsFromString } from 'node:v8';
import { UsageError } from './errors.js';

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
 * on stderr by V8 (test/cli/v8-tuning.test.ts checks each is known). GMPSIM_V8_TUNING is 0 (V8's defaults)
 * or 1 (the default, as unset or empty): anything else is a usage error, so a mistyped value never
 * measures something other than what its user meant.
 */
export function tuneV8(env: NodeJS.ProcessEnv = process.env): string[] {
  const v = env.GMPSIM_V8_TUNING;
  if (v === '0') return [];
  if (v !== undefined && v !== '' && v !== '1') {
    throw new UsageError(
      `GMPSIM_V8_TUNING: expected 0 (V8's defaults) or 1 (gmpsim's settings, the default), found '${v}'`,
    );
  }
  for (const t of V8_TUNING) setFlagsFromString(t.flag);
  return V8_TUNING.map((t) => t.flag);
}

/**
 * The commands that simulate, which set V8_TUNING before their action runs (main.ts's preAction hook). Not
 * at start, nor for the other commands: V8 rejects a code cache made under other flags, and `--help` and
 * `validate` start from the bundle's caches (issue 24 item 4).
 */
export const V8_TUNED_COMMANDS: readonly string[] = ['run', 'compare', 'sweep', 'tune'];

/** The V8 flags set before command `name`'s action (none for a command that does not simulate). */
export function tuneV8For(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return V8_TUNED_COMMANDS.includes(name) ? tuneV8(env) : [];
}
