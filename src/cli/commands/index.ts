/** Every CLI command, once. Adding a command: one file in this folder and one line here. */
import type { Command } from '../command.js';
import { doctor } from './doctor.js';
import { inspect } from './inspect.js';
import { pretrain } from './pretrain.js';
import { report } from './report.js';
import { run } from './run.js';
import { params } from './params.js';
import { trainCommand } from './train.js';
import { evaluateCommand } from './evaluate.js';
import { device } from './device.js';
import { profiles } from './profiles.js';
import { merge } from './merge.js';
import { chip } from './chip.js';
import { schema } from './schema.js';
import { init } from './init.js';
import { db } from './db.js';
import { workerCommand } from './worker.js';
import { statusCommand } from './status.js';
import { exportCommand } from './export.js';

export const commands: Command[] = [run, report, doctor, inspect, pretrain, params, trainCommand, evaluateCommand, merge, device, profiles, chip, schema, init, db, workerCommand, statusCommand, exportCommand];
