/**
 * The messages of CIB replication, carried by the reliable channel as JSON. Every message has the
 * protocol version, so that a node of another build drops what it cannot read instead of
 * misreading it. A whole CIB travels as Pacemaker XML (the exporter's output), so a receiver
 * validates it with the importer.
 */
import type { CibVersion } from './cib.js';
import type { CibChangeMeta } from './cib-change.js';

export const CIB_PROTOCOL = 1;

export type CibMessage<Change> =
  /** Member to DC: please apply this change. */
  | { readonly type: 'cib-request'; readonly v: number; readonly requestId: string; readonly change: Change; readonly meta: CibChangeMeta }
  /** DC to the member that asked. */
  | { readonly type: 'cib-reply'; readonly v: number; readonly requestId: string; readonly ok: boolean; readonly version: CibVersion; readonly field?: string; readonly message?: string }
  /** DC to every member: apply this change to `base`; the result must be `version` with `digest`. */
  | { readonly type: 'cib-update'; readonly v: number; readonly base: CibVersion; readonly change: Change; readonly meta: CibChangeMeta; readonly version: CibVersion; readonly digest: string }
  /** DC to members after a new view: which version do you hold? */
  | { readonly type: 'cib-query'; readonly v: number; readonly round: number }
  | { readonly type: 'cib-report'; readonly v: number; readonly round: number; readonly version: CibVersion | null; readonly digest: string | null }
  /** Please send me your whole CIB. */
  | { readonly type: 'cib-sync-request'; readonly v: number; readonly round: number }
  /** A whole CIB, as Pacemaker XML. */
  | { readonly type: 'cib-full'; readonly v: number; readonly round: number; readonly xml: string };
