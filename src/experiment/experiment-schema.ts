/**
 * The experiment schema — the one source of both the JSON Schema that ajv validates and editors read
 * (experiments/schema/experiment.schema.json, written from this object by
 * `node --import tsx scripts/write-schemas.ts`; test/experiment/schema.test.ts fails when the file
 * and this object differ) and the TypeScript type `Experiment` (json-schema-to-ts's FromSchema).
 * Properties with a default stay optional in the type: ajv fills defaults when a file is read, but
 * an Experiment built in code need not.
 */
import type { FromSchema } from 'json-schema-to-ts';

export const EXPERIMENT_SCHEMA = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://grasp-hil.dev/schema/experiment.schema.json",
  title: "grasp-hil experiment",
  description: "A grid of fine-tuning methods × device profiles × evaluation conditions × seeds. Paths are relative to the experiment file unless absolute; model 'tiny-roberta' names the shipped model.",
  type: "object",
  required: [
    "name",
    "model",
    "task",
    "evaluation",
    "seeds"
  ],
  additionalProperties: false,
  properties: {
    "$schema": {
      type: "string",
      description: "Path or URL of this schema, for editors (`grasp-hil init` writes the installed package's path). Ignored by grasp-hil."
    },
    name: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      description: "Report folder name: reports/<name>/"
    },
    description: {
      type: "string",
      description: "Free text shown in the report; does not affect results (not part of the hash)."
    },
    model: {
      type: "string",
      minLength: 1,
      description: "Model directory (config.json, model.safetensors, tokenizer files) or 'tiny-roberta' / 'deep-roberta' / 'tiny-gpt2' for the shipped models."
    },
    task: {
      type: "object",
      additionalProperties: false,
      properties: {
        id: {
          type: "string",
          description: "Task id from the task registry: brown-genre, spam, sst2, cola, mrpc, stsb, qqp, mnli, qnli, rte; generation tasks brown-d2t (built in) and e2e (dataDir: the E2E challenge CSVs). Give either `id` or `dir`."
        },
        dir: {
          type: "string",
          minLength: 1,
          description: "A local GLUE-style task instead of a registered one: a folder with train.tsv and dev.tsv and/or test.tsv, each with a header naming a `sentence` column (or `sentence1` and `sentence2`) and a `label` column. Classification (the default): classes are the distinct labels (integers in numeric order, else names in alphabetical order). Regression (`type`): every label is a real-valued score. A test.tsv without a label column (as GLUE ships it) is ignored. Give either `id` or `dir`."
        },
        type: {
          type: "string",
          enum: [
            "classification",
            "regression"
          ],
          description: "With `dir`: what the label column holds. 'classification' (when absent): class names or ids; metrics accuracy and macro-F1. 'regression': real-valued scores (STS-B style); a head with one output, metrics Pearson (primary) and Spearman."
        },
        scoreRange: {
          type: "array",
          items: {
            type: "number"
          },
          minItems: 2,
          maxItems: 2,
          description: "With `dir` and type 'regression': [lo, hi], the range every score must lie in (e.g. [0, 5]); a score outside it is an error naming its file and line."
        },
        dataDir: {
          type: "string",
          description: "For GLUE tasks: the folder with the task's TSV files; for e2e: the folder with trainset.csv, devset.csv and testset_w_refs.csv."
        },
        maxLength: {
          type: "integer",
          minimum: 8,
          maximum: 4096,
          default: 128,
          description: "Longest tokenised input in tokens; longer inputs are truncated."
        },
        trainExamples: {
          type: "integer",
          minimum: 1,
          description: "Use at most this many training examples (fixed seeded subset)."
        },
        evalExamples: {
          type: "integer",
          minimum: 1,
          description: "Use at most this many evaluation examples (fixed seeded subset)."
        }
      },
      description: "The task: which data set, how long the inputs are, and how many examples are used."
    },
    methods: {
      type: "array",
      default: [],
      items: {
        type: "object",
        required: [
          "method"
        ],
        additionalProperties: false,
        properties: {
          id: {
            type: "string",
            description: "Unique id of this entry (default: the method name)."
          },
          label: {
            type: "string",
            description: "Legend label in charts."
          },
          method: {
            type: "string",
            description: "Registered PEFT method: grasp, stochgrasp, grasp-weight, lora, bitfit, ia3, red, full, top-k."
          },
          options: {
            type: "object",
            description: "Method options (validated by the method): k, rows, sites, lambda, penalty, rank, alpha, …"
          },
          sigmaTarget: {
            description: "StochGRASP's σ_target, the weight-noise level the learned σ is trained toward. Three forms: a number ≥ 0 in weight units (e.g. 0.02); {\"fromProfile\": true, \"t\": 86400, \"compensation\": \"global\"} — from each device profile, the random part of the chip's error at t seconds after programming (one adapter per profile); or {\"relative\": 0.05} — a fraction of each adapted Site's weight standard deviation. Only for methods that take a σ_target (stochgrasp).",
            oneOf: [
              {
                type: "number",
                minimum: 0,
                description: "σ_target in weight units."
              },
              {
                type: "object",
                required: [
                  "fromProfile"
                ],
                additionalProperties: false,
                properties: {
                  fromProfile: {
                    const: true,
                    description: "Always true: take σ_target from the device profile(s)."
                  },
                  t: {
                    type: "number",
                    minimum: 0,
                    description: "Seconds after programming at which the spread is measured (default 86400)."
                  },
                  compensation: {
                    type: [
                      "string",
                      "boolean"
                    ],
                    enum: [
                      "none",
                      "global",
                      "global-exact",
                      "column",
                      "column-exact",
                      true,
                      false
                    ],
                    description: "Drift compensation when reading: none, global (default), global-exact, column or column-exact (docs/periphery.md); the aliases true (= global) and false (= none) are accepted."
                  }
                },
                description: "From each device profile: the random part of the chip's weight error at time t after programming."
              },
              {
                type: "object",
                required: [
                  "relative"
                ],
                additionalProperties: false,
                properties: {
                  relative: {
                    type: "number",
                    minimum: 0,
                    description: "σ_target as a fraction of each adapted Site's weight standard deviation (e.g. a profile's relative figure from `grasp-hil device sigma-target`)."
                  }
                },
                description: "A fraction of each adapted Site's weight standard deviation."
              }
            ]
          },
          training: {
            "$ref": "#/$defs/training",
            description: "Overrides of the experiment's training settings for this method."
          }
        },
        description: "One method with its options, σ_target and training overrides."
      },
      description: "The fine-tuning methods to compare; each entry trains one adapter per training seed. `methods` and `adapters` together need at least one entry."
    },
    adapters: {
      type: "array",
      default: [],
      items: {
        type: "object",
        required: [
          "id",
          "path"
        ],
        additionalProperties: false,
        properties: {
          id: {
            type: "string",
            pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
            description: "Unique id of this entry among methods and adapters; rows name it as `entryId` and `compareTo` may name it."
          },
          path: {
            type: "string",
            minLength: 1,
            description: "Adapter folder (adapter_config.json + adapter_model.safetensors), relative to this experiment file: saved by grasp-hil or written by Hugging Face PEFT."
          },
          label: {
            type: "string",
            description: "Legend label in charts (default: the id)."
          },
          allowBaseMismatch: {
            type: "boolean",
            default: false,
            description: "Use the adapter although it names another base model (its recorded weights hash or base_model_name_or_path); shapes and names must still match."
          }
        },
        description: "An adapter trained elsewhere: evaluated as is (params, noise and hardware rows), no training."
      },
      description: "Adapters to evaluate without training (grasp-hil or PEFT adapter folders). Their rows compare with trained entries like any other entry; a changed adapter file makes its rows stale (the file contents are hashed)."
    },
    training: {
      "$ref": "#/$defs/training",
      default: {},
      description: "Training settings shared by every method entry (an entry's own `training` overrides them)."
    },
    compareTo: {
      type: "string",
      description: "Id of the method or adapter entry (its `id`, or its method name when it has no id) every other entry is compared with: the report shows paired differences over the shared seeds and a verdict per condition, e.g. \"grasp-weight\" as the deterministic baseline. Omit it for no comparison."
    },
    profiles: {
      type: "array",
      items: {
        type: "string"
      },
      default: [],
      description: "Device profile ids (device-models/<id>.json) or paths to profile files (ending in .json or containing a slash), relative to this experiment file. Each hardware evaluation and device row is made once per profile."
    },
    chip: {
      type: "object",
      required: ["driver"],
      additionalProperties: false,
      description: "Run the hardware evaluations on a chip driver (docs/hil.md) instead of a simulated chip per profile: every hardware row resets the chip with its chip seed, programs the Sites (evaluation.hardware.sites) on its tiles, reads the drift-compensation reference when compensation is on, advances the chip's clock to t and evaluates with each MVM sent to the chip. Rows are identical in-process and through `grasp-hil chip serve` for the same seeds. Not combinable with `sweeps` (the periphery is the chip's).",
      properties: {
        driver: { enum: ["grpc", "simulator"], description: "grpc: a chip server at `address` (`grasp-hil chip serve`, a lab's host); simulator: the same simulator driver in-process (the reference for a served simulator)." },
        address: { type: "string", pattern: "^[^\\s/]+:[0-9]+$", description: "host:port of the chip server (driver grpc), e.g. 127.0.0.1:50051." },
        token: { type: "string", minLength: 16, description: "Bearer token of the chip server; better left out of the file: $GRASP_HIL_CHIP_TOKEN is used when this is absent. Not part of any row's inputs." },
        profile: { type: "string", description: "Device profile id or absolute path of the in-process simulator (driver simulator); its periphery is the experiment's `periphery` with compensation off (the host compensates, as for a served chip)." },
        tiles: { type: "integer", minimum: 1, description: "Tile slots of the in-process simulator (driver simulator); default 4096." }
      }
    },
    evaluation: {
      type: "object",
      additionalProperties: false,
      properties: {
        decoding: {
          type: "object",
          additionalProperties: false,
          description: "Generation tasks (brown-d2t, e2e): how the evaluate phase decodes each MR (Hugging Face GenerationConfig names); ignored by label tasks.",
          properties: {
            numBeams: {
              type: "integer",
              minimum: 1,
              default: 1,
              description: "Beam width; 1 is greedy decoding (the paper's E2E protocol: 10)."
            },
            maxNewTokens: {
              type: "integer",
              minimum: 1,
              default: 48,
              description: "New tokens per MR at most."
            },
            lengthPenalty: {
              type: "number",
              default: 1,
              description: "Beam search: a finished beam scores Σ log p / length^lengthPenalty."
            },
            noRepeatNgramSize: {
              type: "integer",
              minimum: 0,
              default: 0,
              description: "Ban tokens that would repeat an n-gram of this size (0: off; the LoRA paper's E2E decoding: 4)."
            },
            earlyStopping: {
              type: "boolean",
              default: false,
              description: "Beam search: stop an MR once it has numBeams finished beams."
            },
            batchSize: {
              type: "integer",
              minimum: 1,
              default: 16,
              description: "MRs decoded together (left-padded)."
            }
          }
        },
        noise: {
          type: "object",
          required: [
            "sigmas"
          ],
          additionalProperties: false,
          description: "The paper's protocol: inject N(0, σ²) into the adapted Sites' deployed weights.",
          properties: {
            sigmas: {
              type: "array",
              minItems: 1,
              items: {
                type: "number",
                minimum: 0
              },
              description: "Standard deviations σ of the injected Gaussian noise, in weight units (or fractions of max |W| when `relative`); one row per σ and noise seed."
            },
            relative: {
              type: "boolean",
              default: false,
              description: "σ as a fraction of each Site's max |W| instead of absolute weight units."
            },
            sites: {
              type: "string",
              description: "Sites to perturb (default: the Sites the method adapted)."
            }
          }
        },
        hardware: {
          type: "object",
          required: [
            "times"
          ],
          additionalProperties: false,
          description: "The hardware protocol: program a chip per profile and chip seed, evaluate at times after programming.",
          properties: {
            times: {
              type: "array",
              minItems: 1,
              items: {
                type: "number",
                minimum: 0
              },
              description: "Read times in seconds after programming (e.g. 1, 3600, 86400 = one day); one evaluation per time, with drift and accumulated noise applied at that time."
            },
            compensation: {
              type: "array",
              minItems: 1,
              items: {
                type: [
                  "string",
                  "boolean"
                ],
                enum: [
                  "none",
                  "global",
                  "global-exact",
                  "column",
                  "column-exact",
                  true,
                  false
                ]
              },
              default: [
                "global",
                "none"
              ],
              description: "Drift compensation modes to evaluate at each time: none (raw read-out), global (each tile's read-out rescaled by its drift measured on one-hot reads, aihwkit's GlobalDriftCompensation), global-exact, column, column-exact (docs/periphery.md). The aliases true (= global) and false (= none) are accepted; rows record the mode's name."
            },
            scales: {
              type: "object",
              additionalProperties: false,
              properties: {
                programming: { type: "array", minItems: 1, items: { type: "number", minimum: 0 }, description: "Multipliers of programming noise (aihwkit's prog_noise_scale)." },
                drift: { type: "array", minItems: 1, items: { type: "number", minimum: 0 }, description: "Multipliers of drift (aihwkit's drift_scale)." },
                readNoise: { type: "array", minItems: 1, items: { type: "number", minimum: 0 }, description: "Multipliers of accumulated and per-MVM read noise (aihwkit's read_noise_scale)." },
                variation: { type: "array", minItems: 1, items: { type: "number", minimum: 0 }, description: "Multipliers of device-to-device variation." }
              },
              description: "Device-noise scale axes: each key lists multipliers applied on top of the profile's own `scales`; every point of their product is evaluated at every time and compensation mode (rows record it as `scales`). Omit for the profile as it is."
            },
            sites: {
              type: "string",
              default: "all-linear",
              description: "Sites mapped to the chip (the rest stays digital)."
            },
            calibrationExamples: {
              type: "integer",
              minimum: 1,
              default: 64,
              description: "With periphery.calibration: how many examples of the training split (a fixed seeded subset) calibrate the chip's ranges."
            }
          }
        },
        calibrate: {
          type: "object",
          additionalProperties: false,
          description: "The calibrate phase (docs/hil.md): the adapter held in the periphery (its input transform digital, in front of the DAC) over the base weights programmed once, per profile, chip seed, evaluation.hardware time and compensation; for each count N of `examples`, N seeded training examples calibrate the adapter with the chip in the loop (forward through the drifted tiles, straight-through gradients); N = 0 is the periphery-held adapter as trained. One hardware row each, as method entry `<id>/periphery` (N = 0) or `<id>/cal-<N>`, with a `calibration` field (examples, steps, chip MVM calls and vectors, seconds). Needs evaluation.hardware and at least one profile.",
          properties: {
            examples: { type: "array", minItems: 1, items: { type: "integer", minimum: 0 }, default: [0, 16, 64, 256], description: "Calibration example counts N (0: no calibration, the periphery-held adapter as trained)." },
            steps: { type: "integer", minimum: 1, default: 20, description: "Optimiser steps per calibration (AdamW, constant learning rate, batches of batchSize)." },
            batchSize: { type: "integer", minimum: 1, default: 16, description: "Examples per calibration step (at most N)." },
            lr: { type: "number", exclusiveMinimum: 0, default: 0.01, description: "Learning rate of the adapter's variables." },
            methods: { type: "array", items: { type: "string" }, description: "Method entry ids to calibrate (default: every entry)." }
          }
        },
        device: {
          type: "object",
          additionalProperties: false,
          description: "Device characterisation rows for the conductance-distribution chart.",
          properties: {
            levels: {
              type: "array",
              items: {
                type: "number",
                minimum: 0,
                maximum: 1
              },
              default: [
                0.25,
                0.5,
                1
              ],
              description: "Target conductances as fractions of g_max, each in [0, 1]."
            },
            times: {
              type: "array",
              items: {
                type: "number",
                minimum: 0
              },
              default: [
                1,
                3600,
                86400
              ],
              description: "Times in seconds after programming at which the conductance distribution is sampled."
            },
            samples: {
              type: "integer",
              minimum: 100,
              default: 20000,
              description: "Devices sampled per level and time."
            }
          }
        }
      },
      description: "What is measured for every trained adapter: the noise protocol, the hardware protocol and device characterisation rows."
    },
    periphery: {
      type: "object",
      description: "The crossbar periphery around the tiles (DAC, ADC, read noise, IR drop, compensation, energy, area). Defaults are ideal: no quantisation, no periphery noise, no IR drop; device read noise on; global drift compensation. Output quantities (adc.bound, adc.noise) are in units of one full-scale input × g_max. Unknown keys are errors naming the closest known key; values are checked by the crossbar before any work; `sweeps` vary these settings by dotted path.",
      properties: {
        tile: {
          type: "object",
          properties: {
            rows: {
              type: "integer",
              description: "Rows (inputs) per tile, a positive integer (default 512)."
            },
            cols: {
              type: "integer",
              description: "Columns (outputs) per tile, a positive integer (default 512)."
            }
          },
          description: "Tile size in devices (per polarity); weights larger than a tile are split across tiles."
        },
        mapping: {
          enum: [
            "differential",
            "offset"
          ],
          description: "Override the device profile's weight mapping: differential (a device pair per weight) or offset (one device around mid conductance, reference subtracted digitally)."
        },
        scale: {
          enum: [
            "tile",
            "column"
          ],
          description: "Weight-to-conductance scaling: max |W| → g_max per tile (default) or per column."
        },
        dac: {
          type: [
            "object",
            "null"
          ],
          properties: {
            bits: {
              type: [
                "integer",
                "null"
              ],
              description: "DAC resolution in bits, an integer from 2 to 24; null: no quantisation (default)."
            },
            range: {
              type: [
                "string",
                "number"
              ],
              description: "Input range mapped to full scale: 'abs-max' (default: the largest |x| of each input vector and tile) or a fixed positive number in input units."
            },
            serial: {
              type: [
                "integer",
                "null"
              ],
              description: "Bit-serial inputs: the input codes' magnitude bits applied this many at a time, each cycle through the ADC, then shifted and added (costed in energy and latency); null: all bits at once (default)."
            }
          },
          description: "Input DAC; null for none."
        },
        slicing: {
          type: [
            "object",
            "null"
          ],
          properties: {
            slices: {
              type: "integer",
              description: "Device pairs per weight, N ≥ 1 (default 1: no slicing); slice k carries significance base^k, combined by shift-and-add."
            },
            base: {
              type: "number",
              description: "Significance base F ≥ 2 between slices (F = 2^b for b-bit slices)."
            }
          },
          description: "Weight slicing across columns (docs/periphery.md); null for none."
        },
        adc: {
          type: [
            "object",
            "null"
          ],
          properties: {
            bits: {
              type: [
                "integer",
                "null"
              ],
              description: "ADC resolution in bits, an integer from 2 to 24; null: no quantisation (default)."
            },
            bound: {
              type: [
                "number",
                "null"
              ],
              description: "Output range ± bound in units of one full-scale input × g_max; outputs beyond it clip. null: unbounded (default 12 when bits is set)."
            },
            noise: {
              type: "number",
              description: "Standard deviation of Gaussian output noise added before the ADC, in units of one full-scale input × g_max (default 0)."
            },
            boundManagement: {
              enum: [
                "none",
                "iterative"
              ],
              description: "none (default), or iterative: an output that clips is recomputed with the input scaled down by 2 until it fits (aihwkit's BoundManagementType.ITERATIVE)."
            }
          },
          description: "Output ADC; null for none."
        },
        calibration: {
          type: [
            "object",
            "null"
          ],
          properties: {
            dacPercentile: {
              type: [
                "number",
                "null"
              ],
              description: "Percentile of |x| over the calibration inputs that sets each DAC input range, in (0, 100] (default 99.99); null keeps dac.range."
            },
            adcPercentile: {
              type: [
                "number",
                "null"
              ],
              description: "Percentile of the noise-free tile outputs |y| that sets each ADC bound, in (0, 100] (default 99.99); null keeps adc.bound."
            },
            per: {
              enum: [
                "tile",
                "layer"
              ],
              description: "One range per row tile (default) or one per layer (Site)."
            },
            dac: {
              enum: [
                "percentile",
                "learned"
              ],
              description: "Where the DAC ranges come from: percentile (default, dacPercentile of the calibration inputs) or learned: each chip Site's input range learned in hardware-aware training (training.hwa.inputRange, saved as input_ranges.json beside the adapter; docs/hwa.md), on every row tile. With learned, leave dacPercentile out; the ADC bounds are still calibrated by adcPercentile."
            }
          },
          description: "Calibrated ranges (CrossSim's percentile calibration; docs/periphery.md): before reading at t, each hardware evaluation profiles the inputs of every chip Site on evaluation.hardware.calibrationExamples examples of the training split (the digital model with the adapter merged) and sets each row tile's DAC range and ADC bound from them. null (default): the fixed dac.range and adc.bound."
        },
        readNoise: {
          type: [
            "boolean",
            "object"
          ],
          properties: {
            enabled: {
              type: "boolean",
              description: "Read noise on (default true)."
            },
            mode: {
              enum: [
                "rank1",
                "exact"
              ],
              description: "How the read-noise variance is computed: rank1 (default, best rank-1 approximation per row tile, within 5 % for dense inputs) or exact (a second matmul)."
            }
          },
          description: "Per-MVM device read noise: true (default) or false, or {enabled, mode}."
        },
        irDrop: {
          type: [
            "object",
            "null"
          ],
          properties: {
            model: {
              enum: [
                "physical",
                "exact",
                "aihwkit"
              ],
              description: "physical (default): each physical column's current with the mapping's common mode, checked against a nodal solve; exact: the nodal solve itself (small tiles); aihwkit: aihwkit's ir_drop formula on the conductance difference."
            },
            scale: {
              type: "number",
              description: "Multiplier of the wire resistance, ≥ 0 (0 = off; default 1)."
            },
            gRatio: {
              type: "number",
              description: "G_wire / g_max, dimensionless; default 1/(wireResistance·g_max of the profile)."
            },
            wireResistance: {
              type: [
                "number",
                "string"
              ],
              description: "Resistance per column-wire segment: ohms as a number, or a string with units (\"0.35 ohm\"); default 0.35 Ω."
            },
            rowWireResistance: {
              type: [
                "number",
                "string"
              ],
              description: "Resistance per row-wire segment for the exact model, ohms or a string with units; default 0 (ideal rows)."
            }
          },
          description: "IR drop on the column wires; null (default) for none."
        },
        compensation: {
          type: [
            "string",
            "boolean"
          ],
          enum: [
            "none",
            "global",
            "global-exact",
            "column",
            "column-exact",
            true,
            false
          ],
          description: "Drift compensation when reading: none, global (default), global-exact, column or column-exact; true means global, false none."
        },
        execution: {
          enum: [
            "auto",
            "tensor-ops",
            "fused-js"
          ],
          description: "How the per-tile periphery runs around the TF.js matmuls: auto (default: fused loops or WebAssembly kernels on cpu/wasm, TF.js ops elsewhere), tensor-ops or fused-js. Same numbers up to rounding."
        },
        energy: {
          type: "object",
          properties: {
            adcFom: {
              type: "number",
              description: "ADC Walden figure of merit in joules per conversion step: E = adcFom·2^bits per conversion (default 20e-15)."
            },
            adcTime: {
              type: "number",
              description: "Time of one ADC conversion in seconds (default 1e-9)."
            },
            columnsPerAdc: {
              type: "number",
              description: "Columns sharing one ADC (column multiplexing; default 8)."
            },
            dacUnit: {
              type: "number",
              description: "DAC/PWM driver energy per level in joules: E = dacUnit·2^bits per input conversion (default 1e-15)."
            },
            dacTime: {
              type: "number",
              description: "DAC settling time in seconds, added to the read integration time (default 1e-9)."
            },
            rowDriver: {
              type: "number",
              description: "Row (word-line) driver energy per active row per MVM in joules (default 50e-15)."
            },
            digitalAdd: {
              type: "number",
              description: "Energy of one digital add in joules, for partial sums across row tiles and the bias (default 0.9e-12)."
            },
            digitalMul: {
              type: "number",
              description: "Energy of one digital multiply in joules, for output scaling (default 3.7e-12)."
            },
            digitalTime: {
              type: "number",
              description: "Time of one digital accumulation stage in seconds (default 1e-9)."
            }
          },
          description: "Periphery energy and timing parameters of the energy/latency estimate, in SI units (J, s). Defaults are placeholder estimates."
        },
        area: {
          type: "object",
          properties: {
            featureSize: {
              type: "number",
              description: "Feature size F in metres; every block area below is in F² (default 32e-9, NeuroSim V2.1's 32 nm node)."
            },
            cellArea: {
              type: "number",
              description: "Area of one device in F² (default 16, NeuroSim's 1T1R cell of 4 × 4 F)."
            },
            rowDriverArea: {
              type: "number",
              description: "Word-line driver with input DAC/PWM per row, in F² (default 2979.2, a placeholder)."
            },
            adcAreaBase: {
              type: "number",
              description: "SAR ADC area at 1 bit in F²: A(b) = adcAreaBase + adcAreaPerBit·(b − 1) (default 101718.4, from NeuroSim's SarADC)."
            },
            adcAreaPerBit: {
              type: "number",
              description: "SAR ADC area per extra bit in F² (default 38729.6, from NeuroSim's SarADC)."
            },
            shiftAddAreaPerBit: {
              type: "number",
              description: "Shift-and-add (adder + register) per accumulator bit in F², costed with bit-serial inputs (default 5426.4, from NeuroSim's Adder and DFF)."
            },
            bufferBitArea: {
              type: "number",
              description: "One SRAM bit of the tile's input/output buffers in F² (default 160, NeuroSim's SRAM cell)."
            }
          },
          description: "Area parameters of the area estimate (NeuroSim-style, per physical tile): the feature size in metres and block areas in F². Sources of the defaults: `grasp-hil device energy` lists them."
        }
      }
    },
    sweeps: {
      type: "object",
      description: "Co-design sweeps: each key is a periphery setting as a dotted path (adc.bits, tile.rows, …), each value its list; the grid is their product, evaluated at the first hardware time with compensation. Unknown keys are errors.",
      additionalProperties: {
        type: "array",
        minItems: 1,
        items: {
          type: [
            "number",
            "string",
            "boolean",
            "null",
            "object"
          ]
        },
        description: "Values of this periphery setting, each checked like a `periphery` value; null or an object for settings that take one (e.g. calibration: [null, { \"adcPercentile\": 99.99 }])."
      }
    },
    seeds: {
      type: "object",
      required: [
        "train"
      ],
      additionalProperties: false,
      properties: {
        grouping: {
          type: "integer",
          default: 0,
          description: "Seed of GRASP's random grouping of weights (for methods with a `seed` option)."
        },
        train: {
          type: "array",
          minItems: 1,
          items: {
            type: "integer"
          },
          description: "Training seeds (initialisation and data order); one adapter per seed and method entry."
        },
        chip: {
          type: "array",
          items: {
            type: "integer"
          },
          default: [
            0
          ],
          description: "Chip seeds: device-to-device variation, faults and programming noise of each programmed chip; one chip per seed."
        },
        read: {
          type: "integer",
          default: 0,
          description: "Seed of the per-read noise stream (read noise at each MVM, ADC noise)."
        },
        noise: {
          type: "array",
          items: {
            type: "integer"
          },
          default: [
            0
          ],
          description: "Seeds of the noise protocol's weight perturbation; one row per seed and σ."
        }
      },
      description: "Random seeds: every random draw comes from one of these streams, so the same seeds give the same numbers."
    }
  },
  "$defs": {
    training: {
      type: "object",
      additionalProperties: false,
      properties: {
        epochs: {
          type: "number",
          exclusiveMinimum: 0,
          description: "Passes over the training examples, may be fractional (default 3); ignored when maxSteps is set."
        },
        maxSteps: {
          type: "integer",
          minimum: 1,
          description: "Total optimiser steps (overrides epochs)."
        },
        batchSize: {
          type: "integer",
          minimum: 1,
          description: "Examples per optimiser step (default 16)."
        },
        lr: {
          type: "number",
          exclusiveMinimum: 0,
          description: "Peak learning rate of the adapter's variables (default 1e-3)."
        },
        headLr: {
          type: "number",
          exclusiveMinimum: 0,
          description: "Peak learning rate of the task head (default: lr)."
        },
        weightDecay: {
          type: "number",
          minimum: 0,
          description: "AdamW decoupled weight decay (default 0.01)."
        },
        warmupRatio: {
          type: "number",
          minimum: 0,
          maximum: 1,
          description: "Fraction of the steps with a linear learning-rate warm-up, in [0, 1] (default 0.06)."
        },
        clipNorm: {
          type: "number",
          exclusiveMinimum: 0,
          description: "Global gradient-norm limit (default 1)."
        },
        evalEvery: {
          type: "string",
          enum: [
            "epoch",
            "end"
          ],
          description: "Validate after every epoch (default) or only at the end."
        },
        hwa: {
          type: "object",
          additionalProperties: false,
          description: "Hardware-aware training (aihwkit style, docs/hwa.md): during training only, each step adds fresh Gaussian noise to the effective weights of the analog Sites (base weight plus the adapter's contribution) and may clip what the adapter trains. Names follow aihwkit's WeightModifierParameter and WeightClipParameter.",
          properties: {
            sites: { type: "string", minLength: 1, description: "The analog Sites (what a chip would hold), as a Site selector. Default all-linear." },
            type: { type: "string", enum: ["additive-constant", "none"], description: "Weight noise: additive-constant (aihwkit WeightNoiseType.ADDITIVE_CONSTANT, ξ ~ N(0, σ) per weight, drawn each step) or none (clipping only). Default additive-constant." },
            stdDev: { type: "number", minimum: 0, description: "σ relative to each Site's max |W| (or to assumedWmax), dimensionless. Default 0.0175, StandardHWATrainingPreset's w_noise." },
            relToActualWmax: { type: "boolean", description: "Scale σ by each Site's max |W| (default true), else by assumedWmax." },
            assumedWmax: { type: "number", exclusiveMinimum: 0, description: "The weight-unit scale of stdDev when relToActualWmax is false. Default 1." },
            clip: {
              type: "object",
              additionalProperties: false,
              description: "Clipping of the adapter's weight-like variables (those with weight decay) after each update; scales, biases and σ are never clipped.",
              properties: {
                type: { type: "string", enum: ["none", "fixed-value", "layer-gaussian"], description: "none (default); fixed-value: clip to ±fixedValue; layer-gaussian: clip to ±sigma·std of each variable." },
                fixedValue: { type: "number", exclusiveMinimum: 0, description: "Bound of fixed-value clipping, in weight units. Default 1 (StandardHWATrainingPreset)." },
                sigma: { type: "number", exclusiveMinimum: 0, description: "Multiple of the standard deviation for layer-gaussian clipping. Default 2.5 (aihwkit)." }
              }
            },
            inputRange: {
              type: "object",
              additionalProperties: false,
              description: "Learned DAC input ranges (aihwkit's InputRangeParameter, names in camelCase; docs/hwa.md): during training, each analog Site's input is clipped to a trainable range r (initialised from data, pushed up by clipped inputs whose gradient asks for more, decayed while few inputs clip); the ranges are saved beside the adapter (input_ranges.json) for periphery.calibration.dac 'learned'.",
              properties: {
                learn: { type: "boolean", description: "Learn the ranges (default true); false keeps the data initialisation." },
                initValue: { type: "number", exclusiveMinimum: 0, description: "Range before any data, input units (default 3, aihwkit's init_value)." },
                initFromData: { type: "integer", minimum: 0, description: "Training batches whose running mean of initStdAlpha·std(x) initialises r (default 100; 0: off)." },
                initStdAlpha: { type: "number", exclusiveMinimum: 0, description: "Multiple of std(x) for the data initialisation (default 3)." },
                decay: { type: "number", minimum: 0, description: "Shrink rate: decay·r is added to r's gradient while more than inputMinPercentage of the inputs are inside the range (default 0.001)." },
                inputMinPercentage: { type: "number", minimum: 0, maximum: 1, description: "Fraction of unclipped inputs above which the decay acts (default 0.95)." },
                gradientScale: { type: "number", minimum: 0, description: "Multiplier of the clipping gradient (default 1)." },
                gradientRelative: { type: "boolean", description: "Make the clipping gradient relative to r (default true)." },
                learningRate: { type: ["number", "null"], minimum: 0, description: "SGD learning rate of the ranges (default null: the trainer's scheduled learning rate)." },
                bits: { type: ["integer", "null"], minimum: 2, maximum: 24, description: "Also round the clipped input to a DAC of this many bits during training (default null: clip only)." }
              }
            }
          }
        }
      },
      description: "Trainer settings (AdamW with linear warm-up and decay)."
    }
  }
} as const;

type ExperimentFile = FromSchema<typeof EXPERIMENT_SCHEMA, { keepDefaultedPropertiesOptional: true }>;
/**
 * An experiment file's content, as validated (the schema above, defaults optional). `methods` and
 * `training` may be left out of a file (an experiment of supplied adapters only); ajv fills them,
 * so code always finds them.
 */
export type Experiment = ExperimentFile & Required<Pick<ExperimentFile, 'methods' | 'training'>>;
/** One entry of `adapters`: an adapter folder evaluated without training. */
export type AdapterEntry = NonNullable<Experiment['adapters']>[number];
/** One entry of `methods`. */
export type MethodEntry = Experiment['methods'][number];
/** The trainer's settings an experiment may set ($defs/training). */
export type TrainingSettings = Experiment['training'];
/** σ_target: weight units; from each profile at t; or a fraction of each adapted Site's weight std. */
export type SigmaTargetSpec = NonNullable<MethodEntry['sigmaTarget']>;
