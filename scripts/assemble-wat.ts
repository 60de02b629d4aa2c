/**
 * Assembles a WAT module text to WebAssembly bytes with wabt (npm `wabt`, a devDependency; SIMD on).
 * Used by scripts/write-kernels.ts and by the test that the committed kernel bytes match their sources.
 */
import wabtInit from 'wabt';

let wabt: Awaited<ReturnType<typeof wabtInit>> | null = null;

export async function assembleWat(name: string, source: string): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const module = wabt.parseWat(`${name}.wat`, source, { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
