/** `grasp-hil profiles list | show <profile> | validate [file]`: the device profiles. */
import { builtinProfileIds, listProfiles, loadProfile, toMicroSiemens, validateProfileFile } from '../../internal.js';
import { laidOut, printJson, withExamples, type Command } from '../command.js';

const list: Command = {
  command: 'list',
  describe: 'List the shipped device profiles',
  builder: (y) => withExamples(y, [['grasp-hil profiles list', 'id, family, g_max and name of every shipped profile']]),
  handler: (argv) => {
    const list = listProfiles();
    if (argv.json) return printJson(list);
    for (const p of list) {
      console.log(`${p.id.padEnd(14)} ${p.family.padEnd(6)} g_max ${String(p.gMaxMicroSiemens).padStart(9)} µS  ${p.name}${p.unverified ? `  (${p.unverified} unverified values)` : ''}`);
    }
  },
};

const show: Command = {
  command: 'show <profile>',
  describe: 'Show one profile: conductance range, laws, values with their sources',
  builder: (y) => withExamples(
    y.positional('profile', { type: 'string', demandOption: true, describe: 'shipped profile id or path to a profile .json' }),
    [['grasp-hil profiles show pcm-aihwkit', 'laws, sources and which values are verified']],
  ),
  handler: (argv) => {
    const m = loadProfile(String(argv.profile));
    if (argv.json) {
      return printJson({
        id: m.id, name: m.name, family: m.family, file: m.file,
        gMinMicroSiemens: toMicroSiemens(m.gMin), gMaxMicroSiemens: toMicroSiemens(m.gMax),
        levels: m.levels, mapping: m.mapping, laws: Object.fromEntries(m.laws), provenance: m.provenance, sources: m.sources, profile: m.json,
      });
    }
    console.log(`${m.id}: ${m.name} (family ${m.family})`);
    if (m.description) console.log(`  ${m.description}`);
    console.log(`  conductance ${toMicroSiemens(m.gMin)}–${toMicroSiemens(m.gMax)} µS, ${m.levels ? `${m.levels} levels` : 'continuous'}, ${m.mapping} mapping, clamp ${m.clamp}`);
    for (const [ptr, d] of m.laws) console.log(`  ${ptr}: ${d}`);
    console.log('  values:');
    for (const p of m.provenance) console.log(`    ${p.verified ? 'verified  ' : 'UNVERIFIED'} ${p.pointer} [${p.source}]${p.note ? ` — ${p.note}` : ''}`);
    console.log('  sources:');
    for (const s of m.sources) console.log(`    ${s.id}: ${s.title}${s.url ? ` <${s.url}>` : ''}`);
  },
};

const validate: Command = {
  command: 'validate [file]',
  describe: 'Check profiles against the schema and evaluate their laws; exit 1 if any fails',
  builder: (y) => withExamples(
    y.positional('file', { type: 'string', describe: 'profile id or path (default: every shipped profile)' }),
    [
      ['grasp-hil profiles validate ./my-device.json', 'check a profile against the schema and its laws'],
      ['grasp-hil profiles validate', 'every shipped profile'],
    ],
  ),
  handler: (argv) => {
    const refs = argv.file ? [String(argv.file)] : builtinProfileIds();
    const results = refs.map((r) => validateProfileFile(r));
    const bad = results.filter((r) => !r.ok);
    if (argv.json) {
      printJson(results);
    } else {
      for (const r of results) console.log(r.ok ? `ok  ${r.file}` : `FAIL ${r.file}\n${r.errors.map((e) => `  ${e}`).join('\n')}`);
    }
    if (bad.length) process.exitCode = 1;
  },
};

export const profiles: Command = {
  command: 'profiles <command>',
  describe: 'Device profiles: list, show, validate',
  builder: (y) => y.command(laidOut(list)).command(laidOut(show)).command(laidOut(validate)).demandCommand(1, 'Name a profiles command: list, show or validate.'),
  handler: () => undefined,
};
