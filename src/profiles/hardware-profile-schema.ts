/**
 * The schema of hardware profiles (hw-profiles/): the one definition of their YAML format (zod).
 * A profile file holds one document whose `kind` says what it is:
 *
 * - `appliance`: a model of appliance: its nodes, heartbeat links (Ethernet, crossover, serial
 *   device and baud), fence devices and which of them fence each node (levels), the static and
 *   priority fence delays, shared storage and the watchdog;
 * - `pdu-model`: an SNMP power switch (or switch port) model: sysObjectID, the OID templates and
 *   values that read and switch an outlet, the name column;
 * - `bmc-model`: a BMC's IPMI options (cipher suite, privilege level, reboot method, port).
 *
 * Profiles never hold secrets: a device names its secrets (`password_secret: bmc-a`), and the node
 * supplies them (/etc/heartline/secrets/NAME, or a test's map). Keys are snake_case, unknown keys
 * are refused at every level. Rules across entries and files are in hardware-profile-rules.ts.
 */
import { z } from 'zod';
import { durationSchema, SERIAL_BAUD_RATES } from '../config/index.js';
import { checkOidTemplate } from '../fence/index.js';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const nameSchema = (what: string) =>
  z.string().regex(NAME, { error: (issue) => `'${String(issue.input)}' is not a valid ${what} name: use lowercase letters, digits, '-', '_' and '.', starting with a letter or digit` });

const oidTemplateSchema = z.string().superRefine((text, context) => {
  for (const problem of checkOidTemplate(text)) context.addIssue({ code: 'custom', message: problem, input: text });
});
const numericOidSchema = z.string().regex(/^\.?\d+(\.\d+)+$/, { error: (issue) => `'${String(issue.input)}' is not a numeric OID (digits and dots, e.g. .1.3.6.1.4.1.318.1.3.4.5)` });
const valuesSchema = z.union([z.number().int(), z.array(z.number().int()).min(1)]).transform((value) => (Array.isArray(value) ? value : [value]));

export const pduModelSchema = z.strictObject({
  kind: z.literal('pdu-model'),
  name: nameSchema('model'),
  description: z.string().optional(),
  sys_object_id: numericOidSchema.optional(),
  status: z.strictObject({ oid: oidTemplateSchema, on: valuesSchema, off: valuesSchema }),
  control: z.strictObject({ oid: oidTemplateSchema, on: z.number().int(), off: z.number().int() }),
  names: z.strictObject({ oid: oidTemplateSchema }).optional(),
  fabric: z.boolean().optional(),
  /** What fence-agents calls this device, for people who know it from there. */
  fence_agent: z.string().optional(),
});

export const ipmiPrivilegeSchema = z.enum(['callback', 'user', 'operator', 'administrator']);
export const rebootMethodSchema = z.enum(['onoff', 'cycle']);

const ipmiOptionsSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).optional(),
  cipher_suite: z.number().int().min(0).max(17).optional(),
  privilege: ipmiPrivilegeSchema.optional(),
  method: rebootMethodSchema.optional(),
});

export const bmcModelSchema = z.strictObject({
  kind: z.literal('bmc-model'),
  name: nameSchema('model'),
  description: z.string().optional(),
  ipmi: ipmiOptionsSchema,
});

const timingsSchema = z.strictObject({
  action_timeout: durationSchema.optional(),
  command_timeout: durationSchema.optional(),
  power_timeout: durationSchema.optional(),
  status_interval: durationSchema.optional(),
  retries: z.number().int().min(0).max(10).optional(),
});

const addressSchema = z.string().min(1);
const portNumberSchema = z.number().int().min(1).max(65535);

