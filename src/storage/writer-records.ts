/**
 * The record file of the writer service (ocf:heartline:RecordWriter): one line per record,
 * `SEQ NODE WALL_MS`, numbered 1, 2, 3, ... without gaps, each fsynced before it is acknowledged.
 * The service numbers the records itself (it continues after the last complete line it finds), so
 * after a takeover the file must hold every number up to the highest one any client saw
 * acknowledged: that is the "no acknowledged write lost" check of the storage tests.
 */

/** One record of the file. */
export interface WriterRecord {
  readonly seq: number;
  /** The node whose writer appended it. */
  readonly node: string;
  /** Wall clock of the append, ms since the epoch. */
  readonly atMs: number;
}

/** What a record file holds: its complete records, and the length of the text they take. */
export interface RecordFile {
  readonly records: readonly WriterRecord[];
  /** Bytes of the complete lines; anything after them is a torn last line (a crash mid-append). */
  readonly completeLength: number;
  /** Lines that are not records (should be none). */
  readonly malformed: readonly string[];
}

/** The line for record `seq` (with its newline). */
export function formatRecord(record: WriterRecord): string {
  return `${record.seq} ${record.node} ${record.atMs}\n`;
}

/** Parses a record file's text (complete lines only; a last line without a newline is torn). */
export function parseRecordFile(text: string): RecordFile {
  const end = text.lastIndexOf('\n') + 1;
  const records: WriterRecord[] = [];
  const malformed: string[] = [];
  for (const line of text.slice(0, end).split('\n')) {
    if (line === '') continue;
    const match = /^(\d+) (\S+) (\d+)$/.exec(line);
    if (match === null) malformed.push(line);
    else records.push({ seq: Number(match[1]), node: match[2] as string, atMs: Number(match[3]) });
  }
  return { records, completeLength: Buffer.byteLength(text.slice(0, end)), malformed };
}

/**
 * The problems of a record file that must hold every record up to `highestAcknowledged`: lines
 * that are not records, numbers out of order or missing, fewer records than acknowledged. Empty
 * when the file is whole.
 */
export function recordFileProblems(file: RecordFile, highestAcknowledged: number): string[] {
  const problems = file.malformed.map((line) => `not a record: ${JSON.stringify(line.slice(0, 80))}`);
  file.records.forEach((record, index) => {
    if (record.seq !== index + 1 && problems.length < 20) problems.push(`line ${index + 1} holds record ${record.seq}`);
  });
  const last = file.records.at(-1)?.seq ?? 0;
  if (last < highestAcknowledged) problems.push(`records end at ${last}, but ${highestAcknowledged} was acknowledged`);
  return problems;
}

/**
 * The acknowledged records the file does not hold as acknowledged: missing, or holding another
 * node's record under that number (a record lost and its number reused after a takeover). A whole
 * file, checked with recordFileProblems, has none. At most `limit` problems (default 20).
 */
export function lostAcknowledgements(file: RecordFile, acknowledged: Iterable<{ readonly seq: number; readonly node: string }>, limit = 20): string[] {
  const bySeq = new Map(file.records.map((record) => [record.seq, record.node]));
  const problems: string[] = [];
  for (const ack of acknowledged) {
    if (problems.length >= limit) break;
    const node = bySeq.get(ack.seq);
    if (node === undefined) problems.push(`record ${ack.seq} acknowledged by ${ack.node} is missing`);
    else if (node !== ack.node) problems.push(`record ${ack.seq} acknowledged by ${ack.node} is gone: the file holds record ${ack.seq} of ${node}`);
  }
  return problems;
}

/** An answer line of the service: `ack SEQ NODE` or `error TEXT`. */
export type WriterAnswer = { readonly kind: 'ack'; readonly seq: number; readonly node: string } | { readonly kind: 'error'; readonly message: string };

export function parseWriterAnswer(line: string): WriterAnswer | undefined {
  const ack = /^ack (\d+) (\S+)$/.exec(line);
  if (ack !== null) return { kind: 'ack', seq: Number(ack[1]), node: ack[2] as string };
  if (line.startsWith('error ')) return { kind: 'error', message: line.slice('error '.length) };
  return undefined;
}
