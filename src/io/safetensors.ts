/**
 * The safetensors format (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes: header length N, u64 little-endian][N bytes: JSON header][data region]
 *   header: { "__metadata__"?: {string: string},
 *             "<name>": { "dtype": "F32", "shape": [r, c], "data_offsets": [begin, end] }, … }
 *   offsets are relative to the data region; tensors are row-major, little-endian.
 *
 * Reading: F32, F16, BF16 and F64 decode to Float32Array; I64, I32, I16, I8, U8 and BOOL decode to
 * Int32Array (I64 values must fit in 32 bits). The header is checked before any tensor is decoded,
 * and every error names the file: truncated file, absurd header length, invalid JSON, unknown
 * dtype, offsets outside the data region, overlapping tensors, byte span ≠ shape × dtype size.
 * Tensors decode lazily, one at a time, so loading never holds two float copies of a checkpoint.
 *
 * Writing: float tensors as F32 (default) or F16, integer tensors as I32 or I64; the header is
 * padded with spaces to 8-byte alignment as the reference writer does; the file is written to a
 * temporary name and renamed, so a failed write never leaves a partial file behind.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const FLOAT_DTYPES = new Set<SafetensorsDtype>(['F64', 'F32', 'F16', 'BF16']);
/** Headers larger than this are rejected as corrupt (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range within the data region. */
  begin: number;
  end: number;
}

/** A decoded tensor: floats as Float32Array, integers and booleans as Int32Array. */
export interface DecodedTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A tensor to write. Float32Array data is written as float (F32 or F16), Int32Array as I32 (or I64 if asked). */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | Int32Array;
  /** Override the stored dtype for this tensor. */
  dtype?: 'F32' | 'F16' | 'I32' | 'I64';
}

function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && s in DTYPE_BYTES;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A parsed safetensors file; tensors decode on request. */
export class SafetensorsReader {
  readonly metadata: Record<string, string>;
  private readonly infos: Map<string, TensorInfo>;
  private readonly data: Uint8Array;

