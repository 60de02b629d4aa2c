/**
 * Heap sizing for the threads that carry megabyte MVM messages (the gRPC client's worker, chip serve's
 * simulator and I/O threads). V8 starts a heap's old generation small and grows it with the live
 * data; ArrayBuffers count against that budget too, so a thread that allocates and drops a few
 * megabytes per request runs a full mark-compact every few requests. `--initial-old-space-size=<MiB>`
 * starts the old generation large instead (collected when it fills, as before).
 *
 * V8 reads heap flags when it creates an isolate, so they apply to threads started while they are
 * set: `threadHeapFlags(mib)` sets the flag process-wide and returns `restore`, which puts back the
 * process's own value (from its command line, else V8's default 0). Call `restore` once the threads
 * run (their isolates exist); threads that other code starts in between get the flag too (more
 * memory before their first collection, nothing else).
 *
 * Measured: `node --import tsx bench/hil-remote.ts` (docs/hil.md, "Speed of remote evaluation").
 */
import v8 from 'node:v8';

const FLAG = '--initial-old-space-size';

/** Sets the initial old generation (MiB) for threads started from now on; returns `restore`. */
export function threadHeapFlags(mib: number): () => void {
  const own = process.execArgv.find((a) => a.startsWith(`${FLAG}=`));
  v8.setFlagsFromString(`${FLAG}=${mib}`);
  return () => v8.setFlagsFromString(own ?? `${FLAG}=0`);
}
