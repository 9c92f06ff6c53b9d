// Helpers for the CIB tests: wrap configuration and status snippets into a whole CIB document,
// and import with a test failure (not a Result) when the import fails.
import { expect } from 'vitest';
import { importCibXml, type Cib, type CibImport, type CibWarning } from '../../../../src/ha/cib/index.js';

export interface CibParts {
  readonly root?: string;
  readonly crmConfig?: string;
  readonly nodes?: string;
  readonly resources?: string;
  readonly constraints?: string;
  /** Extra configuration sections after the four mandatory ones. */
  readonly extra?: string;
  readonly status?: string;
}

/** A whole CIB document made of the given snippets. */
export function cibXml(parts: CibParts = {}): string {
  return [
    `<cib admin_epoch="0" epoch="1" num_updates="2" validate-with="pacemaker-3.0"${parts.root === undefined ? '' : ` ${parts.root}`}>`,
    '  <configuration>',
    `    <crm_config>${parts.crmConfig ?? ''}</crm_config>`,
    `    <nodes>${parts.nodes ?? ''}</nodes>`,
    `    <resources>${parts.resources ?? ''}</resources>`,
    `    <constraints>${parts.constraints ?? ''}</constraints>`,
    parts.extra ?? '',
    '  </configuration>',
    `  <status>${parts.status ?? ''}</status>`,
    '</cib>',
    '',
  ].join('\n');
}

/** Imports `xml`, failing the test with the error when the import fails. */
export function importOk(xml: string): CibImport {
  const result = importCibXml(xml);
  if (!result.ok) expect.fail(`import failed: ${JSON.stringify(result.error, null, 2)}`);
  return result.value;
}

/** Imports and returns the snapshot only. */
export function importCib(xml: string): Cib {
  return importOk(xml).cib;
}

/** `kind path@attribute` of each warning, for compact assertions. */
export function warningKeys(warnings: readonly CibWarning[]): string[] {
  return warnings.map((w) => `${w.kind} ${w.path}${w.attribute === undefined ? '' : `@${w.attribute}`}`);
}
