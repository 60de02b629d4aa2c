import { initBackend, mergeAdapterIntoCheckpoint } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

export const merge: Command = {
  command: 'merge <modelDir>',
  describe: 'Fold an adapter (grasp-hil or Hugging Face PEFT) into its base checkpoint and write a plain HF checkpoint',
  builder: (y) =>
    withExamples(
      y.positional('modelDir', { type: 'string', describe: 'base model folder (config.json + model.safetensors)', demandOption: true })
        .option('adapter', { type: 'string', demandOption: true, describe: 'adapter folder (adapter_config.json + adapter_model.safetensors)' })
        .option('out', { type: 'string', demandOption: true, describe: 'folder for the merged config.json, model.safetensors and tokenizer files' })
        .option('allow-base-mismatch', { type: 'boolean', default: false, describe: 'merge even if the adapter was made for another base model' }),
      [
        ['grasp-hil merge models/tiny-roberta --adapter runs/lora --out runs/lora-merged', 'a merged checkpoint transformers can load'],
        ['grasp-hil merge ./roberta-base --adapter ./peft-lora-sst2 --out ./roberta-sst2', 'an adapter trained with PEFT'],
      ],
    ),
  handler: async (argv) => {
    await initBackend(argv.backend);
    const r = await mergeAdapterIntoCheckpoint(String(argv.modelDir), String(argv.adapter), String(argv.out), {
      allowBaseMismatch: Boolean(argv['allow-base-mismatch']),
      onWarning: (m) => console.error(`warning: ${m}`),
    });
    if (argv.json) return printJson({ out: argv.out, ...r });
    console.log(`merged ${r.method} (${r.sites} Sites) into ${argv.modelDir}${r.head ? ` with its ${r.head} head` : ''}: wrote ${r.files.join(', ')} to ${argv.out}`);
  },
};
