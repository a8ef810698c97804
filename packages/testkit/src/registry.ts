// A real Confluent-compatible schema registry: Apicurio Registry 2.4.2.Final, whose ccompat API
// (/apis/ccompat/v7) speaks the Confluent Schema Registry REST protocol. Apicurio publishes only
// a plain application jar on Maven Central, so the recipe in packages/testkit/registry/apicurio
// runs the Quarkus build over it (its README says why each pom detail is there). The build
// output is cached under ~/.cache/paystream/apicurio/, keyed by the recipe's hash, so only the
// first run pays for Maven (~40 s cold); later starts go straight to `java` (~3 s to healthy).

import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireCommand } from './maven.js';
import { CACHE_DIR, freePort, startProcess } from './process.js';

const run = promisify(execFile);

export const APICURIO_VERSION = '2.4.2.Final';

/** The Maven recipe that assembles the registry (pom.xml and .mvn/maven.config). */
export const APICURIO_RECIPE_DIR = fileURLToPath(new URL('../registry/apicurio/', import.meta.url));

/** Where the Confluent-compatible API lives on an Apicurio server. */
export const CCOMPAT_PATH = '/apis/ccompat/v7';

export interface SchemaRegistryServer {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:PORT/apis/ccompat/v7. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartSchemaRegistryOptions {
  /**
   * Keep the registry's storage (an H2 database file) in this folder so schema ids survive a
   * restart. Without it the registry is in memory, which is what tests want.
   */
  readonly dataDir?: string;
  /** Called with one line when the first run has to build the registry with Maven. */
  readonly onBuild?: (message: string) => void;
}

const RECIPE_FILES = ['pom.xml', join('.mvn', 'maven.config')];

function recipeHash(): string {
  const h = createHash('sha256');
  for (const f of RECIPE_FILES) {
    const path = join(APICURIO_RECIPE_DIR, f);
    h.update(f).update('\0');
    if (existsSync(path)) h.update(readFileSync(path));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * Builds the registry once per recipe and returns the path of its quarkus-run.jar. Each build
 * runs in a folder of its own and is moved into place at the end, so two processes starting at
 * once (a test run and `paystream up`) never share a half-built tree.
 */
export async function ensureSchemaRegistryBuilt(onBuild?: (message: string) => void): Promise<string> {
  const home = join(CACHE_DIR, 'apicurio', `${APICURIO_VERSION}-${recipeHash()}`);
  const jar = join(home, 'quarkus-app', 'quarkus-run.jar');
  if (existsSync(jar)) return jar;
  await requireCommand(
    'java',
    ['-version'],
    'a Java 17+ runtime runs the Apicurio schema registry (apt-get install openjdk-17-jdk-headless)',
  );
  await requireCommand(
    'mvn',
    ['-v'],
    'Apache Maven builds the Apicurio schema registry from Maven Central (apt-get install maven)',
  );
  onBuild?.(`building Apicurio Registry ${APICURIO_VERSION} with Maven (first run only, ~40 s)`);
  const work = join(CACHE_DIR, 'apicurio', `build-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(join(work, '.mvn'), { recursive: true });
  for (const f of RECIPE_FILES) cpSync(join(APICURIO_RECIPE_DIR, f), join(work, f));
  try {
    await run('mvn', ['-B', '-q', 'package', '-DskipTests'], {
      cwd: work,
      timeout: 20 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const built = join(work, 'target', 'quarkus-app');
    if (!existsSync(join(built, 'quarkus-run.jar')))
      throw new Error(`the build finished without ${join(built, 'quarkus-run.jar')}`);
    mkdirSync(join(home, '..'), { recursive: true });
    const staged = `${home}.staged-${process.pid}`;
    mkdirSync(staged, { recursive: true });
    renameSync(built, join(staged, 'quarkus-app'));
    writeFileSync(join(staged, 'BUILT'), `${new Date().toISOString()}\n`);
    try {
      renameSync(staged, home);
    } catch (err) {
      // Another process finished first; its copy is as good as ours.
      if (!existsSync(jar)) throw err;
      rmSync(staged, { recursive: true, force: true });
    }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `could not build Apicurio Registry ${APICURIO_VERSION} from ${APICURIO_RECIPE_DIR}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return jar;
}

/** True when `url` (a ccompat base URL) answers like a Confluent-compatible registry. */
export async function schemaRegistryAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/subjects`, { signal: AbortSignal.timeout(5000) });
    return res.ok && Array.isArray(await res.json());
  } catch {
    return false;
  }
}

async function ready(base: string): Promise<boolean> {
  const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) });
  return res.status === 200;
}

/** Builds (once) and starts Apicurio Registry on a free loopback port. */
export async function startSchemaRegistry(
  options: StartSchemaRegistryOptions = {},
): Promise<SchemaRegistryServer> {
  const jar = await ensureSchemaRegistryBuilt(options.onBuild);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const storage: string[] = [];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    // The same H2 engine the in-memory default uses, on a file instead.
    storage.push(`-Dquarkus.datasource.jdbc.url=jdbc:h2:file:${join(options.dataDir, 'registry')}`);
  }
  const proc = await startProcess({
    name: 'schema-registry',
    command: 'java',
    args: [
      // A small heap: the machine has two cores and Kafka and DynamoDB Local run beside it.
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-Dquarkus.http.host=127.0.0.1',
      `-Dquarkus.http.port=${port}`,
      // Its production profile opens 20 pooled connections up front; a test needs a couple.
      '-Dquarkus.datasource.jdbc.initial-size=2',
      '-Dquarkus.datasource.jdbc.min-size=2',
      ...storage,
      '-jar',
      jar,
    ],
    ready: () => ready(base),
    readyTimeoutMs: 120_000,
  });
  const url = `${base}${CCOMPAT_PATH}`;
  if (!(await schemaRegistryAnswers(url))) {
    await proc.stop();
    throw new Error(`Apicurio started but ${url}/subjects does not answer`);
  }
  return { url, stop: () => proc.stop() };
}
