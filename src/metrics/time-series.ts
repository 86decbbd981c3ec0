/** A table of numeric columns sampled over simulated time (one row per sample). */
export class TimeSeries {
  readonly rows: number[][] = [];
  constructor(readonly columns: readonly string[]) {}

  append(row: number[]): void {
    if (row.length !== this.columns.length) throw new Error(`time series: ${row.length} values for ${this.columns.length} columns`);
    this.rows.push(row);
  }
}
