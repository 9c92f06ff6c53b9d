/**
 * The CIB snapshot: one immutable value holding the whole cluster information base, configuration
 * and status, with its version. Snapshots are plain data (JSON-shaped objects and arrays, no
 * classes or maps), so they compare, hash and copy structurally; the importer freezes the ones it
 * returns, and code that changes a CIB builds a new snapshot.
 */
import type { Configuration } from './configuration.js';
import type { Status } from './status.js';

/**
 * The CIB version (admin_epoch, epoch, num_updates), compared in that order: admin_epoch is bumped
 * by an administrator to force a CIB to win, epoch by every configuration change, num_updates by
 * every status change (and reset to 0 when the epoch moves).
 */
export interface CibVersion {
  readonly adminEpoch: number;
  readonly epoch: number;
  readonly numUpdates: number;
}

/** The root `<cib>` attributes other than the version. */
export interface CibHeader {
  /** The schema, e.g. pacemaker-3.0. */
  readonly validateWith?: string;
  /** Whether the partition has quorum; absent reads as false. */
  readonly haveQuorum?: boolean;
  /** The node id of the DC. */
  readonly dcUuid?: string;
  /** "Now" for the policy engine, in seconds since the Unix epoch, when the CIB pins it. */
  readonly executionDate?: number;
  readonly crmFeatureSet?: string;
  readonly cibLastWritten?: string;
  readonly updateOrigin?: string;
  readonly updateClient?: string;
  readonly updateUser?: string;
  readonly remoteTlsPort?: number;
  readonly remoteClearPort?: number;
  readonly noQuorumPanic?: boolean;
}

/** A CIB snapshot. */
export interface Cib {
  readonly version: CibVersion;
  readonly header: CibHeader;
  readonly configuration: Configuration;
  readonly status: Status;
}

/** Orders two versions: negative when `a` is older, 0 when equal, positive when `a` is newer. */
export function compareCibVersions(a: CibVersion, b: CibVersion): number {
  return Math.sign(a.adminEpoch - b.adminEpoch) || Math.sign(a.epoch - b.epoch) || Math.sign(a.numUpdates - b.numUpdates);
}

/** `admin_epoch.epoch.num_updates`, as Pacemaker prints a version. */
export function formatCibVersion(version: CibVersion): string {
  return `${version.adminEpoch}.${version.epoch}.${version.numUpdates}`;
}
