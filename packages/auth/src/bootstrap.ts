// First start: create tenant `default` and its bootstrap key — the platform operator's, with
// every scope. The key comes from PAYSTREAM_API_KEY or is generated, written to
// $PAYSTREAM_DATA/api-key with mode 0600, and printed once. A different PAYSTREAM_API_KEY on a
// later start replaces the earlier bootstrap key (revoked), never adds a second one.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_TENANT, generateApiKey, SCOPES, type TenantDirectory } from './tenants.js';

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
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    created = true;
  }
  await directory.replaceBootstrapKey(DEFAULT_TENANT.id, apiKey, SCOPES);
  return { apiKey, created };
}
