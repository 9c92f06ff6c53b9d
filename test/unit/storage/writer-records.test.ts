// Goal: the record file check of the storage tests tells a whole file from one that lost an
// acknowledged record, holds a gap, a duplicate or a foreign line, and ignores a torn last line.
import { describe, expect, it } from 'vitest';
import { formatRecord, lostAcknowledgements, parseRecordFile, parseWriterAnswer, recordFileProblems } from '../../../src/storage/writer-records.js';

const file = (...seqs: number[]): string => seqs.map((seq) => formatRecord({ seq, node: 'a', atMs: 1_700_000_000_000 + seq })).join('');

describe('record file', () => {
  it('a whole file holding at least the highest acknowledged record has no problems', () => {
    expect(recordFileProblems(parseRecordFile(file(1, 2, 3)), 3)).toEqual([]);
    expect(recordFileProblems(parseRecordFile(file(1, 2, 3, 4)), 3)).toEqual([]);
    expect(recordFileProblems(parseRecordFile(''), 0)).toEqual([]);
  });

  it('a lost acknowledged record, a gap, a duplicate and a foreign line are problems', () => {
    expect(recordFileProblems(parseRecordFile(file(1, 2)), 3)).toEqual(['records end at 2, but 3 was acknowledged']);
    expect(recordFileProblems(parseRecordFile(file(1, 3)), 3)).toEqual(['line 2 holds record 3']);
    expect(recordFileProblems(parseRecordFile(file(1, 2, 2, 3)), 3)).toEqual(['line 3 holds record 2', 'line 4 holds record 3']);
    expect(recordFileProblems(parseRecordFile(`${file(1)}garbage\n${file(2)}`), 2)).toEqual(['not a record: "garbage"']);
  });

  it('a torn last line (a crash mid-append) is not a record, and its length is not complete', () => {
    const text = `${file(1, 2)}3 a 17`;
    const parsed = parseRecordFile(text);
    expect(parsed.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(parsed.completeLength).toBe(Buffer.byteLength(file(1, 2)));
    expect(recordFileProblems(parsed, 2)).toEqual([]);
  });

  it('an acknowledged record whose number was reused by another node is lost', () => {
    const text = `${file(1, 2)}${formatRecord({ seq: 3, node: 'b', atMs: 5 })}`;
    const parsed = parseRecordFile(text);
    expect(recordFileProblems(parsed, 3)).toEqual([]);
    expect(lostAcknowledgements(parsed, [{ seq: 2, node: 'a' }, { seq: 3, node: 'a' }, { seq: 4, node: 'a' }])).toEqual([
      'record 3 acknowledged by a is gone: the file holds record 3 of b',
      'record 4 acknowledged by a is missing',
    ]);
  });

  it('reads the service answers', () => {
    expect(parseWriterAnswer('ack 12 b')).toEqual({ kind: 'ack', seq: 12, node: 'b' });
    expect(parseWriterAnswer('error cannot append: EIO')).toEqual({ kind: 'error', message: 'cannot append: EIO' });
    expect(parseWriterAnswer('hello')).toBeUndefined();
  });
});
