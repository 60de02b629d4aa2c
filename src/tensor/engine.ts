/**
 * The TF.js engine as grasp-hil uses it: tfjs-core with every gradient registered and the cpu and
 * wasm backends loaded. Everything in src/ takes `tf` from here (through tensor/index.ts), so no
 * module can see the engine without its gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
// The umbrella package's Node bundle is where the gradient registrations live (tfjs-core's own
// register_all_gradients is ESM without file extensions, which Node cannot load).
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerSharedIdentity } from './wasm-identity.js';
import { registerHeapSlices } from './wasm-slice.js';

registerSharedIdentity();
registerHeapSlices();

export { tf };
