import { createRequire } from 'node:module';
import type { CronExpressionParser as Parser } from 'cron-parser';

let parser: typeof Parser | undefined;

/**
 * cron-parser (and luxon under it, ~360 kB) loads on the first cron expression read, not with the scenario
 * schema: `gmpsim validate` and `run` of a scenario without cron triggers never load it (issue 24 item 4).
 * It is CommonJS, so require() loads it synchronously, as the schema's checks need. (The playground's bundle
 * maps node:module to playground/shims/module.ts, which hands over the bundled copy.)
 */
function cronParser(): typeof Parser {
  parser ??= (createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')).CronExpressionParser;
  return parser;
}

/**
 * A KEDA cron trigger's window (kedacore/keda pkg/scalers/cron_scaler.go, GetMetricsAndActivity): at
 * time t, take the next `start` and the next `end` after t (robfig/cron's Schedule.Next, in the
 * trigger's time zone); the window is open when the next end comes no later than the next start — we
 * are between a start and its end. Open: the trigger's metric is desiredReplicas and it is active;
 * closed: the metric is 1 and it is inactive. The HPA KEDA generates reads it as an External metric with
 * an AverageValue target of 1, so it asks for desiredReplicas pods while the window is open.
 */
export class CronWindow {
  constructor(
    private readonly start: string,
    private readonly end: string,
    private readonly timezone: string,
    /** Wall-clock time of simulated t = 0, ms since the epoch. */
    private readonly clockStartMs: number,
    readonly desiredReplicas: number,
  ) {}

  /** The first time a schedule fires strictly after `ms` (whole seconds, as robfig/cron's Next), ms. */
  private next(expr: string, ms: number): number {
    const from = new Date(Math.floor(ms / 1000) * 1000);
    return cronParser().parse(expr, { currentDate: from, tz: this.timezone }).next().getTime();
  }

  /** The window is open at simulated time `nowS`. */
  isActive(nowS: number): boolean {
    const ms = this.clockStartMs + nowS * 1000;
    return this.next(this.end, ms) <= this.next(this.start, ms);
  }

  /** The trigger's metric value now: desiredReplicas in the window, else 1 (defaultDesiredReplicas). */
  metric(nowS: number): number {
    return this.isActive(nowS) ? this.desiredReplicas : 1;
  }
}

/** Why a cron expression or time zone cannot be used (robfig/cron's standard parser: five fields), or undefined. */
export function cronProblem(expr: string, timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return `expected an IANA time zone such as "Europe/Berlin" or "UTC", found ${JSON.stringify(timezone)}`;
  }
  const fields = expr.trim().split(/\s+/);
  if (!expr.trim().startsWith('@') && fields.length !== 5) {
    const found = `found ${fields.length} in ${JSON.stringify(expr)}`;
    return `expected a cron expression of five fields (minute hour day-of-month month day-of-week), ${found}`;
  }
  try {
    cronParser()
      .parse(expr, { tz: timezone, currentDate: new Date(0) })
      .next();
  } catch (e) {
    const found = `found ${JSON.stringify(expr)}: ${(e as Error).message}`;
    return `expected a cron expression (minute hour day-of-month month day-of-week), ${found}`;
  }
  return undefined;
}
