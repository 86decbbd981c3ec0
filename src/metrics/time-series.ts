/** Where every row of a time series goes as it is appended (a CSV file being written, in cli/). */
export interface RowSink<V extends number | string = number> {
  /** The series' columns, once, before any row. */
  begin(columns: readonly string[]): void;
  row(values: readonly V[]): void;
}

/**
 * A table of numeric columns sampled over simulated time (one row per sample). Every row goes to the
 * sink, if there is one; the table keeps in memory the rows of every `stride`-th sample, a downsample
 * whose size its owner bounds by choosing the stride before the run (sim/experiment.ts MAX_KEPT_ROWS),
 * so a day's run holds no more rows than an hour's and no kept row is ever dropped (dropping rows late
 * would fill the old generation of V8's heap with garbage). Stride 1 keeps every row; 0 keeps none.
 */
export class TimeSeries<V extends number | string = number> {
  /** The rows kept: those of samples 0, stride, 2·stride, … (every row with stride 1). */
  readonly rows: V[][] = [];
  /** Rows appended (and sent to the sink), kept or not. */
  count = 0;

  constructor(
    readonly columns: readonly string[],
    readonly stride = 1,
    private readonly sink?: RowSink<V>,
  ) {
    if (!(Number.isInteger(stride) && stride >= 0))
      throw new Error(`time series: expected a stride that is a whole number >= 0, found ${stride}`);
    sink?.begin(columns);
  }

  /** Append a row of sample `sample` (by default: the row's own index, one row a sample). */
  append(row: V[], sample = this.count): void {
    if (row.length !== this.columns.length)
      throw new Error(`time series: ${row.length} values for ${this.columns.length} columns`);
    this.sink?.row(row);
    this.count++;
    if (this.stride > 0 && sample % this.stride === 0) this.rows.push(row);
  }

  /** Every row appended is in `rows` (nothing was left out to bound memory). */
  get complete(): boolean {
    return this.stride === 1;
  }
}
