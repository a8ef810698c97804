export * from './aad.js';
export {
  AwsKmsKeyManager,
  type AwsKmsKeyManagerOptions,
  awsCredentialsMissing,
  createKmsKey,
  ensureKmsAlias,
} from './aws-kms.js';
export * from './envelope.js';
export * from './fingerprint.js';
export { LocalFileKeyManager, type LocalFileKeyManagerOptions } from './local-file.js';
export * from './port.js';
