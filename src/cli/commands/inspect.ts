import { initBackend, inspectModel, parseIdRows } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

export const inspect: Command = {
  tensors: true,
  command: 'inspect <modelDir>',
  describe: 'Run a checkpoint on given token ids and print last_hidden_state (compare with your own reference)',
  builder: (y) =>
    withExamples(
      y.positional('modelDir', { type: 'string', describe: 'folder with config.json and model.safetensors', demandOption: true })
        .option('ids', { type: 'string', demandOption: true, describe: "token ids: comma-separated, rows separated by ';' (shorter rows are padded with the pad id and masked)" })
        .option('adapter', { type: 'string', describe: 'adapter folder to apply (grasp-hil or Hugging Face PEFT: adapter_config.json + adapter_model.safetensors)' })
        .option('allow-base-mismatch', { type: 'boolean', default: false, describe: 'apply an adapter made for another base model' }),
      [
        ['grasp-hil inspect models/tiny-roberta --ids 0,31,2 --json', 'one sequence'],
        ["grasp-hil inspect ./roberta-base --ids '0,31414,2;0,5,2' --json", 'a batch of two, as PyTorch would take it'],
        ['grasp-hil inspect ./roberta-base --adapter ./peft-lora --ids 0,31414,2 --json', 'with a PEFT LoRA adapter applied'],
      ],
    ),
  handler: async (argv) => {
    await initBackend(argv.backend);
    const rows = parseIdRows(String(argv.ids), '--ids');
    const out = await inspectModel(String(argv.modelDir), rows, {
      adapter: argv.adapter as string | undefined,
      allowBaseMismatch: Boolean(argv['allow-base-mismatch']),
      onWarning: (m) => console.error(`warning: ${m}`),
    });
    if (argv.json) return printJson({ last_hidden_state: out.lastHiddenState });
    const [b, s, h] = out.shape;
    const withAdapter = out.adapter ? ` with ${out.adapter.method} adapter (${out.adapter.source}, ${out.adapter.sites} Sites)` : '';
    console.log(`${out.architecture} from ${argv.modelDir}${withAdapter}: last_hidden_state [${b}, ${s}, ${h}]`);
    out.lastHiddenState.forEach((seq, i) => {
      const first = seq[0].slice(0, 6).map((v) => v.toFixed(5)).join(', ');
      console.log(`  row ${i}: token 0 → [${first}${h > 6 ? ', …' : ''}]`);
    });
    console.log('(use --json for every value)');
  },
};
