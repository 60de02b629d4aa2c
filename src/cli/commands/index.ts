/** Every CLI command, once. Adding a command: one file in this folder and one line here. */
import type { Command } from '../command.js';
import { doctor } from './doctor.js';

export const commands: Command[] = [doctor];
