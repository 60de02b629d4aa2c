import os from 'node:os';
import { environmentReport, initBackend } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

export const doctor: Command = {
  tensors: true,
  command: 'doctor',
  describe: 'Report the tensor backend, package versions and threads',
  builder: (y) => withExamples(y, [
    ['grasp-hil doctor', 'show which TF.js backend runs and why'],
    ['GRASP_HIL_BACKEND=cpu grasp-hil doctor --json', 'force the CPU backend, machine-readable'],
  ]),
  handler: async (argv) => {
    await initBackend(argv.backend);
    const report = environmentReport();
    if (argv.json) return printJson(report);
    console.log(`backend:   ${report.backend} (${report.backendReason})`);
    console.log(`grasp-hil: ${report.version}`);
    console.log(`node:      ${report.node}  platform: ${report.platform}`);
    console.log(`cpus:      ${os.cpus().length} (worker_threads default: ${report.defaultWorkers})`);
    for (const [k, v] of Object.entries(report.packages)) console.log(`${k}: ${v}`);
  },
};