  /** Parses and checks the header of `bytes`; `source` names the file in errors. */
  constructor(bytes: Uint8Array, readonly source: string) {
    if (bytes.byteLength < 8) {
      throw new Error(`${source}: truncated safetensors file: ${bytes.byteLength} bytes, too short for the 8-byte header length`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = view.getBigUint64(0, true);
    if (n > BigInt(MAX_HEADER_BYTES)) {
      throw new Error(`${source}: safetensors header length ${n} bytes is absurd (limit ${MAX_HEADER_BYTES}); the file is corrupt or not safetensors`);
    }
    const headerLen = Number(n);
    if (8 + headerLen > bytes.byteLength) {
      throw new Error(`${source}: truncated safetensors file: header claims ${headerLen} bytes but only ${bytes.byteLength - 8} follow the length field`);
    }
    let header: unknown;
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(8, 8 + headerLen));
    try {
      header = JSON.parse(text);
    } catch (e) {
      throw new Error(`${source}: safetensors header is not valid JSON (${(e as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw new Error(`${source}: safetensors header must be a JSON object`);
    }
    this.data = bytes.subarray(8 + headerLen);
    this.metadata = {};
    this.infos = new Map();
    for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
          throw new Error(`${source}: __metadata__ must map strings to strings`);
        }
        Object.assign(this.metadata, entry);
        continue;
      }
      this.infos.set(name, this.checkEntry(name, entry));
    }
    const sorted = [...this.infos.entries()].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
    for (let i = 1; i < sorted.length; i++) {
      const [pn, p] = sorted[i - 1];
      const [cn, c] = sorted[i];
      if (c.begin < p.end) {
        throw new Error(`${source}: tensors '${pn}' [${p.begin}, ${p.end}) and '${cn}' [${c.begin}, ${c.end}) overlap in the data region`);
      }
    }
  }

  private checkEntry(name: string, entry: unknown): TensorInfo {
    const src = this.source;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${src}: header entry '${name}' must be an object with dtype, shape, data_offsets`);
    const e = entry as Record<string, unknown>;
    if (!isDtype(e.dtype)) {
      throw new Error(`${src}: tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)}; supported: ${Object.keys(DTYPE_BYTES).join(', ')}`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every(isIndex)) {
      throw new Error(`${src}: tensor '${name}' has invalid shape ${JSON.stringify(e.shape)}; expected an array of non-negative integers`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !isIndex(off[0]) || !isIndex(off[1]) || off[0] > off[1]) {
      throw new Error(`${src}: tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}; expected [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = off as [number, number];
    if (end > this.data.byteLength) {
      throw new Error(`${src}: tensor '${name}' data_offsets [${begin}, ${end}] lie outside the data region of ${this.data.byteLength} bytes (file truncated?)`);
    }
    const shape = e.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype];
    if (end - begin !== expected) {
      throw new Error(`${src}: tensor '${name}' spans ${end - begin} bytes but shape [${shape}] × ${e.dtype} needs ${expected}`);
    }
    return { dtype: e.dtype, shape, begin, end };
  }

  /** Reads and parses a file. */
  static async open(file: string): Promise<SafetensorsReader> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${(e as Error).message})`);
    }
    return new SafetensorsReader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.infos.keys()];
  }

  has(name: string): boolean {
    return this.infos.has(name);
  }

  info(name: string): TensorInfo {
    const i = this.infos.get(name);
    if (!i) throw new Error(`${this.source}: no tensor '${name}'`);
    return i;
  }

  /** Decodes one tensor (a fresh array, not a view of the file). */
  read(name: string): DecodedTensor {
    const info = this.info(name);
    const bytes = this.data.subarray(info.begin, info.end);
    const data = FLOAT_DTYPES.has(info.dtype) ? decodeFloat(bytes, info.dtype) : decodeInt(bytes, info.dtype, `${this.source}: tensor '${name}'`);
    return { dtype: info.dtype, shape: [...info.shape], data };
  }

  /** Decodes a float tensor to float32; integer tensors are converted. */
  float32(name: string): Float32Array {
    const d = this.read(name).data;
    return d instanceof Float32Array ? d : Float32Array.from(d);
  }
}

function decodeFloat(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  if (dtype === 'F32') {
    new Uint8Array(out.buffer).set(bytes); // little-endian on every platform Node runs on
    return out;
  }
  if (dtype === 'F64') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
  } else if (dtype === 'F16') {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  }
  return out;
}

function decodeInt(bytes: Uint8Array, dtype: SafetensorsDtype, what: string): Int32Array {
  const size = DTYPE_BYTES[dtype];
  const n = bytes.byteLength / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'I64': {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${what}: I64 value ${v} at index ${i} does not fit in int32`);
        out[i] = Number(v);
        break;
      }
      case 'I32': out[i] = view.getInt32(4 * i, true); break;
      case 'I16': out[i] = view.getInt16(2 * i, true); break;
      case 'I8': out[i] = view.getInt8(i); break;
      default: out[i] = view.getUint8(i); // U8, BOOL
    }
  }
  return out;
}

/** IEEE 754 half (bits) → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** number → IEEE 754 half bits, rounding to nearest even (overflow → ±Inf). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++; // may carry into the exponent: correct
  return sign | r;
}

export interface SafetensorsWriteOptions {
  /** Storage type of float tensors. Default 'F32'. */
  dtype?: 'F32' | 'F16';
  metadata?: Record<string, string>;
}

/** Serialises tensors (in the order given) to safetensors bytes. */
export function serializeSafetensors(tensors: Iterable<[string, TensorToWrite]>, options: SafetensorsWriteOptions = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  const plan: { t: TensorToWrite; dtype: SafetensorsDtype; begin: number }[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error(`safetensors: '__metadata__' cannot be a tensor name`);
    if (name in header) throw new Error(`safetensors: tensor '${name}' given twice`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values but shape [${t.shape}] needs ${n}`);
    const dtype: SafetensorsDtype = t.dtype ?? (t.data instanceof Float32Array ? options.dtype ?? 'F32' : 'I32');
    const bytes = n * DTYPE_BYTES[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    plan.push({ t, dtype, begin: offset });
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - (headerBytes.byteLength % 8)) % 8;
  if (pad) headerBytes = enc.encode(json += ' '.repeat(pad));
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.byteLength;
  for (const { t, dtype, begin } of plan) {
    const at = base + begin;
    const d = t.data;
    if ((dtype === 'F32' && d instanceof Float32Array) || (dtype === 'I32' && d instanceof Int32Array)) {
      out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at); // little-endian host
      continue;
    }
    switch (dtype) {
      case 'F32':
        for (let i = 0; i < d.length; i++) view.setFloat32(at + 4 * i, d[i], true);
        break;
      case 'F16':
        for (let i = 0; i < d.length; i++) view.setUint16(at + 2 * i, floatToHalf(d[i]), true);
        break;
      case 'I32':
        for (let i = 0; i < d.length; i++) view.setInt32(at + 4 * i, d[i], true);
        break;
      case 'I64':
        for (let i = 0; i < d.length; i++) view.setBigInt64(at + 8 * i, BigInt(Math.trunc(d[i])), true);
        break;
      default:
        throw new Error(`safetensors: writing ${dtype} is not supported`);
    }
  }
  return out;
}

let tempCounter = 0;

/** Writes `bytes` to `file` through a temporary file in the same folder and a rename. */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Date.now()}-${tempCounter++}`);
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`${file}: write failed (${(e as Error).message})`);
  }
}

/** Writes a safetensors file atomically. */
export async function writeSafetensors(file: string, tensors: Iterable<[string, TensorToWrite]>, options: SafetensorsWriteOptions = {}): Promise<void> {
  await writeFileAtomic(file, serializeSafetensors(tensors, options));
}

/** Reads every tensor of a file (small files; use SafetensorsReader to decode one at a time). */
export async function readSafetensors(file: string): Promise<Map<string, DecodedTensor>> {
  const r = await SafetensorsReader.open(file);
  return new Map(r.names().map((n) => [n, r.read(n)]));
}
