import { defineConfig } from 'vitest/config';

// Four projects, each runnable alone (`npm run test:unit`, `test:property`, `test:sim`,
// `test:integration`). Integration tests build real namespaces, ptys and daemons: they run one file
// at a time so that two of them never fight over the machine, and get longer timeouts.
export default defineConfig({
  test: {
    projects: [
      // 30 s: a test that runs the CLI in-process pays for importing every command first, which
      // took over vitest's default 5 s on a shared 2-core machine at load 10.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'property', include: ['test/property/**/*.test.ts'], testTimeout: 120_000 } },
      { test: { name: 'sim', include: ['test/sim/**/*.test.ts'], testTimeout: 300_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
