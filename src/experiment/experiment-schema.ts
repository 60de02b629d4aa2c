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
    "methods",
    "training",
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
      description: "Model directory (config.json, model.safetensors, tokenizer files) or 'tiny-roberta' for the shipped model."
    },
    task: {
      type: "object",
      required: [
        "id"
      ],
      additionalProperties: false,
      properties: {
        id: {
          type: "string",
          description: "Task id from the task registry: brown-genre, spam, sst2, cola, mrpc, stsb, qqp, mnli, qnli, rte."
        },
        dataDir: {
          type: "string",
          description: "For GLUE tasks: the folder with the task's TSV files."
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
      minItems: 1,
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
            description: "StochGRASP's σ_target, the weight-noise level the learned σ is trained toward. Three forms: a number ≥ 0 in weight units (e.g. 0.02); {\"fromProfile\": true, \"t\": 86400, \"compensation\": true} — from each device profile, the random part of the chip's error at t seconds after programming (one adapter per profile); or {\"relative\": 0.05} — a fraction of each adapted Site's weight standard deviation. Only for methods that take a σ_target (stochgrasp).",
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
                    type: "boolean",
                    description: "Global drift compensation when reading (default true)."
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
      description: "The fine-tuning methods to compare; each entry trains one adapter per training seed."
    },
    training: {
      "$ref": "#/$defs/training",
      description: "Training settings shared by every method entry (an entry's own `training` overrides them)."
    },
    compareTo: {
      type: "string",
      description: "Id of the method entry (its `id`, or its method name when it has no id) every other entry is compared with: the report shows paired differences over the shared seeds and a verdict per condition, e.g. \"grasp-weight\" as the deterministic baseline. Omit it for no comparison."
    },
    profiles: {
      type: "array",
      items: {
        type: "string"
      },
      default: [],
      description: "Device profile ids (device-models/<id>.json) or paths to profile files (ending in .json or containing a slash), relative to this experiment file. Each hardware evaluation and device row is made once per profile."
    },
    evaluation: {
      type: "object",
      additionalProperties: false,
      properties: {
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
              items: {
                type: "boolean"
              },
              default: [
                true,
                false
              ],
              description: "Global drift compensation settings to evaluate at each time (true: the read-out is rescaled by a reference column's drift; false: raw)."
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
      description: "The crossbar periphery around the tiles (DAC, ADC, read noise, IR drop, compensation, energy). Defaults are ideal: no quantisation, no periphery noise, no IR drop; device read noise on; global drift compensation. Output quantities (adc.bound, adc.noise) are in units of one full-scale input × g_max. Unknown keys are errors naming the closest known key; values are checked by the crossbar before any work; `sweeps` vary these settings by dotted path.",
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
            }
          }
        }
      },
      description: "Trainer settings (AdamW with linear warm-up and decay)."
    }
  }
} as const;

/** An experiment file's content, as validated (the schema above, defaults optional). */
export type Experiment = FromSchema<typeof EXPERIMENT_SCHEMA, { keepDefaultedPropertiesOptional: true }>;
/** One entry of `methods`. */
export type MethodEntry = Experiment['methods'][number];
/** The trainer's settings an experiment may set ($defs/training). */
export type TrainingSettings = Experiment['training'];
/** σ_target: weight units; from each profile at t; or a fraction of each adapted Site's weight std. */
export type SigmaTargetSpec = NonNullable<MethodEntry['sigmaTarget']>;
