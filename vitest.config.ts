import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import the package by name, as a user would: grasp-hil → src/index.ts, grasp-hil/<area> → src/api/<area>.ts
  // (package.json `exports` maps the same names to dist/).
  resolve: {
    alias: [
      { find: /^grasp-hil$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^grasp-hil\/([a-z]+)$/, replacement: fileURLToPath(new URL('./src/api/$1.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more forks than that only adds contention.
    maxWorkers: 2,
  },
});
