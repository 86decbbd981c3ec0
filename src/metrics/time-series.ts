/** A table of numeric columns sampled over simulated time (one row per sample). */
export class TimeSeries<V extends number | string = number> {
  readonly rows: V[][] = [];
  constructor(readonly columns: readonly string[]) {}

  append(row: V[]): void {
    if (row.length !== this.columns.length)
      throw new Error(`time series: ${row.length} values for ${this.columns.length} columns`);
    this.rows.push(row);
  }
}
