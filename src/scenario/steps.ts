import type { AllocSize, DurationDist } from './schema.js';
import type { CallSpec } from './service-schema.js';

/**
 * The step kinds of a goroutine's program, and the one way to walk them: `visitStep` with a handler per
 * kind (a `Record<StepKind, …>`), so adding a kind to StepBodies is a compile error in every walker —
 * the schema's checks and op count, the loader, the compiler (runtime/gmp/program.ts), the mean CPU —
 * instead of a silent fall-through. Type-only imports: the model can use this without zod.
 */

/** The body of each step kind: a step is `{ <kind>: <body> }` with exactly one kind. */
export interface StepBodies {
  cpu: DurationDist;
  syscall: DurationDist;
  netpoll: DurationDist;
  sleep: DurationDist;
  alloc: AllocSize;
  gosched: true;
  spawn: { count: number; wait: boolean; steps: Step[] };
  locked: { mutex: string; cpu: DurationDist };
  deep: { stackKB: number; cpu: DurationDist };
  send: { chan: string };
  recv: { chan: string };
  repeat: { count: number; steps: Step[] };
  call: CallSpec;
  select: SelectBody;
  close: { chan: string };
  rwlocked: { rwmutex: string; write: boolean; cpu: DurationDist };
}

/** `select { case <-ch / case ch <- v: …; case <-time.After(timeout): … }` (selectgo with a timer case). */
export interface SelectBody {
  chan: string;
  op: 'recv' | 'send';
  timeout: DurationDist;
  /** Steps run when the channel case wins. */
  ready: Step[];
  /** Steps run when the timer case wins. */
  timedOut: Step[];
}
export type StepKind = keyof StepBodies;

/** One step of a goroutine's program. */
export type Step = { [K in StepKind]: { [P in K]: StepBodies[P] } }[StepKind];

// Every kind once, in documentation order; a kind added to StepBodies does not compile until listed here.
const STEP_KIND_SET: Record<StepKind, true> = {
  cpu: true,
  syscall: true,
  netpoll: true,
  sleep: true,
  alloc: true,
  gosched: true,
  spawn: true,
  locked: true,
  deep: true,
  send: true,
  recv: true,
  repeat: true,
  call: true,
  select: true,
  close: true,
  rwlocked: true,
};

/** Names of the step kinds, for error messages and docs. */
export const STEP_KINDS = Object.keys(STEP_KIND_SET) as readonly StepKind[];

/** The kind of a (validated) step. */
export function stepKind(step: Step): StepKind {
  for (const k of STEP_KINDS) if (k in step) return k;
  throw new Error(`not a step: ${JSON.stringify(step)}`);
}

/** One handler per step kind: whoever walks steps gives a Record of them, so a new kind is a compile error there. */
export type StepVisitor<R> = { [K in StepKind]: (body: StepBodies[K]) => R };

/** Dispatch a step to the handler of its kind. */
export function visitStep<R>(step: Step, visitor: StepVisitor<R>): R {
  const kind = stepKind(step);
  const body = (step as Record<StepKind, unknown>)[kind];
  return (visitor[kind] as (b: unknown) => R)(body);
}