const snmpV12Schema = z.strictObject({
  version: z.enum(['1', '2c']),
  community_secret: nameSchema('secret'),
});
const snmpV3Schema = z.strictObject({
  version: z.literal('3'),
  username: z.string().min(1),
  security_level: z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']),
  auth_protocol: z.enum(['MD5', 'SHA', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512']).optional(),
  auth_secret: nameSchema('secret').optional(),
  priv_protocol: z.enum(['DES', 'AES', 'AES-192', 'AES-256']).optional(),
  priv_secret: nameSchema('secret').optional(),
});

export const snmpPduDeviceSchema = z.strictObject({
  name: nameSchema('device'),
  driver: z.literal('snmp-pdu'),
  model: nameSchema('model'),
  address: addressSchema,
  port: portNumberSchema.optional(),
  snmp: z.discriminatedUnion('version', [snmpV12Schema, snmpV3Schema]),
  timings: timingsSchema.optional(),
});

export const ipmiDeviceSchema = z.strictObject({
  name: nameSchema('device'),
  driver: z.literal('ipmi'),
  model: nameSchema('model'),
  address: addressSchema,
  username: z.string().min(1),
  password_secret: nameSchema('secret'),
  ipmi: ipmiOptionsSchema.optional(),
  timings: timingsSchema.optional(),
});

export const fenceAgentDeviceSchema = z.strictObject({
  name: nameSchema('device'),
  driver: z.literal('fence-agent'),
  /** fence_ipmilan, fence_apc_snmp, ... or an absolute path. */
  agent: z.string().regex(/^(fence_[A-Za-z0-9_]+|\/.+)$/, { error: (issue) => `'${String(issue.input)}' is not a fence agent: name a fence_* program or give an absolute path` }),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  /** Agent parameters whose values are secrets: parameter name → secret name. */
  secret_parameters: z.record(z.string(), nameSchema('secret')).optional(),
  timings: timingsSchema.optional(),
});

/**
 * Fencing through the shared fencing disk (poison pill + watchdog, docs/STORAGE.md): the device
 * path of the disk as every node sees it. A node's level entry names its slot as the port, or
 * leaves it out for the node's own name.
 */
export const diskDeviceSchema = z.strictObject({
  name: nameSchema('device'),
  driver: z.literal('disk'),
  device: z.string().regex(/^\/dev\//, { error: (issue) => `'${String(issue.input)}' is not a device path: write /dev/disk/by-id/... (the same disk on every node)` }),
  description: z.string().optional(),
});

export const fenceDeviceSchema = z.discriminatedUnion('driver', [snmpPduDeviceSchema, ipmiDeviceSchema, fenceAgentDeviceSchema, diskDeviceSchema]);

const fenceLevelDeviceSchema = z.strictObject({
  device: nameSchema('device'),
  /** The node's outlet ("3", "1:3", or the outlet's name), switch port or plug on this device; none for a BMC. */
  port: z.union([z.string().min(1), z.number().int().min(0).transform(String)]).optional(),
});

export const applianceNodeSchema = z.strictObject({
  name: nameSchema('node'),
  description: z.string().optional(),
  /** Fence levels, tried in order: every device of a level must succeed. */
  fencing: z.array(z.array(fenceLevelDeviceSchema).min(1)).min(1),
  /** Waited before this node is fenced (a static fence-race delay). */
  fence_delay: durationSchema.optional(),
});

const ethernetLinkSchema = z.strictObject({ name: nameSchema('link'), kind: z.literal('ethernet'), interface: z.string().min(1), description: z.string().optional() });
const crossoverLinkSchema = z.strictObject({ name: nameSchema('link'), kind: z.literal('crossover'), interface: z.string().min(1), description: z.string().optional() });
const serialLinkSchema = z.strictObject({
  name: nameSchema('link'),
  kind: z.literal('serial'),
  device: z.string().regex(/^\/dev\//, { error: (issue) => `'${String(issue.input)}' is not a device path: write /dev/ttyS0 or similar` }),
  baud: z.number().refine((value) => SERIAL_BAUD_RATES.includes(value), { error: (issue) => `${String(issue.input)} is not a supported baud rate (${SERIAL_BAUD_RATES.join(', ')})` }),
  description: z.string().optional(),
});
export const applianceLinkSchema = z.discriminatedUnion('kind', [ethernetLinkSchema, crossoverLinkSchema, serialLinkSchema]);

const sharedStorageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ name: nameSchema('storage'), kind: z.literal('block'), device: z.string().min(1), description: z.string().optional() }),
  z.strictObject({ name: nameSchema('storage'), kind: z.literal('iscsi'), portal: z.string().min(1), target: z.string().min(1), description: z.string().optional() }),
  z.strictObject({ name: nameSchema('storage'), kind: z.literal('nfs'), export: z.string().min(1), description: z.string().optional() }),
]);

