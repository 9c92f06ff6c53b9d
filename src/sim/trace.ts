import { createHash, type Hash } from 'node:crypto';

/**
 * Trace: the record of a simulation run, one line per event:
 *
 *     <virtual ms, 9 digits> <subject> <what happened>
 *
 * where subject is `nX` for node X, `net` for the network and `sim` for the harness. Every line is
 * fed into a SHA-256 as it is written, so two runs can be compared by hash alone; the lines
 * themselves are kept only when asked (printing a replay), since a thousand-seed property run
 * should not hold a thousand traces in memory.
 */
export class Trace {
  private readonly hash: Hash = createHash('sha256');
  private readonly kept: string[] | undefined;
  private count = 0;

  constructor(options: { keepLines: boolean; onLine?: (line: string) => void }) {
    this.kept = options.keepLines ? [] : undefined;
    this.onLine = options.onLine;
  }

  private readonly onLine: ((line: string) => void) | undefined;
  /** Lines not yet hashed: one hash update per 64 KiB is much cheaper than one per line. */
  private pending = '';

  write(atMs: number, subject: string, text: string): void {
    const line = `${String(atMs).padStart(9, '0')} ${subject} ${text}`;
    this.pending += `${line}\n`;
    if (this.pending.length > 65536) {
      this.hash.update(this.pending);
      this.pending = '';
    }
    this.count++;
    this.kept?.push(line);
    this.onLine?.(line);
  }

  get lineCount(): number {
    return this.count;
  }

  /** The lines written so far, when kept; otherwise undefined. */
  get lines(): readonly string[] | undefined {
    return this.kept;
  }

  /** The hex SHA-256 of every line written; ends the trace. */
  digest(): string {
    this.hash.update(this.pending);
    this.pending = '';
    return this.hash.digest('hex');
  }
}
