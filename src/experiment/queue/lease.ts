/**
 * Worker leases. graphile-worker frees a job whose worker vanished only after a fixed 4 hours
 * (its resetLockedAt). Here every worker process heartbeats the graphile-worker ids it has run jobs
 * under into grasp_hil.workers every lease/4 seconds, and every lease/2 seconds looks for ids whose
 * heartbeat is older than the lease: their jobs are released with graphile-worker's own
 * forceUnlockWorkers and run again by whichever worker takes them. A killed worker's job therefore
 * runs again after between 1 and 1.5 leases. A worker busy in one long synchronous step (no event
 * loop turn for a whole lease) would lose its job to another; rows are still written once
 * (ON CONFLICT DO NOTHING), the work is only done twice — choose the lease above the longest step.
 *
 * After an outage of the database every heartbeat is old, live workers' too. So a worker reaps only
 * once it has itself been in touch with the database for a whole lease without a failed heartbeat:
 * by then every live worker that has reconnected has written a fresh heartbeat. A worker whose
 * session ended (worker.ts) forgets that session's ids at once, and on reconnecting releases them
 * itself (release) instead of waiting for another worker's reaping.
 */
import type { WorkerUtils } from 'graphile-worker';
import type pg from 'pg';

export const DEFAULT_LEASE_SECONDS = 60;

export class Lease {
  private readonly ids = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Since when (ms, performance.now) this process has been in touch with the database without a failure; null right after one. */
  private contactSince: number | null = null;

  constructor(private readonly db: pg.Pool, private readonly utils: WorkerUtils, private readonly seconds: number, private readonly log: (l: string) => void) {
    if (!(seconds > 0)) throw new Error(`--lease must be a number of seconds > 0, got ${seconds}`);
  }

  /** Records that this process runs jobs under this graphile-worker id. */
  async hold(workerId: string): Promise<void> {
    if (this.ids.has(workerId)) return;
    this.ids.add(workerId);
    await this.db.query('insert into grasp_hil.workers (worker_id) values ($1) on conflict (worker_id) do update set heartbeat_at = now()', [workerId]);
  }

  start(): void {
    this.contactSince = performance.now();
    const beat = () => {
      this.db.query('update grasp_hil.workers set heartbeat_at = now() where worker_id = any($1)', [[...this.ids]]).then(
        () => { this.contactSince ??= performance.now(); },
        (e: Error) => {
          if (this.contactSince !== null) this.log(`lease: heartbeat failed: ${e.message}`);
          this.contactSince = null;
        },
      );
    };
    this.timers.push(setInterval(beat, (this.seconds * 1000) / 4));
    this.timers.push(setInterval(() => void this.reap().catch((e: Error) => this.log(`lease: reaping failed: ${e.message}`)), (this.seconds * 1000) / 2));
  }

  /** The ids held so far, forgotten (their session is over: no more heartbeats for them). */
  forget(): string[] {
    const ids = [...this.ids];
    this.ids.clear();
    return ids;
  }

  /** Releases the jobs still locked under ids of this process's ended session, and their lease rows. */
  async release(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.utils.forceUnlockWorkers(ids);
    await this.db.query('delete from grasp_hil.workers where worker_id = any($1)', [ids]);
  }

  /** Releases the jobs of workers whose heartbeat is older than the lease (only after a whole lease in touch with the database). */
  async reap(): Promise<string[]> {
    if (this.contactSince === null || performance.now() - this.contactSince < this.seconds * 1000) return [];
    const r = await this.db.query<{ worker_id: string }>(
      `delete from grasp_hil.workers where heartbeat_at < now() - make_interval(secs => $1) and not (worker_id = any($2)) returning worker_id`,
      [this.seconds, [...this.ids]],
    );
    const dead = r.rows.map((x) => x.worker_id);
    if (dead.length) {
      await this.utils.forceUnlockWorkers(dead);
      this.log(`lease: released the jobs of ${dead.length} worker${dead.length > 1 ? 's' : ''} silent for more than ${this.seconds} s (${dead.join(', ')})`);
    }
    return dead;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (this.ids.size) await this.db.query('delete from grasp_hil.workers where worker_id = any($1)', [[...this.ids]]).catch(() => undefined);
  }
}
