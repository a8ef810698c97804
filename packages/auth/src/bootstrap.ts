// First start: create tenant `default` and its admin key. The key comes from PAYSTREAM_API_KEY
// or is generated, written to $PAYSTREAM_DATA/api-key with mode 0600, and printed once.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_TENANT, generateApiKey, type TenantDirectory } from './tenants.js';

export interface BootstrapResult {
  readonly apiKey: string;
  /** True when this start created the key (the caller prints it once). */
  readonly created: boolean;
}

export async function bootstrapDefaultTenant(
  directory: TenantDirectory,
  keyFile: string,
  configuredKey: string | undefined,
): Promise<BootstrapResult> {
  if (!(await directory.tenant(DEFAULT_TENANT.id))) await directory.putTenant(DEFAULT_TENANT);
  let apiKey = configuredKey;
  let created = false;
  if (!apiKey && existsSync(keyFile)) apiKey = readFileSync(keyFile, 'utf8').trim();
  if (!apiKey) {
    apiKey = generateApiKey();
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    created = true;
  }
  await directory.addKey(DEFAULT_TENANT.id, apiKey, ['read', 'write', 'admin', 'operator'], 'bootstrap');
  return { apiKey, created };
}
