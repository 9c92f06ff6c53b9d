/**
 * Booleans as Pacemaker 2.1's crm_str_to_boolean reads them: true, on, yes, y, 1 and false, off,
 * no, n, 0, in any letter case. Used for the XML attributes that the model types as boolean; nvpair
 * values stay strings (the policy engine applies Pacemaker's own rules to each option).
 */

/** The boolean `text` spells, or undefined when it spells neither. */
export function parsePacemakerBoolean(text: string): boolean | undefined {
  switch (text.trim().toLowerCase()) {
    case 'true':
    case 'on':
    case 'yes':
    case 'y':
    case '1':
      return true;
    case 'false':
    case 'off':
    case 'no':
    case 'n':
    case '0':
      return false;
    default:
      return undefined;
  }
}

/** The canonical spelling: `true` or `false`. */
export function formatPacemakerBoolean(value: boolean): string {
  return value ? 'true' : 'false';
}
