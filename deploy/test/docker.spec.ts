// The Dockerfile: multi-stage on node:20.20-bookworm-slim, build tools only where native modules
// compile, a non-root runtime with a /health check, and the `paystream` bin of packages/cli as
// its entrypoint (the same entry point `npx paystream` uses outside Docker).

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO, repoFile } from './helpers.js';

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions per stage, line continuations joined, comments dropped. */
function stages(dockerfile: string): { preamble: Instruction[]; stages: Instruction[][] } {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const preamble: Instruction[] = [];
  const out: Instruction[][] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = line.match(/^(\S+)\s*(.*)$/) ?? [];
    const ins = { op: op.toUpperCase(), args };
    if (ins.op === 'FROM') out.push([ins]);
    else if (out.length === 0) preamble.push(ins);
    else out[out.length - 1]!.push(ins);
  }
  return { preamble, stages: out };
}

const parsed = stages(repoFile('Dockerfile'));
const final = parsed.stages[parsed.stages.length - 1]!;
const one = (op: string) => final.filter((i) => i.op === op);

describe('Dockerfile', () => {
  it('builds every stage from node:20.20-bookworm-slim', () => {
    expect(parsed.preamble).toContainEqual({ op: 'ARG', args: 'NODE_IMAGE=node:20.20-bookworm-slim' });
    expect(parsed.stages.length).toBeGreaterThanOrEqual(2);
    for (const s of parsed.stages) expect(s[0]!.args).toMatch(/^\$\{NODE_IMAGE\} AS [a-z]+$/);
    // The image's Node satisfies the engines range of the root package.json.
    const engines = (JSON.parse(repoFile('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=20.20.0');
  });

  it("uses packages/cli's `paystream` bin as the entrypoint, `start` by default", () => {
    const cli = JSON.parse(repoFile('packages/cli/package.json')) as { bin: Record<string, string> };
    const [bin, target] = Object.entries(cli.bin)[0]!;
    expect(bin).toBe('paystream');
    expect(existsSync(`${REPO}packages/cli/${target}`)).toBe(true);
    expect(one('ENTRYPOINT').map((i) => JSON.parse(i.args))).toEqual([['npx', bin]]);
    expect(one('CMD').map((i) => JSON.parse(i.args))).toEqual([['start']]);
  });

  it('installs build tools only in a build stage', () => {
    const installs = (s: Instruction[]) =>
      s.some((i) => i.op === 'RUN' && /apt-get install[^&]*\bg\+\+/.test(i.args));
    expect(parsed.stages.slice(0, -1).some(installs)).toBe(true);
    expect(installs(final)).toBe(false);
    expect(final.some((i) => i.op === 'RUN' && /apt-get|npm (ci|install)/.test(i.args))).toBe(false);
  });

  it('runs as a non-root user and health-checks /health', () => {
    const user = one('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const health = one('HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]!.args).toContain('/health');
    expect(health[0]!.args).toContain('process.env.PORT');
    const env = one('ENV')
      .map((i) => i.args)
      .join(' ');
    // config.ts defaults HOST to 127.0.0.1, unreachable from outside a container.
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
  });

  it('keeps tsx and the native module when dev dependencies are omitted', () => {
    const deps = parsed.stages.find((s) => s.some((i) => i.op === 'RUN' && i.args.includes('npm ci')))!;
    const ci = deps.find((i) => i.op === 'RUN' && i.args.includes('npm ci'))!.args;
    expect(ci).toContain('--omit=dev');
    // tsx runs the TypeScript at runtime: it must be a production dependency...
    const cli = JSON.parse(repoFile('packages/cli/package.json')) as { dependencies: Record<string, string> };
    expect(cli.dependencies.tsx).toBeDefined();
    // ...and the lockfile (what npm ci installs) must not mark it, or better-sqlite3, dev-only.
    const lock = JSON.parse(repoFile('package-lock.json')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    for (const p of ['node_modules/tsx', 'node_modules/esbuild', 'node_modules/better-sqlite3']) {
      expect(lock.packages[p], p).toBeDefined();
      expect(lock.packages[p]?.dev ?? false, `${p} is dev-only`).toBe(false);
    }
    // The build fails, rather than the container at start, if either does not load.
    expect(ci).toContain("import('tsx/esm/api')");
    expect(ci).toContain('better-sqlite3');
  });

  it('has a .dockerignore that keeps what the services need and drops the rest', () => {
    const rules = repoFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const r of ['.git', '**/node_modules', '**/.paystream']) expect(rules).toContain(r);
    // npm ci needs every workspace manifest the lockfile lists, deploy's included.
    expect(rules).toContain('!deploy/package.json');
    for (const needed of ['packages', 'services', 'schemas', 'package.json', 'package-lock.json'])
      expect(
        rules.some((r) => r === needed || r === `${needed}/` || r === `/${needed}`),
        needed,
      ).toBe(false);
  });
});
