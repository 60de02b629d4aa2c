#!/usr/bin/env node
/** grasp-hil command line: parse, call the library, print. Errors become one message and exit 1. */
import { hideBin } from 'yargs/helpers';
import { program } from './program.js';

// `grasp-hil profiles list | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

program(hideBin(process.argv)).parseAsync().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  const debug = process.argv.includes('--debug') || process.env.GRASP_HIL_DEBUG === '1';
  console.error(`grasp-hil: ${debug ? e.stack : e.message}`);
  process.exit(1);
});
