/** SchedFrame.pFlags bits (core.ts): what a P saw since the previous frame. Apart so the page needs no model code. */
export const P_PREEMPT = 1;
export const P_HANDOFF = 2;
export const P_SYSCALL = 4;
