// docker-compose.yml: parses, runs every service in Kafka mode with exactly the variables the
// code reads, health-checks everything long-running, pins every image, and orders start-up.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES } from '../src/settings.js';
import { configVariables, KAFKA_MODE_REQUIRED, repoFile, serviceDirectories } from './helpers.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
}

const compose = parse(repoFile('docker-compose.yml'), { merge: true }) as Compose;
const all = Object.entries(compose.services);
const paystream = all.filter(([, s]) => s.build !== undefined);
const oneShot = new Set(all.filter(([, s]) => s.restart === 'no').map(([n]) => n));

/** `${NAME:-default}` → default; anything else unchanged. */
function fallback(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  it('runs each Paystream service in its own container, built from the Dockerfile', () => {
    const runs = paystream.map(([name, s]) => {
      expect(s.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(s.command?.[0]).toBe('run');
      expect(s.command).toHaveLength(2);
      expect(name).toBe(s.command?.[1]);
      return s.command?.[1];
    });
    expect(runs.sort()).toEqual(serviceDirectories());
    expect(runs.sort()).toEqual([...SERVICES].sort());
  });

  it('gives Paystream services only variables config.ts reads, and all Kafka mode needs', () => {
    const known = configVariables();
    // Sanity: the extraction found the documented variables (ARCHITECTURE.md §5).
    for (const v of ['PORT', 'PAYSTREAM_DATA', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'AWS_ENDPOINT_URL'])
      expect(known).toContain(v);
    for (const [name, s] of paystream) {
      const env = s.environment ?? {};
      const names = Object.keys(env);
      expect(
        names.filter((n) => !known.has(n)),
        `${name}: variables config.ts does not read`,
      ).toEqual([]);
      for (const required of KAFKA_MODE_REQUIRED) expect(env[required], `${name}: ${required}`).toBeTruthy();
      expect(env.HOST, `${name} must listen beyond loopback`).toBe('0.0.0.0');
      expect(env.PORT).toBe('8080');
      for (const b of env.KAFKA_BROKERS!.split(',')) expect(b).toMatch(/^[^\s:]+:\d+$/);
      // Only the public API holds the bootstrap key, and its default passes config.ts' check.
      if (name === 'ingest') expect(fallback(env.PAYSTREAM_API_KEY ?? '')).toMatch(/^[A-Za-z0-9_-]{24,128}$/);
      else expect(names).not.toContain('PAYSTREAM_API_KEY');
    }
  });

  it('health-checks every long-running service; one-shot services gate their dependents', () => {
    for (const [name, s] of all) {
      if (oneShot.has(name)) continue;
      expect(s.healthcheck?.test.length, `${name} has no healthcheck`).toBeGreaterThan(0);
    }
    for (const [name, s] of paystream) expect(s.healthcheck?.test.join(' '), name).toContain('/health');
    expect([...oneShot]).toEqual(['aws-init']);
    for (const [name, s] of paystream) {
      const deps = s.depends_on ?? {};
      for (const infra of ['kafka', 'schema-registry', 'dynamodb', 'moto'])
        expect(deps[infra]?.condition, `${name} → ${infra}`).toBe('service_healthy');
      expect(deps['aws-init']?.condition).toBe('service_completed_successfully');
    }
  });

  it('pins every third-party image, to the versions the test harness runs', () => {
    const images = all.map(([, s]) => s.image).filter((i): i is string => !!i && !i.startsWith('paystream:'));
    for (const image of images) expect(image).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+$/);
    const tag = (name: string) => compose.services[name]?.image?.split(':')[1];
    const pinned = (path: string, constant: string): string | undefined =>
      repoFile(path).match(new RegExp(`${constant}\\s*=[^']*'([0-9.]+)'`))?.[1];
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(tag('kafka')).toBe(pinned('packages/testkit/src/kafka.ts', 'KAFKA_VERSION'));
    expect(tag('dynamodb')).toBe(pinned('packages/testkit/src/dynamodb.ts', 'DYNAMODB_LOCAL_VERSION'));
    expect(tag('moto')).toBe(pinned('packages/testkit/src/moto.ts', 'MOTO_VERSION'));
    expect(compose.services['schema-registry']?.image).toMatch(
      /^confluentinc\/cp-schema-registry:7\.9\.\d+$/,
    );
  });

  it('keeps the log forever and never auto-creates topics', () => {
    const env = compose.services.kafka?.environment ?? {};
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(env.KAFKA_LOG_RETENTION_MS).toBe('-1');
  });

  it('creates the KMS alias and the bucket that the services are configured with', () => {
    const init = (compose.services['aws-init']?.command ?? []).join('\n');
    for (const [, s] of paystream) {
      expect(init).toContain(`'${s.environment?.KMS_KEY_ID}'`);
      expect(init).toContain(`'${s.environment?.S3_BUCKET}'`);
      expect(s.environment?.AWS_ENDPOINT_URL).toBe('http://moto:5000');
      expect(s.environment?.DYNAMODB_ENDPOINT).toBe('http://dynamodb:8000');
    }
  });
});
