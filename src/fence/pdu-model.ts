/**
 * PduModel: what an SNMP power switch model looks like on the wire, as a device model file in
 * hw-profiles/devices/ states it: the OID that reads an outlet's power and the values that mean
 * on and off, the OID and values that switch it, and optionally the column of outlet names.
 *
 * OIDs are templates. `{outlet}` is the outlet number as a person counts it (1, 2, ...),
 * `{outlet+K}` / `{outlet-K}` shift it for devices that count differently on the wire (Eaton
 * managed ePDU: 0-based; Eaton switched ePDU control: index 1 is the whole unit), `{switch}` is the
 * switch (unit) of daisy-chained PDUs (APC MasterSwitch plus), written in a port as "S:N".
 * The same template matches walked OIDs back to ports, which is how `list` names them.
 */
import { err, ok, type Result } from '../lib/index.js';

export interface PduModel {
  readonly name: string;
  readonly description?: string;
  /** The sysObjectID (.1.3.6.1.2.1.1.2.0) the model answers; `monitor` checks it when set. */
  readonly sysObjectId?: string;
  readonly status: { readonly oid: string; readonly on: readonly number[]; readonly off: readonly number[] };
  readonly control: { readonly oid: string; readonly on: number; readonly off: number };
  readonly names?: { readonly oid: string };
  /** A switch port (fabric fencing) cuts the node off the network instead of its power: no reboot. */
  readonly fabric?: boolean;
}

/** A port as the target map names it: "3", or "2:3" (switch 2, outlet 3). */
export interface PduPort {
  readonly switchNumber: number;
  readonly outlet: number;
}

const PLACEHOLDER = /\{(outlet|switch)(?:([+-])(\d+))?\}/g;

/** Parses "3" or "2:3". Outlets and switches count from 1. */
export function parsePduPort(text: string): Result<PduPort, string> {
  const match = /^\s*(?:(\d+)\s*:\s*)?(\d+)\s*$/.exec(text);
  if (match === null) return err(`'${text}' is not an outlet: write its number ("3") or switch:outlet ("2:3")`);
  const switchNumber = match[1] === undefined ? 1 : Number(match[1]);
  const outlet = Number(match[2]);
  if (outlet < 1 || switchNumber < 1) return err(`'${text}' is not an outlet: outlets and switches count from 1`);
  return ok({ switchNumber, outlet });
}

export function formatPduPort(port: PduPort, usesSwitch: boolean): string {
  return usesSwitch ? `${port.switchNumber}:${port.outlet}` : String(port.outlet);
}

/** True when the template has a `{switch}` placeholder (ports are written "S:N"). */
export function templateUsesSwitch(template: string): boolean {
  return /\{switch/.test(template);
}

/** Fills a template for one port. A shift that makes an index negative is refused. */
export function expandOid(template: string, port: PduPort): Result<string, string> {
  let problem: string | undefined;
  const oid = template.replace(PLACEHOLDER, (_match, name: string, sign: string | undefined, amount: string | undefined) => {
    const base = name === 'outlet' ? port.outlet : port.switchNumber;
    const shift = amount === undefined ? 0 : Number(amount) * (sign === '-' ? -1 : 1);
    const value = base + shift;
    if (value < 0) problem = `outlet ${port.outlet} gives a negative index in ${template}`;
    return String(value);
  });
  return problem === undefined ? ok(oid) : err(problem);
}

/** The fixed part of a template before its first placeholder: the subtree to walk. */
export function walkRoot(template: string): string {
  const index = template.indexOf('{');
  const prefix = index < 0 ? template : template.slice(0, index);
  return prefix.replace(/\.$/, '');
}

/** The port a walked OID stands for, when it matches the template. */
export function matchOid(template: string, oid: string): PduPort | undefined {
  const want = template.replace(/^\./, '').split('.');
  const got = oid.replace(/^\./, '').split('.');
  if (want.length !== got.length) return undefined;
  let outlet: number | undefined;
  let switchNumber = 1;
  for (let index = 0; index < want.length; index++) {
    const part = want[index] as string;
    const value = got[index] as string;
    const placeholder = /^\{(outlet|switch)(?:([+-])(\d+))?\}$/.exec(part);
    if (placeholder === null) {
      if (part !== value) return undefined;
      continue;
    }
    if (!/^\d+$/.test(value)) return undefined;
    const shift = placeholder[3] === undefined ? 0 : Number(placeholder[3]) * (placeholder[2] === '-' ? -1 : 1);
    const number = Number(value) - shift;
    if (placeholder[1] === 'outlet') outlet = number;
    else switchNumber = number;
  }
  return outlet === undefined || outlet < 1 ? undefined : { switchNumber, outlet };
}

/** Every template of a model is a numeric OID with only known placeholders: the problems, empty when it is sound. */
export function checkOidTemplate(template: string): string[] {
  const problems: string[] = [];
  const bare = template.replace(PLACEHOLDER, '0');
  if (!/^\.?\d+(\.\d+)+$/.test(bare)) problems.push(`'${template}' is not a numeric OID template (digits and dots, with {outlet}, {outlet+K}, {outlet-K}, {switch})`);
  return problems;
}
