/**
 * Fixture programs: the Node programs that tests start as separate processes (inside a network
 * namespace, or beside a pty). They are written in TypeScript under test/integration/fixtures/,
 * type-checked and linted with the rest of the tests, and they run the BUILT code: each loads
 * Heartline's modules from dist/ (the directory comes in as HEARTLINE_DIST_DIR), so the integration
 * tests exercise exactly what `npm run build` produced. Node 20 cannot run TypeScript, so this
 * module strips the types of a fixture once per test process (typescript's transpileModule, no
 * type check: the project's typecheck has done that) into a temporary .mjs file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { registerLastResortCleanup } from '../../../src/testbed/last-resort-cleanup.js';

/** The repository's dist/ directory, which `npm run build` fills. */
export const distDir = fileURLToPath(new URL('../../../dist/', import.meta.url));

/** The built CLI, dist/cli/main.js: what DaemonLab runs as `heartline daemon` in the tests. */
export const builtCli = join(distDir, 'cli', 'main.js');

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const built = new Map<string, string>();
let outputDir: string | undefined;

/**
 * The path of a runnable .mjs made from test/integration/fixtures/NAME.ts. Fails with a clear
 * message when dist/ has not been built. The file lives until this process exits.
 */
export function fixtureProgram(name: string): string {
  const cached = built.get(name);
  if (cached !== undefined) return cached;
  if (!existsSync(join(distDir, 'links', 'link.js'))) {
    throw new Error(`dist/ is not built (missing ${join(distDir, 'links', 'link.js')}): run \`npm run build\` first (npm test does)`);
  }
  const source = readFileSync(join(fixturesDir, `${name}.ts`), 'utf8');
  const output = ts.transpileModule(source, {
    fileName: `${name}.ts`,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
    reportDiagnostics: false,
  });
  if (outputDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'heartline-fixtures-'));
    outputDir = dir;
    // Readable by every user, so that a fixture can also run with fewer privileges.
    chmodSync(dir, 0o755);
    registerLastResortCleanup(`fixture directory ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  }
  const path = join(outputDir, `${name}.mjs`);
  writeFileSync(path, output.outputText, { mode: 0o644 });
  built.set(name, path);
  return path;
}
