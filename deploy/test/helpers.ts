// Shared by the deploy tests: repository paths and the configuration variables the code reads.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export function repoFile(path: string): string {
  return readFileSync(REPO + path, 'utf8');
}

/**
 * Every environment variable packages/runtime/src/config.ts reads, taken from its source
 * (`env.NAME` and `required(env, 'NAME', …)`), so these tests follow config.ts when it changes.
 */
export function configVariables(): Set<string> {
  // The runtime's variables and the webhooks service's own (WEBHOOKS_SNS_TOPIC_ARN, …).
  const src = repoFile('packages/runtime/src/config.ts') + repoFile('services/webhooks/src/config.ts');
  const names = new Set<string>();
  for (const m of src.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
  for (const m of src.matchAll(/required\(\s*env\s*,\s*'([A-Z][A-Z0-9_]*)'/g)) names.add(m[1]!);
  return names;
}

/** Kafka mode does not start without these (config.ts: KAFKA_BROKERS selects it, two are required). */
export const KAFKA_MODE_REQUIRED = ['KAFKA_BROKERS', 'KMS_KEY_ID', 'S3_BUCKET'] as const;

/** The directories under services/: the names `paystream run <service>` accepts. */
export function serviceDirectories(): string[] {
  return readdirSync(`${REPO}services`)
    .filter((d) => existsSync(`${REPO}services/${d}/package.json`))
    .sort();
}
