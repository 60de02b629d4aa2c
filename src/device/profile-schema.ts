/**
 * The device-profile schema — the one source of both the JSON Schema that ajv validates and editors read
 * (device-models/schema/device-profile.schema.json, written from this object by
 * `node --import tsx scripts/write-schemas.ts`; test/device/profile-schema.test.ts fails when the file
 * and this object differ) and the TypeScript type of a profile file, `DeviceProfileJson` (schema.ts,
 * json-schema-to-ts's FromSchema).
 */
export const PROFILE_SCHEMA = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://grasp-hil.dev/schema/device-profile.schema.json",
  title: "grasp-hil device profile",
  description: "A memory device for analog in-memory computing: conductance range, programming, variation, faults, drift, read noise and energy. Quantities are strings with units (\"25 uS\", \"20 s\", \"250 ns\", \"1 pJ\"); state-dependent laws are restricted mathjs expressions of g (target conductance as a fraction of g_max, in [0, 1]) and, where allowed, t (seconds after programming), or tables. Every fitted value names its source and says whether it was verified against that source.",
  type: "object",
  required: [
    "id",
    "name",
    "family",
    "conductance",
    "programming",
    "sources"
  ],
  additionalProperties: false,
  properties: {
    "$schema": {
      type: "string",
      description: "Path or URL of this schema, for editors. Ignored by grasp-hil."
    },
    id: {
      type: "string",
      pattern: "^[a-z0-9][a-z0-9-]*$",
      description: "Profile id, used with --profile <id>; equals the file name without .json."
    },
    name: {
      type: "string",
      minLength: 1,
      description: "Human-readable name shown in reports and charts."
    },
    family: {
      type: "string",
      description: "Device family (a registered template with physics hooks): pcm, rram, fefet, ecram, ideal."
    },
    description: {
      type: "string",
      description: "Free text: what device this is and what it is fitted to."
    },
    conductance: {
      type: "object",
      required: [
        "gMin",
        "gMax"
      ],
      additionalProperties: false,
      properties: {
        gMin: {
          "$ref": "#/$defs/quantity",
          description: "Lowest conductance a weight maps to (S units, e.g. \"0 uS\")."
        },
        gMax: {
          "$ref": "#/$defs/quantity",
          description: "Conductance the largest |weight| maps to (e.g. \"25 uS\")."
        },
        levels: {
          oneOf: [
            {
              type: "integer",
              minimum: 2,
              maximum: 1048576
            },
            {
              type: "null"
            }
          ],
          description: "Number of programmable levels between gMin and gMax; null for continuous."
        },
        clamp: {
          enum: [
            "non-negative",
            "range",
            "none"
          ],
          description: "Where programmed and drifted conductances are clipped: at 0, to [gMin, gMax], or not at all. Default non-negative."
        }
      },
      description: "Conductance range and levels of one device."
    },
    mapping: {
      enum: [
        "differential",
        "offset"
      ],
      description: "differential: a pair per weight, one device at gMin; offset: one device per weight around the mid conductance, reference subtracted digitally."
    },
    programming: {
      "$ref": "#/$defs/programming",
      description: "How a target conductance is written, and the error it leaves."
    },
    variation: {
      type: "object",
      required: [
        "sigma"
      ],
      additionalProperties: false,
      description: "Device-to-device variation: a static multiplicative deviation per device, G ← G·(1 + σ_d2d(g)·z), z drawn from the chip seed.",
      properties: {
        sigma: {
          "$ref": "#/$defs/law",
          description: "σ_d2d(g): relative (dimensionless) standard deviation of the static device-to-device deviation."
        }
      }
    },
    faults: {
      type: "object",
      additionalProperties: false,
      description: "Fractions of devices stuck at gMin (low) or gMax (high), drawn from the chip seed.",
      properties: {
        stuckLow: {
          "$ref": "#/$defs/quantity",
          description: "Fraction of devices stuck at gMin (a number in [0, 1] or a percentage, \"0.5 %\")."
        },
        stuckHigh: {
          "$ref": "#/$defs/quantity",
          description: "Fraction of devices stuck at gMax (a number in [0, 1] or a percentage)."
        }
      }
    },
    drift: {
      "$ref": "#/$defs/drift",
      description: "How the conductance changes with time after programming."
    },
    readNoise: {
      type: "object",
      additionalProperties: false,
      properties: {
        accumulated: {
          "$ref": "#/$defs/accumulatedNoise",
          description: "Noise accumulated since programming (e.g. PCM 1/f noise), drawn once per evaluation time."
        },
        perMvm: {
          type: "object",
          required: [
            "sigma"
          ],
          additionalProperties: false,
          description: "Noise of each read (each MVM), per device, independent between reads.",
          properties: {
            sigma: {
              "$ref": "#/$defs/law",
              description: "σ(g) of each read, in conductance units (a law with a unit such as \"uS\")."
            }
          }
        }
      },
      description: "Read noise: accumulated (grows with time since programming, the same for every read at a time) and per-MVM (independent for each read)."
    },
    energy: {
      type: "object",
      additionalProperties: false,
      description: "Device-side parameters of the energy/latency estimate.",
      properties: {
        readVoltage: {
          "$ref": "#/$defs/quantity",
          description: "Read voltage across a device (e.g. \"0.2 V\")."
        },
        readTime: {
          "$ref": "#/$defs/quantity",
          description: "Integration time of one full-scale input (PWM) read."
        },
        programPulseEnergy: {
          "$ref": "#/$defs/quantity",
          description: "Energy of one programming pulse (e.g. \"10 pJ\")."
        },
        programPulseTime: {
          "$ref": "#/$defs/quantity",
          description: "Duration of one programming pulse (e.g. \"100 ns\")."
        }
      }
    },
    cell: {
      type: "object",
      additionalProperties: false,
      description: "The memory cell's layout, for the area estimate.",
      properties: {
        area: {
          description: "Area of one device's cell (one polarity, with its access transistor if any) in F², the squared feature size of the periphery (periphery.area.featureSize): the array area is rows × columns × devices per weight × area × F². A cell published in µm² at node F converts as A / F². Replaces periphery.area.cellArea's default; a cellArea set in the periphery options wins. A number, or {value, source, verified, note}.",
          oneOf: [
            {
              type: "number",
              exclusiveMinimum: 0,
              description: "Cell area in F²."
            },
            {
              type: "object",
              required: [
                "value",
                "source",
                "verified"
              ],
              additionalProperties: false,
              properties: {
                value: {
                  type: "number",
                  exclusiveMinimum: 0,
                  description: "Cell area in F²."
                },
                source: {
                  type: "string",
                  description: "id of an entry in sources."
                },
                verified: {
                  type: "boolean",
                  description: "true when the value was checked against the source."
                },
                note: {
                  type: "string",
                  description: "How the value was obtained."
                }
              },
              description: "A cell area in F² with its provenance."
            }
          ]
        }
      }
    },
    scales: {
      type: "object",
      additionalProperties: false,
      description: "Ablation knobs; each defaults to 1.",
      properties: {
        programming: {
          type: "number",
          minimum: 0,
          description: "Multiplier of the programming error (0 = exact programming)."
        },
        variation: {
          type: "number",
          minimum: 0,
          description: "Multiplier of the device-to-device variation."
        },
        drift: {
          type: "number",
          minimum: 0,
          description: "Multiplier of the drift (ν or shift/spread growth)."
        },
        readNoise: {
          type: "number",
          minimum: 0,
          description: "Multiplier of both read noises."
        }
      }
    },
    sources: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: [
          "id",
          "title"
        ],
        additionalProperties: false,
        properties: {
          id: {
            type: "string",
            minLength: 1,
            description: "Short id used by `source` fields (e.g. \"nandakumar2019\")."
          },
          title: {
            type: "string",
            minLength: 1,
            description: "Title (and authors, venue, year) of the source."
          },
          url: {
            type: "string",
            description: "Where to find it."
          },
          note: {
            type: "string",
            description: "What was taken from it."
          }
        },
        description: "One source."
      },
      description: "The papers, data sets or code every fitted value comes from."
    },
    notes: {
      type: "array",
      items: {
        type: "string",
        description: "One note."
      },
      description: "Free-text notes shown by `grasp-hil profiles show`."
    },
    provenance: {
      type: "object",
      description: "Sources of fields that cannot carry their own (plain numbers and strings such as conductance/levels, programming/range, programming/maxIterations): JSON pointer → {source, verified, note}.",
      propertyNames: {
        pattern: "^/"
      },
      additionalProperties: {
        type: "object",
        required: [
          "source",
          "verified"
        ],
        additionalProperties: false,
        properties: {
          source: {
            type: "string",
            description: "id of an entry in sources."
          },
          verified: {
            type: "boolean",
            description: "true when the value was checked against the source; false for placeholders and estimates."
          },
          note: {
            type: "string",
            description: "How the value was obtained."
          }
        },
        description: "Provenance of the field the key points to."
      }
    }
  },
  "$defs": {
    provenance: {
      type: "object",
      properties: {
        source: {
          type: "string",
          description: "id of an entry in sources."
        },
        verified: {
          type: "boolean",
          description: "true when the value was checked against the source; false for placeholders and estimates."
        },
        note: {
          type: "string",
          description: "How the value was obtained."
        }
      },
      description: "Where a value comes from."
    },
    quantity: {
      description: "A string with units (\"25 uS\"), a dimensionless number or percentage, or a fitted value with its provenance.",
      oneOf: [
        {
          type: "string",
          description: "A number with a unit, e.g. \"25 uS\", \"20 s\", \"2 %\"."
        },
        {
          type: "number",
          description: "A dimensionless number, or SI units where the field states them."
        },
        {
          type: "object",
          required: [
            "value",
            "source",
            "verified"
          ],
          additionalProperties: false,
          properties: {
            value: {
              type: [
                "string",
                "number"
              ],
              description: "The value: a string with a unit or a number."
            },
            source: {
              type: "string",
              description: "id of an entry in sources."
            },
            verified: {
              type: "boolean",
              description: "true when the value was checked against the source."
            },
            note: {
              type: "string",
              description: "How the value was obtained."
            }
          },
          description: "A value with its provenance."
        }
      ]
    },
    law: {
      description: "A state-dependent law. Adding a law type adds one registry entry in src/device/laws.ts and one branch here.",
      type: "object",
      required: [
        "type",
        "source",
        "verified"
      ],
      discriminator: {
        propertyName: "type"
      },
      oneOf: [
        {
          properties: {
            type: {
              const: "expression",
              description: "Law type: expression."
            },
            expr: {
              type: "string",
              minLength: 1,
              maxLength: 2000,
              description: "The expression, e.g. \"0.03 + 0.01*g\"."
            },
            unit: {
              type: "string",
              description: "Unit of the law's values (e.g. \"uS\"); omitted: dimensionless."
            },
            source: {
              type: "string",
              description: "id of an entry in sources."
            },
            verified: {
              type: "boolean",
              description: "true when the law was checked against the source."
            },
            note: {
              type: "string",
              description: "How the law was obtained."
            }
          },
          required: [
            "expr"
          ],
          additionalProperties: false,
          description: "A restricted mathjs expression of g (and t where the field allows it)."
        },
        {
          properties: {
            type: {
              const: "table",
              description: "Law type: table."
            },
            g: {
              type: "array",
              items: {
                type: "number"
              },
              minItems: 1,
              maxItems: 4097,
              description: "Target conductances as fractions of g_max, increasing, in [0, 1]."
            },
            value: {
              type: "array",
              items: {
                type: "number"
              },
              minItems: 1,
              maxItems: 4097,
              description: "The law's value at each g."
            },
            unit: {
              type: "string",
              description: "Unit of the law's values (e.g. \"uS\"); omitted: dimensionless."
            },
            source: {
              type: "string",
              description: "id of an entry in sources."
            },
            verified: {
              type: "boolean",
              description: "true when the law was checked against the source."
            },
            note: {
              type: "string",
              description: "How the law was obtained."
            }
          },
          required: [
            "g",
            "value"
          ],
          additionalProperties: false,
          description: "Values at conductances g, linearly interpolated."
        },
        {
          properties: {
            type: {
              const: "constant",
              description: "Law type: constant."
            },
            value: {
              type: [
                "number",
                "string"
              ],
              description: "The value (a number, or a string with a unit)."
            },
            unit: {
              type: "string",
              description: "Unit of the law's values (e.g. \"uS\"); omitted: dimensionless."
            },
            source: {
              type: "string",
              description: "id of an entry in sources."
            },
            verified: {
              type: "boolean",
              description: "true when the law was checked against the source."
            },
            note: {
              type: "string",
              description: "How the law was obtained."
            }
          },
          required: [
            "value"
          ],
          additionalProperties: false,
          description: "The same value for every g."
        },
        {
          properties: {
            type: {
              const: "time-table",
              description: "Law type: time-table."
            },
            t: {
              type: "array",
              items: {
                type: "string"
              },
              minItems: 1,
              maxItems: 64,
              description: "Times after programming with units, increasing (e.g. \"1 s\", \"1 h\")."
            },
            laws: {
              type: "array",
              items: {
                "$ref": "#/$defs/law"
              },
              minItems: 1,
              maxItems: 64,
              description: "The law at each time."
            },
            unit: {
              type: "string",
              description: "Unit of the law's values (e.g. \"uS\"); omitted: dimensionless."
            },
            source: {
              type: "string",
              description: "id of an entry in sources."
            },
            verified: {
              type: "boolean",
              description: "true when the law was checked against the source."
            },
            note: {
              type: "string",
              description: "How the law was obtained."
            }
          },
          required: [
            "t",
            "laws"
          ],
          additionalProperties: false,
          description: "Different laws at different times after programming; the law of the nearest time at or below t applies."
        }
      ]
    },
    programming: {
      type: "object",
      required: [
        "method"
      ],
      discriminator: {
        propertyName: "method"
      },
      oneOf: [
        {
          description: "One programming step: G = G_T + σ_prog(g)·z.",
          properties: {
            method: {
              const: "one-shot",
              description: "Programming method: one-shot."
            },
            sigma: {
              "$ref": "#/$defs/law",
              description: "σ_prog(g): standard deviation of the programming error, in conductance units of the law's unit."
            },
            pulses: {
              "$ref": "#/$defs/quantity",
              description: "Pulses per device counted for the energy estimate (default 1)."
            }
          },
          required: [
            "sigma"
          ],
          additionalProperties: false
        },
        {
          description: "Program-and-verify characterised by the spread it leaves for each acceptance range (aihwkit ReRamCMONoiseModel).",
          properties: {
            method: {
              const: "acceptance-range",
              description: "Programming method: acceptance-range."
            },
            range: {
              type: "string",
              description: "Selected acceptance range, a key of sigma, e.g. \"2 %\"."
            },
            sigma: {
              type: "object",
              minProperties: 1,
              additionalProperties: {
                "$ref": "#/$defs/law"
              },
              description: "Spread left by each acceptance range: range (e.g. \"2 %\") → law σ(g)."
            },
            pulses: {
              "$ref": "#/$defs/quantity",
              description: "Pulses per device counted for the energy estimate."
            }
          },
          required: [
            "range",
            "sigma"
          ],
          additionalProperties: false
        },
        {
          description: "Iterative write-verify: each pulse moves the device toward the target by gain·(G_T − G) plus cycle-to-cycle noise σ_c2c(g)·z; stops within tolerance or after maxIterations pulses.",
          properties: {
            method: {
              const: "write-verify",
              description: "Programming method: write-verify."
            },
            c2c: {
              "$ref": "#/$defs/law",
              description: "σ_c2c(g): cycle-to-cycle noise of each pulse, in conductance units of the law's unit."
            },
            tolerance: {
              type: "object",
              required: [
                "value",
                "of"
              ],
              additionalProperties: false,
              properties: {
                value: {
                  "$ref": "#/$defs/quantity",
                  description: "The tolerance: a fraction (\"2 %\") or a conductance (\"0.5 uS\"), per `of`."
                },
                of: {
                  enum: [
                    "target",
                    "gMax",
                    "absolute"
                  ],
                  description: "target/gMax: value is a fraction (\"2 %\"); absolute: a conductance (\"0.5 uS\")."
                }
              },
              description: "When a device counts as programmed."
            },
            maxIterations: {
              type: "integer",
              minimum: 1,
              maximum: 10000,
              description: "Most pulses per device before it is left as is."
            },
            gain: {
              type: "number",
              exclusiveMinimum: 0,
              maximum: 1,
              description: "Fraction of the remaining error each pulse corrects, in (0, 1] (default 1)."
            }
          },
          required: [
            "c2c",
            "tolerance",
            "maxIterations"
          ],
          additionalProperties: false
        },
        {
          description: "Pulse-by-pulse programming with aihwkit's pulsed-device model (LinearStepDevice; gamma = 1 is SoftBoundsDevice): finite steps that shrink toward the bounds, cycle-to-cycle noise per pulse, device-to-device variation of the step and the bounds; with verify, pulses until |G − G_T| ≤ tolerance or maxPulses.",
          properties: {
            method: {
              const: "pulsed",
              description: "Programming method: pulsed."
            },
            device: {
              type: "object",
              description: "aihwkit's PulsedDevice parameters, in its weight units w; range (default [wMin, wMax]) maps linearly onto [gMin, gMax].",
              required: [
                "dwMin",
                "wMin",
                "wMax"
              ],
              additionalProperties: false,
              properties: {
                dwMin: {
                  "$ref": "#/$defs/quantity",
                  description: "dw_min: the larger mean step per pulse at the symmetry point w = 0 (weight units)."
                },
                wMin: {
                  "$ref": "#/$defs/quantity",
                  description: "w_min: mean lower bound (weight units, < 0)."
                },
                wMax: {
                  "$ref": "#/$defs/quantity",
                  description: "w_max: mean upper bound (weight units, > 0)."
                },
                range: {
                  type: "object",
                  required: [
                    "min",
                    "max"
                  ],
                  additionalProperties: false,
                  description: "The weights mapped onto [gMin, gMax] (default [wMin, wMax]); must lie within the bounds.",
                  properties: {
                    min: {
                      "$ref": "#/$defs/quantity",
                      description: "Weight mapped to gMin (weight units)."
                    },
                    max: {
                      "$ref": "#/$defs/quantity",
                      description: "Weight mapped to gMax (weight units)."
                    }
                  }
                },
                gammaUp: {
                  "$ref": "#/$defs/quantity",
                  description: "gamma_up: slope of the up step, Δw_up = dw·(1 − gamma_up·w/b_max) (dimensionless; default 1, soft bounds)."
                },
                gammaDown: {
                  "$ref": "#/$defs/quantity",
                  description: "gamma_down: slope of the down step, Δw_down = dw·(1 − gamma_down·w/b_min) (dimensionless; default 1, soft bounds)."
                },
                gammaUpDtod: {
                  "$ref": "#/$defs/quantity",
                  description: "gamma_up_dtod: device-to-device σ of gamma_up (absolute; default 0)."
                },
                gammaDownDtod: {
                  "$ref": "#/$defs/quantity",
                  description: "gamma_down_dtod: device-to-device σ of gamma_down (absolute; default 0)."
                },
                meanBoundReference: {
                  type: "boolean",
                  description: "mean_bound_reference: slopes divide by the mean bounds instead of each device's own (default false)."
                },
                dwMinStd: {
                  "$ref": "#/$defs/quantity",
                  description: "dw_min_std: cycle-to-cycle σ of each pulse, relative to the step (default 0)."
                },
                noise: {
                  enum: [
                    "multiplicative",
                    "additive"
                  ],
                  description: "mult_noise: the cycle-to-cycle noise multiplies the state-dependent step (multiplicative, default) or adds σ·dw (additive)."
                },
                dwMinDtod: {
                  "$ref": "#/$defs/quantity",
                  description: "dw_min_dtod: device-to-device σ of the step, relative (default 0)."
                },
                upDown: {
                  "$ref": "#/$defs/quantity",
                  description: "up_down: systematic up/down step bias β (aihwkit PulsedRPUDevice::populate): β > 0 shrinks the down step to dw·(1 − β), β < 0 the up step to dw·(1 + β) (default 0)."
                },
                upDownDtod: {
                  "$ref": "#/$defs/quantity",
                  description: "up_down_dtod: device-to-device σ r added to the up step and subtracted from the down step, in units of dw (default 0)."
                },
                wMaxDtod: {
                  "$ref": "#/$defs/quantity",
                  description: "w_max_dtod: device-to-device σ of the upper bound, relative (default 0)."
                },
                wMinDtod: {
                  "$ref": "#/$defs/quantity",
                  description: "w_min_dtod: device-to-device σ of the lower bound, relative (default 0)."
                }
              }
            },
            start: {
              enum: [
                "symmetry",
                "low",
                "high"
              ],
              description: "Where writing starts: the symmetry point w = 0 (aihwkit's reset; default), range.min (erased, gMin) or range.max."
            },
            verify: {
              type: "boolean",
              description: "Read back after every pulse and stop within tolerance (default true); false fires the pulse count of a nominal device without reading."
            },
            tolerance: {
              type: "object",
              required: [
                "value",
                "of"
              ],
              additionalProperties: false,
              properties: {
                value: {
                  "$ref": "#/$defs/quantity",
                  description: "The tolerance: a fraction (\"2 %\") or a conductance (\"0.5 uS\"), per `of`."
                },
                of: {
                  enum: [
                    "target",
                    "gMax",
                    "absolute"
                  ],
                  description: "target/gMax: value is a fraction (\"2 %\"); absolute: a conductance (\"0.5 uS\")."
                }
              },
              description: "When a device counts as programmed (required with verify)."
            },
            maxPulses: {
              type: "integer",
              minimum: 1,
              maximum: 100000,
              description: "Most pulses per device before it is left as is."
            }
          },
          required: [
            "device",
            "maxPulses"
          ],
          additionalProperties: false
        }
      ]
    },
    drift: {
      type: "object",
      required: [
        "model"
      ],
      discriminator: {
        propertyName: "model"
      },
      oneOf: [
        {
          properties: {
            model: {
              const: "none",
              description: "Drift model: none."
            }
          },
          additionalProperties: false,
          description: "No drift."
        },
        {
          description: "PCM drift: G(t) = G_prog·((t + t0)/t0)^(−ν), ν drawn per device at programming from |N(νmean(g_T), νstd(g_T)²)| (folded-normal) or N(…) clipped at 0 (normal).",
          properties: {
            model: {
              const: "power-law",
              description: "Drift model: power-law."
            },
            t0: {
              "$ref": "#/$defs/quantity",
              description: "Reference time t0 (e.g. \"20 s\")."
            },
            nuMean: {
              "$ref": "#/$defs/law",
              description: "Mean drift exponent ν(g_T), dimensionless."
            },
            nuStd: {
              "$ref": "#/$defs/law",
              description: "Standard deviation of ν(g_T), dimensionless."
            },
            distribution: {
              enum: [
                "folded-normal",
                "normal"
              ],
              description: "How ν is drawn: folded-normal (default) or normal clipped at 0."
            }
          },
          required: [
            "t0",
            "nuMean",
            "nuStd"
          ],
          additionalProperties: false
        },
        {
          description: "Log-time relaxation: G(t) = G_prog + shift(g, t) + sigma(g, t)·z for t > 0, z per device from the time seed.",
          properties: {
            model: {
              const: "log-relaxation",
              description: "Drift model: log-relaxation."
            },
            shift: {
              "$ref": "#/$defs/law",
              description: "Mean shift(g, t) of the conductance, in the law's unit."
            },
            sigma: {
              "$ref": "#/$defs/law",
              description: "Spread sigma(g, t), in the law's unit."
            }
          },
          required: [
            "shift",
            "sigma"
          ],
          additionalProperties: false
        },
        {
          description: "The spread around the target grows to total(g, t) (which includes programming): G(t) = G_prog + sqrt(max(0, total² − σ_prog²))·z (aihwkit ReRamWan2022NoiseModel).",
          properties: {
            model: {
              const: "spread-growth",
              description: "Drift model: spread-growth."
            },
            total: {
              "$ref": "#/$defs/law",
              description: "Total spread total(g, t) around the target (programming included), in the law's unit."
            }
          },
          required: [
            "total"
          ],
          additionalProperties: false
        }
      ]
    },
    accumulatedNoise: {
      type: "object",
      required: [
        "model"
      ],
      discriminator: {
        propertyName: "model"
      },
      oneOf: [
        {
          properties: {
            model: {
              const: "none",
              description: "Accumulated-noise model: none."
            }
          },
          additionalProperties: false,
          description: "No accumulated noise."
        },
        {
          description: "1/f noise accumulated since programming, relative to the drifted conductance: σ = |G(t)|·Q(g_prog)·sqrt(ln((t + t0 + tRead)/(2·tRead))) (PCM, Nandakumar et al. 2019).",
          properties: {
            model: {
              const: "1/f-relative",
              description: "Accumulated-noise model: 1/f-relative."
            },
            q: {
              "$ref": "#/$defs/law",
              description: "Q(g_prog), dimensionless."
            },
            tRead: {
              "$ref": "#/$defs/quantity",
              description: "Read duration tRead (e.g. \"250 ns\")."
            }
          },
          required: [
            "q",
            "tRead"
          ],
          additionalProperties: false
        },
        {
          description: "Absolute σ(g, t) where g is the drifted conductance as a fraction of g_max.",
          properties: {
            model: {
              const: "absolute",
              description: "Accumulated-noise model: absolute."
            },
            sigma: {
              "$ref": "#/$defs/law",
              description: "σ(g, t), in the law's unit."
            }
          },
          required: [
            "sigma"
          ],
          additionalProperties: false
        }
      ]
    }
  }
} as const;