/**
 * How the appliance uses its shared storage (docs/STORAGE.md, "Layouts"): the layout, which
 * `shared_storage` entry holds the data (by name: the disks are described once, above) and the
 * filesystem on it, the fencing and quorum disk partitions, the backup node of an N+1 appliance.
 * `heartline storage create-* --profile NAME` takes its defaults from here.
 */
export const storageLayoutSchema = z.strictObject({
  /** active-passive: one group on a shared disk; n-plus-1: several groups sharing one backup node; n-to-n: a cluster filesystem on every node. */
  kind: z.enum(['active-passive', 'n-plus-1', 'n-to-n']),
  description: z.string().optional(),
  /** The shared_storage entry with the data: the filesystem's disk (n-to-n: the shared VG's disk). */
  data: nameSchema('storage'),
  filesystem: z
    .strictObject({
      fstype: z.string().regex(/^[a-z0-9]+$/, { error: (issue) => `'${String(issue.input)}' is not a filesystem type (ext4, xfs, gfs2, ...)` }),
      directory: z.string().regex(/^\/\S*$/, { error: (issue) => `'${String(issue.input)}' is not an absolute path without blanks` }),
      options: z.string().optional(),
      /** ext4 multi-mount protection (ocf:heartline:Filesystem's mmp). */
      mmp: z.enum(['require', 'enable', 'warn', 'off']).optional(),
    })
    .optional(),
  /** The volume group on the data disk (n-to-n: shared through lvmlockd; otherwise exclusive by system ID). */
  vg: z.string().regex(/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/).optional(),
  /** The logical volume (n-to-n). */
  lv: z.string().regex(/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/).optional(),
  /** The shared_storage entry of the fencing disk partition (poison pill, `driver: disk`). */
  fencing_disk: nameSchema('storage').optional(),
  /** The shared_storage entry of the quorum disk partition (the lease; usually the fencing disk). */
  quorum_disk: nameSchema('storage').optional(),
  /** n-plus-1: the node every group may fail over to. */
  backup_node: nameSchema('node').optional(),
});

export const applianceSchema = z.strictObject({
  kind: z.literal('appliance'),
  name: nameSchema('appliance'),
  description: z.string().optional(),
  nodes: z.array(applianceNodeSchema).min(2),
  links: z.array(applianceLinkSchema).min(1),
  fence_devices: z.array(fenceDeviceSchema).min(1),
  fencing_options: z.strictObject({ priority_delay: durationSchema.optional() }).optional(),
  shared_storage: z.array(sharedStorageSchema).optional(),
  storage_layout: storageLayoutSchema.optional(),
  watchdog: z.strictObject({ device: z.string().regex(/^\/dev\//), timeout: durationSchema }).optional(),
});

export const profileDocumentSchema = z.discriminatedUnion('kind', [applianceSchema, pduModelSchema, bmcModelSchema]);

export type ApplianceProfile = z.output<typeof applianceSchema>;
export type PduModelProfile = z.output<typeof pduModelSchema>;
export type BmcModelProfile = z.output<typeof bmcModelSchema>;
export type ProfileDocument = z.output<typeof profileDocumentSchema>;
export type FenceDeviceProfile = z.output<typeof fenceDeviceSchema>;
export type ApplianceNodeProfile = z.output<typeof applianceNodeSchema>;
export type ApplianceLinkProfile = z.output<typeof applianceLinkSchema>;
export type FenceTimingsProfile = z.output<typeof timingsSchema>;
export type StorageLayoutProfile = z.output<typeof storageLayoutSchema>;
export type SharedStorageProfile = z.output<typeof sharedStorageSchema>;
