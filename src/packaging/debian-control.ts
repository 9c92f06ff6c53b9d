/**
 * The pieces of a Debian binary package that are text: the version (from package.json's
 * semver), the DEBIAN/control file, and the /usr/bin/heartline wrapper. Pure functions, so the
 * unit tests check them without building anything; build-deb.ts writes them.
 */

/** Who the control file says made the package. */
export const DEFAULT_MAINTAINER = 'Heartline project <heartline@localhost>';

/**
 * The dependency on Node.js. Debian 12's own nodejs is 18; Node 20 comes from NodeSource's
 * `nodejs` package (what this project's machines run) or from Debian 13. Builds for machines
 * whose Node.js is not a Debian package pass an empty dependency instead (the wrapper then finds
 * node on PATH, or HEARTLINE_NODE).
 */
export const DEFAULT_NODE_DEPENDENCY = 'nodejs (>= 20)';

/** Tools the cluster runs when they are there: resource and fence agents, IPMI, SNMP. */
export const RECOMMENDS = ['resource-agents', 'fence-agents', 'ipmitool', 'snmp', 'snmpd'] as const;

/**
 * A Debian version for a semver: a pre-release sorts *before* its release in semver and must in
 * Debian too, which is what `~` does (1.0.0-rc.1 becomes 1.0.0~rc.1); build metadata after `+`
 * is kept (Debian allows `+`). Returns an error message for text that is not a semver.
 */
export function debianVersion(semver: string): { ok: true; value: string } | { ok: false; error: string } {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(semver);
  if (match === null) return { ok: false, error: `'${semver}' is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]): fix "version" in package.json` };
  const [, major, minor, patch, prerelease, build] = match;
  const pre = prerelease === undefined ? '' : `~${prerelease.replace(/-/g, '.')}`;
  const meta = build === undefined ? '' : `+${build}`;
  return { ok: true, value: `${major}.${minor}.${patch}${pre}${meta}` };
}

export interface ControlFields {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly maintainer: string;
  /** Installed size in KiB (dpkg shows it; apt plans disk space with it). */
  readonly installedSizeKib: number;
  /** Empty entries are left out; an empty list leaves out the field. */
  readonly depends: readonly string[];
  readonly recommends: readonly string[];
  /** The first line is the synopsis, the rest the extended description. */
  readonly description: string;
  readonly homepage?: string;
}

/** DEBIAN/control (deb-control(5)): one field per line, the extended description indented, blank lines as " .". */
export function controlFile(fields: ControlFields): string {
  const [synopsis = '', ...rest] = fields.description.trim().split('\n');
  const extended = rest.map((line) => (line.trim() === '' ? ' .' : ` ${line.trim()}`));
  const lines = [
    `Package: ${fields.package}`,
    `Version: ${fields.version}`,
    `Architecture: ${fields.architecture}`,
    `Maintainer: ${fields.maintainer}`,
    `Installed-Size: ${Math.ceil(fields.installedSizeKib)}`,
    'Section: admin',
    'Priority: optional',
  ];
  const depends = fields.depends.filter((d) => d.trim() !== '');
  if (depends.length > 0) lines.push(`Depends: ${depends.join(', ')}`);
  if (fields.recommends.length > 0) lines.push(`Recommends: ${fields.recommends.join(', ')}`);
  if (fields.homepage !== undefined) lines.push(`Homepage: ${fields.homepage}`);
  lines.push(`Description: ${synopsis.trim()}`, ...extended);
  return `${lines.join('\n')}\n`;
}

/**
 * /usr/bin/heartline: runs the application with the Node.js it finds (HEARTLINE_NODE, else
 * `node` on PATH) and says what to install when there is none, rather than a bare "not found".
 * `commit` is stamped in as HEARTLINE_COMMIT (what `heartline version` prints): the installed
 * tree has no .git to ask. HEARTLINE_NODE_FLAGS goes on node's command line before the
 * application (the daemon's unit sets it: some V8 flags are refused in NODE_OPTIONS).
 */
export function wrapperScript(options: { readonly appDir: string; readonly commit: string | null }): string {
  const commit = options.commit === null ? '' : `HEARTLINE_COMMIT="\${HEARTLINE_COMMIT:-${options.commit}}"\nexport HEARTLINE_COMMIT\n`;
  return `#!/bin/sh
# heartline: the Heartline command (installed by the heartline package). The application is in
# ${options.appDir}; this runs it with Node.js 20 or later.
${commit}node="\${HEARTLINE_NODE:-}"
if [ -z "$node" ]; then
    node=$(command -v node 2>/dev/null || true)
fi
if [ -z "$node" ] || [ ! -x "$node" ]; then
    echo "heartline: error: Node.js not found (looked for \${HEARTLINE_NODE:-node on PATH})" >&2
    echo "hint: install Node.js 20 or later (the nodejs package), or set HEARTLINE_NODE to its node executable (for the service: in /etc/default/heartline)" >&2
    exit 127
fi
# Unquoted on purpose: HEARTLINE_NODE_FLAGS is a list of flags.
exec "$node" \${HEARTLINE_NODE_FLAGS:-} ${options.appDir}/dist/cli/main.js "$@"
`;
}
