/** `grasp-hil profiles list|show|validate [file]`: the device profiles. */
import { builtinProfileIds, listProfiles, loadProfile, toMicroSiemens, validateProfileFile } from '../../index.js';
import { printJson, withExamples, type Command } from '../command.js';

export const profiles: Command = {
  command: 'profiles <action> [file]',
  describe: 'List, show or validate device profiles',
  builder: (y) => withExamples(
    y
      .positional('action', { type: 'string', choices: ['list', 'show', 'validate'] })
      .positional('file', { type: 'string', describe: 'profile id or path (show: required; validate: default every shipped profile)' }),
    [
      ['grasp-hil profiles list', 'shipped profiles'],
      ['grasp-hil profiles show pcm-aihwkit', 'laws, sources and which values are verified'],
      ['grasp-hil profiles validate ./my-device.json', 'check a profile against the schema and its laws'],
    ],
  ),
  handler: (argv) => {
    if (argv.action === 'list') {
      const list = listProfiles();
      if (argv.json) return printJson(list);
      for (const p of list) {
        console.log(`${p.id.padEnd(14)} ${p.family.padEnd(6)} g_max ${String(p.gMaxMicroSiemens).padStart(9)} µS  ${p.name}${p.unverified ? `  (${p.unverified} unverified values)` : ''}`);
      }
      return;
    }
    if (argv.action === 'show') {
      if (!argv.file) throw new Error('profiles show needs a profile id or path, e.g. grasp-hil profiles show pcm-aihwkit');
      const m = loadProfile(argv.file);
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
      return;
    }
    const refs = argv.file ? [argv.file as string] : builtinProfileIds();
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
