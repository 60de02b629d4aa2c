/**
 * Losing the queue database, as a worker sees it:
 *
 *   lost        an error whose code or message says the connection is gone (server stopped or
 *               restarting, backend terminated, network down) — isConnectionLoss
 *   backoff     the worker stops its graphile-worker runner (a running job finishes, or fails
 *               writing and is abandoned), then tries to reconnect after 1, 2, 4, 8, 16, 30, 30, … s
 *               (bounded exponential; no jitter, so no random stream — the workers of a cluster
 *               reconnect at the moments their outages ended, which are spread anyway)
 *
 * Row writes are single INSERT statements and adapter uploads one transaction, so a lost
 * connection never leaves part of a row or an adapter behind.
 */

/** Node and PostgreSQL codes of a connection that is gone or cannot be made right now. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '57P01', // admin_shutdown (pg_terminate_backend, fast shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
]);

const CONNECTION_MESSAGES = /Connection terminated|connection is closed|Client has encountered a connection error|server closed the connection|terminating connection/i;

/** Whether an error means the database connection was lost (rather than a job's own failure). */
export function isConnectionLoss(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof err.code === 'string' && CONNECTION_CODES.has(err.code)) return true;
  if (typeof err.message === 'string' && CONNECTION_MESSAGES.test(err.message)) return true;
  if (Array.isArray(err.errors) && err.errors.some(isConnectionLoss)) return true; // AggregateError
  return err.cause !== undefined && err.cause !== e && isConnectionLoss(err.cause);
}

/** Bounded exponential delays: first, 2·first, 4·first, … capped at max (ms). */
export class Backoff {
  private n = 0;

  constructor(private readonly firstMs = 1000, private readonly maxMs = 30_000) {
    if (!(firstMs > 0) || !(maxMs >= firstMs)) throw new Error(`backoff: expected 0 < first ≤ max, got first ${firstMs} ms and max ${maxMs} ms`);
  }

  /** The next delay in ms. */
  next(): number {
    const d = Math.min(this.maxMs, this.firstMs * 2 ** this.n);
    this.n++;
    return d;
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.n;
  }

  reset(): void {
    this.n = 0;
  }
}
