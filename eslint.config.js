// Lint: typescript-eslint's type-checked rules everywhere, and the pure-core boundary. Code in the
// core folders may not read the clock, draw randomness or print: time, randomness and logging come
// in through the interfaces in src/lib, so that the simulator can run the same code.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const coreFolders = ['src/lib/**/*.ts', 'src/sim/protocols/**/*.ts', 'src/ha/membership/**/*.ts', 'src/ha/cib/**/*.ts', 'src/ha/admin/**/*.ts', 'src/ha/policy/**/*.ts', 'src/ha/transition/**/*.ts', 'src/ha/messaging/**/*.ts', 'src/ha/controller/**/*.ts', 'src/ha/stack/**/*.ts', 'src/fence/plan/**/*.ts', 'src/ha/availability/**/*.ts', 'src/storage/disk-format/**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-console': 'error',
    },
  },
  {
    files: coreFolders,
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'The core gets time as input (`now`), never from Date.' },
        { name: 'setTimeout', message: 'The core asks for timers with a set-timer effect.' },
        { name: 'setInterval', message: 'The core asks for timers with a set-timer effect.' },
        { name: 'process', message: 'The core has no process: configuration comes in as values.' },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the injected Random.' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The core does no I/O: put it in an adapter.' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
