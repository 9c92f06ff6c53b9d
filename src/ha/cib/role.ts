/**
 * Resource roles as Pacemaker 2.1 names them. The legacy names Master and Slave are read as
 * Promoted and Unpromoted (the importer warns about them); the model and the exporter only use the
 * new names, which Pacemaker 2.1 reads in every schema version the conformance cases use.
 */

/** A role a resource (instance) can be in, or that a constraint or operation applies to. */
export type Role = 'Stopped' | 'Started' | 'Unpromoted' | 'Promoted';

/** Every role, lowest first (Pacemaker's order of enum rsc_role_e). */
export const ROLES: readonly Role[] = ['Stopped', 'Started', 'Unpromoted', 'Promoted'];

/**
 * Parses a role name in any letter case, as Pacemaker's text2role does. `legacy` is true when the
 * text used Master or Slave. Returns undefined for anything else.
 */
export function parseRole(text: string): { readonly role: Role; readonly legacy: boolean } | undefined {
  switch (text.trim().toLowerCase()) {
    case 'stopped':
      return { role: 'Stopped', legacy: false };
    case 'started':
      return { role: 'Started', legacy: false };
    case 'unpromoted':
      return { role: 'Unpromoted', legacy: false };
    case 'promoted':
      return { role: 'Promoted', legacy: false };
    case 'slave':
      return { role: 'Unpromoted', legacy: true };
    case 'master':
      return { role: 'Promoted', legacy: true };
    default:
      return undefined;
  }
}
