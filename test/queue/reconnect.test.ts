/**
 * The reconnection rules of queue workers (src/experiment/queue/reconnect.ts), without a server:
 * which errors mean a lost connection, and the bounded exponential delays.
 */
import { describe, expect, it } from 'vitest';
import { Backoff, isConnectionLoss } from '../../src/experiment/queue/reconnect.js';

const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('queue reconnection', () => {
  it('tells a lost connection from a job failure', () => {
    expect(isConnectionLoss(err('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isConnectionLoss(err('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isConnectionLoss(err('the database system is shutting down', '57P03'))).toBe(true);
    expect(isConnectionLoss(err('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss(new AggregateError([err('x'), err('read ECONNRESET', 'ECONNRESET')], 'shutdown'))).toBe(true);
    expect(isConnectionLoss(new Error('wrapped', { cause: err('connect ECONNREFUSED', 'ECONNREFUSED') }))).toBe(true);
    // a job's own failures, and errors of a reachable server, are not
    expect(isConnectionLoss(err("evaluate job x/y: no such key in this worker's plan of 'x'"))).toBe(false);
    expect(isConnectionLoss(err('permission denied for table rows', '42501'))).toBe(false);
    expect(isConnectionLoss(err('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isConnectionLoss(null)).toBe(false);
    expect(isConnectionLoss('ECONNREFUSED')).toBe(false);
  });

  it('waits 1, 2, 4, 8, 16, 30, 30 s, and starts over after a success', () => {
    const b = new Backoff(1000, 30_000);
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(b.attempts).toBe(7);
    b.reset();
    expect(b.next()).toBe(1000);
    expect(() => new Backoff(0, 10)).toThrow(/expected 0 < first ≤ max, got first 0 ms and max 10 ms/);
  });
});
