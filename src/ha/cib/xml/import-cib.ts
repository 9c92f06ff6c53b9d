/**
 * importCibXml: Pacemaker CIB XML → a frozen CIB snapshot and the warnings of the import. Pure and
 * total: it never throws on bad input. The contract is on importCibXml; import-diagnostics.ts lists
 * what is reported.
 */
import { err, ok, type Result } from '../../../lib/index.js';
import { deepFreeze } from '../canonical.js';
import type { Cib, CibHeader, CibVersion } from '../cib.js';
import type { Configuration } from '../configuration.js';
import type { Status } from '../status.js';
import { ElementReader, ImportContext, parseInteger, parseNonNegativeInteger } from './element-reader.js';
import type { CibImportError, CibWarning } from './import-diagnostics.js';
import { readConfiguration } from './import-configuration.js';
import { readStatus } from './import-status.js';
import { parseXml } from './parse-xml.js';

/** A successful import. */
export interface CibImport {
  /** Deeply frozen. */
  readonly cib: Cib;
  /** In document order (mostly); empty for a CIB the model represents completely. */
  readonly warnings: readonly CibWarning[];
}

const VERSION = 'a non-negative integer';

/**
 * Imports a CIB from Pacemaker XML. Errors: `malformed-xml` (with line and column) when the text
 * is not well-formed XML, `invalid-cib` (with every issue found, each naming the element path, id,
 * attribute and line) when it is XML but not a CIB the model can represent — a root other than
 * `<cib>`, a missing required attribute (ids, version numbers, a primitive's class and type, an
 * operation's interval, ...), a value of the wrong type, an id-ref that names nothing, a clone
 * without exactly one child. Everything else that does not fit the model becomes a warning (see
 * CibWarningKind): unknown and deprecated elements and attributes are always named, never silent.
 * `<nvpair>`, `<rule>`, nvset, `<operations>` and `<resource_set>` references (`id-ref`) are
 * resolved: the model holds the referenced content and remembers the reference.
 */
export function importCibXml(text: string): Result<CibImport, CibImportError> {
  const parsed = parseXml(text);
  if (!parsed.ok) return err({ kind: 'malformed-xml', ...parsed.error });
  const root = parsed.value;
  if (root.name !== 'cib') {
    const issue = { path: `/${root.name}`, line: root.line, message: `/${root.name} (line ${root.line}): the root element is <${root.name}>, not <cib>` };
    return err({ kind: 'invalid-cib', message: issue.message, issues: [issue] });
  }
  const context = new ImportContext(root);
  const reader = new ElementReader(context, root, '');
  const cib = readCib(reader);
  if (context.issues.length > 0) {
    const first = context.issues[0]!;
    const more = context.issues.length > 1 ? ` (and ${context.issues.length - 1} more)` : '';
    return err({ kind: 'invalid-cib', message: `${first.message}${more}`, issues: context.issues });
  }
  return ok({ cib: deepFreeze(cib), warnings: context.warnings });
}

function readCib(reader: ElementReader): Cib {
  const version: CibVersion = {
    adminEpoch: reader.requiredParsed('admin_epoch', VERSION, parseNonNegativeInteger, 0),
    epoch: reader.requiredParsed('epoch', VERSION, parseNonNegativeInteger, 0),
    numUpdates: reader.requiredParsed('num_updates', VERSION, parseNonNegativeInteger, 0),
  };
  const header = readHeader(reader);
  let configuration: Configuration | undefined;
  let status: Status | undefined;
  const configurations = reader.children('configuration');
  if (configurations.length !== 1) reader.fail(`${reader.describe()} must have exactly one <configuration>; it has ${configurations.length}`);
  if (configurations[0] !== undefined) configuration = readConfiguration(reader.child(configurations[0]));
  const statuses = reader.children('status');
  if (statuses.length > 1) reader.fail(`${reader.describe()} has ${statuses.length} <status> elements; one is allowed`);
  if (statuses[0] !== undefined) status = readStatus(reader.child(statuses[0]));
  reader.finish();
  return {
    version,
    header,
    configuration: configuration ?? { crmConfig: [], nodes: [], resources: [], constraints: [], unsupported: [] },
    status: status ?? { nodes: [] },
  };
}

function readHeader(reader: ElementReader): CibHeader {
  const validateWith = reader.string('validate-with');
  const haveQuorum = reader.boolean('have-quorum');
  const dcUuid = reader.string('dc-uuid');
  const executionDate = reader.parsed('execution-date', 'an integer (seconds since the epoch)', parseInteger);
  const crmFeatureSet = reader.string('crm_feature_set');
  const cibLastWritten = reader.string('cib-last-written');
  const updateOrigin = reader.string('update-origin');
  const updateClient = reader.string('update-client');
  const updateUser = reader.string('update-user');
  const remoteTlsPort = reader.parsed('remote-tls-port', VERSION, parseNonNegativeInteger);
  const remoteClearPort = reader.parsed('remote-clear-port', VERSION, parseNonNegativeInteger);
  const noQuorumPanic = reader.boolean('no-quorum-panic');
  return {
    ...(validateWith !== undefined && { validateWith }),
    ...(haveQuorum !== undefined && { haveQuorum }),
    ...(dcUuid !== undefined && { dcUuid }),
    ...(executionDate !== undefined && { executionDate }),
    ...(crmFeatureSet !== undefined && { crmFeatureSet }),
    ...(cibLastWritten !== undefined && { cibLastWritten }),
    ...(updateOrigin !== undefined && { updateOrigin }),
    ...(updateClient !== undefined && { updateClient }),
    ...(updateUser !== undefined && { updateUser }),
    ...(remoteTlsPort !== undefined && { remoteTlsPort }),
    ...(remoteClearPort !== undefined && { remoteClearPort }),
    ...(noQuorumPanic !== undefined && { noQuorumPanic }),
  };
}
