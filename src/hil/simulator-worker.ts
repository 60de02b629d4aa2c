/**
 * The driver thread of serveSimulatorThreaded (simulator-thread.ts): initialises the TF.js backend,
 * builds the SimulatorDriver and answers the I/O thread's driver calls on its MessagePort
 * (server-thread.ts answerCalls); reports the capabilities, or why it could not start, on `control`.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { initBackend } from '../tensor/index.js';
import { answerCalls } from './server-thread.js';
import { SimulatorDriver } from './simulator.js';
import type { SimulatorThreadAnswer, SimulatorThreadOptions } from './simulator-thread.js';

const { sim, calls, control } = workerData as { sim: SimulatorThreadOptions; calls: MessagePort; control: MessagePort };

try {
  await initBackend(sim.backend);
  const { backend: _, ...options } = sim;
  const driver = new SimulatorDriver(options);
  answerCalls(driver, calls);
  control.postMessage({ caps: await driver.capabilities() } satisfies SimulatorThreadAnswer);
} catch (e) {
  control.postMessage({ failed: e instanceof Error ? e.message : String(e) } satisfies SimulatorThreadAnswer);
}
