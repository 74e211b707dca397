import type { CapturedPort } from '../ports.js';
import type { CapturedIndexEntry, CapturedSearch, ListCapturedQuery, NewCaptured, RetentionLimits } from '../records.js';
import { PgCapturedReads } from './captured-reads.js';
import { PgCapturedRetention } from './captured-retention.js';
import { PgCapturedWrites } from './captured-writes.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** Mail captured by the sandbox sink: what the sink writes, what the inbox reads, what retention deletes. */
export class PgCaptured implements CapturedPort {
  private readonly writes: PgCapturedWrites;
  private readonly reads: PgCapturedReads;
  private readonly retention: PgCapturedRetention;

  constructor(runner: PgTransactionRunner, scope: PgScope) {
    this.writes = new PgCapturedWrites(runner, scope);
    this.reads = new PgCapturedReads(scope);
    this.retention = new PgCapturedRetention(runner, scope);
  }

  insertMany(items: { m: NewCaptured; raw: Buffer }[], opts?: { durable?: boolean }) {
    return this.writes.insertMany(items, opts);
  }
  syncCommitted() {
    return this.writes.syncCommitted();
  }
  completeIndex(entries: CapturedIndexEntry[]) {
    return this.writes.completeIndex(entries);
  }
  linkMessage(capturedId: number, messageSeq: number) {
    return this.writes.linkMessage(capturedId, messageSeq);
  }
  markRead(id: number, read?: boolean) {
    return this.writes.markRead(id, read);
  }

  get(id: number) {
    return this.reads.get(id);
  }
  raw(id: number) {
    return this.reads.raw(id);
  }
  list(query: ListCapturedQuery) {
    return this.reads.list(query);
  }
  countMatching(search: CapturedSearch) {
    return this.reads.countMatching(search);
  }
  counts() {
    return this.reads.counts();
  }
  mailboxes() {
    return this.reads.mailboxes();
  }
  unindexed(upToId: number, limit: number) {
    return this.reads.unindexed(upToId, limit);
  }
  lastId() {
    return this.reads.lastId();
  }
  countUnindexed(upToId?: number) {
    return this.reads.countUnindexed(upToId);
  }

  delete(id: number) {
    return this.retention.delete(id);
  }
  deleteMany(ids: readonly number[]) {
    return this.retention.deleteMany(ids);
  }
  deleteAll() {
    return this.retention.deleteAll();
  }
  pruneBatch(limits: RetentionLimits) {
    return this.retention.pruneBatch(limits);
  }
}
