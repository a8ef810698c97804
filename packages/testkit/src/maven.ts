// Resolves Java servers (Kafka, DynamoDB Local, a schema registry) from Maven Central with the
// machine's `mvn`, into a cached lib folder. ~/.m2 holds the jars across runs, and a marker
// file makes a warm start skip Maven entirely.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE_DIR, MissingPrerequisite } from './process.js';

const run = promisify(execFile);

export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  classifier?: string;
  type?: string;
}

export async function requireCommand(command: string, versionArgs: string[], hint: string): Promise<void> {
  try {
    await run(command, versionArgs, { timeout: 30_000 });
  } catch {
    throw new MissingPrerequisite(command, hint);
  }
}

function pom(name: string, artifacts: MavenArtifact[]): string {
  const deps = artifacts
    .map(
      (a) => `    <dependency>
      <groupId>${a.groupId}</groupId>
      <artifactId>${a.artifactId}</artifactId>
      <version>${a.version}</version>${a.classifier ? `\n      <classifier>${a.classifier}</classifier>` : ''}${a.type ? `\n      <type>${a.type}</type>` : ''}
    </dependency>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.paystream.servers</groupId>
  <artifactId>${name}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
</project>
`;
}

/**
 * Copies `artifacts` and their runtime dependencies into `<cache>/maven/<name>/lib` and returns
 * that folder. `name` must change whenever the artifact list changes (put the version in it).
 */
export async function resolveMavenLib(
  name: string,
  artifacts: MavenArtifact[],
  extraArgs: string[] = [],
): Promise<string> {
  const dir = join(CACHE_DIR, 'maven', name);
  const lib = join(dir, 'lib');
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return lib;
  await requireCommand(
    'mvn',
    ['-v'],
    'Apache Maven is needed to fetch server jars from Maven Central (apt-get install maven)',
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom(name, artifacts));
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:copy-dependencies',
        `-DoutputDirectory=${lib}`,
        '-DincludeScope=runtime',
        ...extraArgs,
      ],
      { cwd: dir, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`Maven could not resolve ${name}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  if (readdirSync(lib).length === 0) throw new Error(`Maven resolved no jars for ${name}`);
  writeFileSync(marker, new Date().toISOString());
  return lib;
}

export function classpathOf(lib: string): string {
  return readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => join(lib, f))
    .join(':');
}
