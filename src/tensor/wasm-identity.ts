/**
 * A zero-copy Identity kernel for the wasm backend.
 *
 * tfjs-core clones (kernel 'Identity') every tensor it saves for the backward pass — each input a
 * recorded kernel's gradient needs, and everything a customGrad op `save`s. The cpu backend's
 * Identity shares the data (reference count); the wasm backend's copies it. Under a gradient tape
 * that copied, for example, the whole word-embedding table (154 MB for roberta-base) on every
 * forward pass, and every saved activation. Tensors are immutable (a variable's `assign` swaps its
 * data id, it never writes in place), so sharing is safe: this kernel does what wasm's own Reshape
 * does — count a reference and return the same data id.
 */
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

export function registerSharedIdentity(): void {
  const kernel = tf.getKernel('Identity', 'wasm');
  if (!kernel) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return kernel.kernelFunc({ inputs, backend, attrs: {} }) as tf.TensorInfo;
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
