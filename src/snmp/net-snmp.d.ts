/**
 * The part of net-snmp 3.29 (a CommonJS module without its own types) that src/snmp uses, as its
 * README and index.js define it. Only what is used is declared, so a misuse fails typecheck.
 */
declare module 'net-snmp' {
  import type { EventEmitter } from 'node:events';

  export const Version2c: number;
  export const Version3: number;

  export const ObjectType: {
    readonly Integer: number;
    readonly OctetString: number;
    readonly OID: number;
    readonly Gauge: number;
    readonly Counter: number;
    readonly TimeTicks: number;
    readonly Unsigned32: number;
    readonly Gauge32: number;
    readonly Integer32: number;
  };
  export const MaxAccess: { readonly 'not-accessible': number; readonly 'accessible-for-notify': number; readonly 'read-only': number };
  export const MibProviderType: { readonly Scalar: number; readonly Table: number };
  export const SecurityLevel: { readonly authPriv: number };
  export const AuthProtocols: Readonly<Record<'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512', number>>;
  export const PrivProtocols: Readonly<Record<'des' | 'aes' | 'aes256b' | 'aes256r', number>>;
  export const AccessControlModelType: { readonly None: number; readonly Simple: number };

  export type Value = string | number | Buffer | null;

  /** The AgentX PDU codec (its static writers are patched by agentx-subagent.ts). */
  export const AgentXPdu: object;

  export interface Varbind {
    oid: string;
    type: number;
    value: Value;
  }

  export interface TableColumn {
    number: number;
    name: string;
    type: number;
    maxAccess: number;
    constraints?: { enumeration?: Record<number, string>; sizes?: { min: number; max: number }[]; ranges?: { min: number; max: number }[] };
  }

  export interface TableIndexEntry {
    columnName: string;
    foreign?: string;
    implied?: boolean;
  }

  export interface ScalarProvider {
    name: string;
    type: number;
    oid: string;
    scalarType: number;
    maxAccess: number;
  }

  export interface TableProvider {
    name: string;
    type: number;
    /** The ENTRY's OID: columns come out as oid.column.index. */
    oid: string;
    maxAccess: number;
    tableColumns: TableColumn[];
    tableIndex: TableIndexEntry[];
  }

  export type Provider = ScalarProvider | TableProvider;

  export interface Mib {
    registerProvider(provider: Provider): void;
    setScalarValue(name: string, value: Value): boolean;
    getScalarValue(name: string): Value;
    addTableRow(table: string, row: Value[]): void;
    setTableSingleCell(table: string, columnNumber: number, rowIndex: Value[], value: Value): void;
    deleteTableRow(table: string, rowIndex: Value[]): boolean;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: User): void;
  }

  export interface AgentOptions {
    port: number;
    address: string;
    engineID?: string;
    accessControlModelType?: number;
    disableAuthorization?: boolean;
    transport?: 'udp4' | 'udp6';
  }

  export interface Agent {
    getMib(): Mib;
    getAuthorizer(): Authorizer;
    registerProvider(provider: Provider): void;
    close(callback?: () => void): void;
  }

  export function createAgent(options: AgentOptions, callback: (error: Error | null, data: unknown) => void): Agent;

  export interface SubagentOptions {
    master: string;
    masterPort: number | string;
    timeout?: number;
    description?: string;
  }

  export interface Subagent extends EventEmitter {
    getMib(): Mib;
    open(callback: (error: Error | null, pdu?: unknown) => void): void;
    close(callback?: (error: Error | null) => void): void;
    registerProvider(provider: Provider, callback: (error: Error | null, pdu?: unknown) => void): void;
    addAgentCaps(oid: string, descr: string, callback: (error: Error | null, pdu?: unknown) => void): void;
    notify(oid: string, varbinds: Varbind[], callback: (error: Error | null, pdu?: unknown) => void): void;
    socket: { destroy(): void } | undefined;
  }

  export function createSubagent(options: SubagentOptions): Subagent;

  export interface SessionOptions {
    port?: number;
    trapPort?: number;
    retries?: number;
    timeout?: number;
    version?: number;
    transport?: 'udp4' | 'udp6';
    engineID?: string;
  }

  export interface Session extends EventEmitter {
    trap(oid: string, varbinds: Varbind[], options: Record<string, unknown>, callback: (error: Error | null) => void): void;
    inform(oid: string, varbinds: Varbind[], options: Record<string, unknown>, callback: (error: Error | null) => void): void;
    close(): void;
  }

  export function createSession(target: string, community: string, options: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options: SessionOptions): Session;

  const snmp: {
    Version2c: typeof Version2c;
    Version3: typeof Version3;
    ObjectType: typeof ObjectType;
    MaxAccess: typeof MaxAccess;
    MibProviderType: typeof MibProviderType;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: typeof AuthProtocols;
    PrivProtocols: typeof PrivProtocols;
    AccessControlModelType: typeof AccessControlModelType;
    createAgent: typeof createAgent;
    createSubagent: typeof createSubagent;
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    AgentXPdu: typeof AgentXPdu;
  };
  export default snmp;
}
