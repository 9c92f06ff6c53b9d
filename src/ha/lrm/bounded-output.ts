/**
 * A bounded capture of one output stream of an agent. An agent that floods its output must not
 * grow the daemon's memory: `head` keeps the first `limitBytes` (standard output, where meta-data
 * and status text are at the start), `tail` the last ones (standard error, where the latest
 * messages are the useful ones). Whatever is dropped is counted.
 */
export class BoundedOutput {
  private chunks: Uint8Array[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly keep: 'head' | 'tail',
  ) {}

  push(chunk: Uint8Array): void {
    if (this.keep === 'head') {
      const room = this.limitBytes - this.keptBytes;
      if (room <= 0) {
        this.droppedBytes += chunk.length;
        return;
      }
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(kept);
      this.keptBytes += kept.length;
      this.droppedBytes += chunk.length - kept.length;
      return;
    }
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes > this.limitBytes) {
      const first = this.chunks[0];
      if (first === undefined) break;
      const excess = this.keptBytes - this.limitBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.keptBytes -= first.length;
        this.droppedBytes += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.keptBytes -= excess;
        this.droppedBytes += excess;
      }
    }
  }

  get truncated(): boolean {
    return this.droppedBytes > 0;
  }

  /** The kept bytes as UTF-8 text (a character cut at the boundary becomes U+FFFD). */
  text(): string {
    return new TextDecoder().decode(concat(this.chunks, this.keptBytes));
  }
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}
