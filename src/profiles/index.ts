// Hardware profiles (hw-profiles/): appliance models (nodes, heartbeat links, fence devices and
// levels, shared storage, watchdog) and device models (PDU OID tables, BMC options), their schema,
// the library that loads and checks them with every problem's path, and the step from an appliance
// to working fence drivers.
export type {
  ApplianceLinkProfile,
  ApplianceNodeProfile,
  ApplianceProfile,
  BmcModelProfile,
  FenceDeviceProfile,
  FenceTimingsProfile,
  PduModelProfile,
  ProfileDocument,
  SharedStorageProfile,
  StorageLayoutProfile,
} from './hardware-profile-schema.js';
export { applianceSchema, bmcModelSchema, pduModelSchema, profileDocumentSchema, storageLayoutSchema } from './hardware-profile-schema.js';
export type { StorageLayoutDefaults } from './storage-layout-defaults.js';
export { storageLayoutDefaults, storageLayoutLines } from './storage-layout-defaults.js';
export type { LoadedProfile, ProfileIssue, ProfileLibrary } from './profile-library.js';
export { checkAppliance, loadProfileLibrary, parseProfileText } from './profile-library.js';
export type { ApplianceFencing, ApplianceSecret, ApplianceFencingOptions, SecretSource } from './appliance-fencing.js';
export { SECRETS_DIRECTORY, applianceLevels, applianceSecrets, buildApplianceFencing, fileSecretSource, mapSecretSource, pduModelOf, timingsOf } from './appliance-fencing.js';
export { DEFAULT_PROFILE_DIRECTORY, shippedProfileDirectory } from './profile-directory.js';
export type { ApplianceConfigOptions } from './appliance-config.js';
export { applianceConfigText } from './appliance-config.js';
