export { DirectoryObjectStore } from './directory.js';
export * from './port.js';
export { S3ObjectStore, type S3ObjectStoreOptions } from './s3.js';
