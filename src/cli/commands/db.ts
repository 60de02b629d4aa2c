/** `grasp-hil db migrate --queue URL`: creates or migrates the queue database's schema. */
import { maskUrl, migrate, queueUrl } from '../../internal.js';
import { laidOut, printJson, withExamples, type Command } from '../command.js';

const QUEUE = { type: 'string', describe: 'PostgreSQL connection string (default: $GRASP_HIL_DATABASE_URL); never printed' } as const;

const migrateCommand: Command = {
  command: 'migrate',
  describe: "Create or update the queue schema (graphile-worker's tables and grasp_hil.*)",
  builder: (y) => withExamples(y.option('queue', QUEUE), [
    ['grasp-hil db migrate --queue postgres://grasp:secret@db:5432/grasp', 'once per database, and after upgrading grasp-hil'],
  ]),
  handler: async (argv) => {
    const url = queueUrl(argv.queue as string | undefined);
    const r = await migrate(url);
    if (argv.json) return printJson(r);
    console.log(`${maskUrl(url)}: schema version ${r.version}${r.applied.length ? ` (applied ${r.applied.join(', ')})` : ' (already current)'}`);
  },
};

export const db: Command = {
  command: 'db <command>',
  describe: 'The queue database: migrate',
  builder: (y) => y.command(laidOut(migrateCommand)).demandCommand(1, 'Name a db command: migrate.'),
  handler: () => undefined,
};
