import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for long runs: shown only on a TTY, only when not in --json/--quiet mode,
 * and only once the run has taken `delayMs` of wall time, so short runs print nothing extra.
 */
export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly startMs = Date.now();

  constructor(
    private readonly enabled: boolean,
    private readonly total: number,
    private readonly unit: string,
    private readonly delayMs = 2000,
  ) {}

  update(value: number): void {
    if (!this.enabled) return;
    if (!this.bar) {
      if (Date.now() - this.startMs < this.delayMs) return;
      this.bar = new cliProgress.SingleBar(
        {
          format: `{bar} {percentage}% | {value}/{total} ${this.unit} | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, 0);
    }
    this.bar.update(Math.round(value * 10) / 10);
  }

  stop(): void {
    this.bar?.stop();
  }
}

export function progressWanted(opts: { json?: boolean; quiet?: boolean; progress?: boolean }): boolean {
  return Boolean(process.stderr.isTTY) && !opts.json && !opts.quiet && opts.progress !== false;
}
