import { z } from 'zod';

/*
 * Scenario fields used in more than one block, defined once here (a leaf: the block modules import it,
 * it imports none of them).
 */

/**
 * Floor of every controller, scrape and polling period, s (1 ms of simulated time): a period that rounds
 * to 0 ns would fire forever at t = 0. Real controllers run at seconds; 1 ms leaves room for experiments.
 */
export const MIN_CONTROL_PERIOD_S = 0.001;

/** GOMAXPROCS, the number of Ps: the runtime block's setting and the timeline's runtime.GOMAXPROCS event. */
export const GomaxprocsSchema = z.number().int().min(1).max(1024);
