import { closeSync, openSync, writeSync } from 'node:fs';
import type { RowSink } from '../metrics/time-series.js';
import { csvCell } from './format.js';
import { OutputWriteError } from './out-dir.js';

/** Bytes buffered before a write: large enough that writes cost nothing beside the simulation. */
const BUFFER_BYTES = 1 << 16;

/**
 * A CSV file written row by row while a run goes (into an AtomicDir's temporary directory): the same
 * bytes as toCsv(columns, rows) of every row, without holding the rows. Each line is encoded at once
 * into one reused 64 KiB buffer, so nothing it makes outlives the row (a growing string would survive
 * into V8's old generation and swell the heap with garbage over a long run).
 */
export class CsvFileSink<V extends number | string = number> implements RowSink<V> {
  private fd: number | undefined;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  /** Rows written so far. */
  rows = 0;

  /**
   * `shownAs`: the path a write error names — the results directory the user asked for, not the hidden
   * temporary directory the file is streamed into (which is removed on failure).
   */
  constructor(
    readonly path: string,
    private readonly shownAs: string = path,
  ) {}

  begin(columns: readonly string[]): void {
    try {
      this.fd = openSync(this.path, 'w');
    } catch (e) {
      throw new OutputWriteError(this.shownAs, e);
    }
    this.line(columns.join(','));
  }

  row(values: readonly V[]): void {
    let line = '';
    for (let i = 0; i < values.length; i++) line += i === 0 ? csvCell(values[i]!) : `,${csvCell(values[i]!)}`;
    this.line(line);
    this.rows++;
  }

  private line(text: string): void {
    const s = `${text}\n`;
    if (this.used + Buffer.byteLength(s) > BUFFER_BYTES) {
      this.flush();
      if (Buffer.byteLength(s) > BUFFER_BYTES) {
        this.writeAll(Buffer.from(s));
        return;
      }
    }
    this.used += this.buf.write(s, this.used);
  }

  private flush(): void {
    this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(b: Buffer): void {
    if (this.fd === undefined) throw new Error(`${this.path}: written before begin or after close`);
    try {
      for (let off = 0; off < b.length; ) off += writeSync(this.fd, b, off);
    } catch (e) {
      throw new OutputWriteError(this.shownAs, e);
    }
  }

  /** Write what is buffered and close the file. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
