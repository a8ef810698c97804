// NACHA file format: one module per record type (moov-io/ach style), a file builder, a
// validating reader, and the return/NOC side.

export * from './addenda.js';
export * from './batch-control.js';
export * from './batch-header.js';
export * from './entry-detail.js';
export * from './fields.js';
export * from './file.js';
export * from './file-control.js';
export * from './file-header.js';
export * from './reader.js';
export * from './return-codes.js';
export * from './returns.js';
export * from './routing.js';
