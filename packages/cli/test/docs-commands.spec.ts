// Every command README.md and deploy/README.md give a user, checked against an explicit list:
// each one is run here, run by a named spec, or skipped for a stated reason (it needs Docker, an
// AWS account, or is a long measurement). A command added to the docs without a line here
// fails the first test; a line here whose command left the docs fails it too.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES } from '@paystream/runtime';
import { freePort } from '@paystream/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DOCS = ['README.md', 'deploy/README.md'] as const;
const exec = promisify(execFile);

/** The commands of a markdown file: lines of ```sh blocks (split at &&) and `npm …`/`npx …`/`cd …` spans. */
export function documentedCommands(markdown: string): string[] {
  const found = new Set<string>();
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.replace(/\\\n/g, ' ').split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line === '' || line.startsWith('#')) continue;
      for (const part of line.split('&&')) found.add(part.trim().replace(/\s+/g, ' '));
    }
  }
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  for (const span of prose.matchAll(/`((?:npx|npm|cd) [^`]+)`/g)) found.add(span[1]!);
  return [...found];
}

type How = { run: string } | { covered: string } | { skip: string };
/** What happens to each documented command; the first matching line decides. */
const COMMANDS: readonly (readonly [RegExp, How])[] = [
  [
    /^npm start$|^npx paystream start$/,
    { run: 'starts the embedded all-in-one; the curl walk-through runs against it' },
  ],
  [/^(KEY|API|CARD)=|^curl /, { run: 'the README walk-through, as a bash script against npm start' }],
  [/^npx paystream audit verify/, { run: 'on the data the walk-through left' }],
  [/^npx paystream replay/, { run: 'on the data the walk-through left' }],
  [/^npx paystream ach close-windows$/, { run: 'on the data the walk-through left' }],
  [
    /^(cd deploy && )?npm run synth$|^cd deploy$/,
    { run: 'the CDK CLI pinned in deploy/ synthesizes the stack' },
  ],
  [/^npx cdk$/, { run: 'npx cdk --version in deploy/ is the pinned CLI, without a download' }],
  [
    /^npx paystream up$/,
    { covered: 'packages/cli/test/up.int.spec.ts (the walk-through through its one URL)' },
  ],
  [
    /^npx paystream run <service>$/,
    { covered: 'packages/cli/test/up.int.spec.ts and the chaos suite run every service so' },
  ],
  [/^npx paystream demo/, { covered: 'packages/cli/test/demo.spec.ts' }],
  [
    /^npx paystream (tenants|keys)\b/,
    { covered: 'packages/cli/test/keys.spec.ts (create, list, revoke; bad input writes nothing)' },
  ],
  [
    /^npm run deps:doc$/,
    { covered: 'packages/cli/test/deps-doc.spec.ts (the --check of the generated file)' },
  ],
  [
    /^npx paystream bench/,
    { covered: 'packages/cli/test/bench.spec.ts (short runs; the documented figures are long measurements)' },
  ],
  [
    /^npm run schemas:(lock|types)$/,
    { covered: 'packages/schemas/src/lock.spec.ts and the stale-types test' },
  ],
  [
    /^npm run servers$/,
    { covered: 'the integration global setup starts the same servers (packages/testkit)' },
  ],
  [/^npm install$/, { skip: 'made this checkout (and needs the npm registry)' }],
  [/^npm audit/, { skip: "needs an advisory database, which this machine's registry does not serve" }],
  [
    /^npm (test|run test:unit|run test:chaos)/,
    { skip: 'a test runner: this spec runs inside it; CI runs the chaos suite (.ci/run)' },
  ],
  [
    /^npm run (bench:|train:fraud|eval:fraud)/,
    { skip: 'a long measurement or training run (minutes of CPU)' },
  ],
  [/^npx tsx [\w/-]+\/bench\//, { skip: 'a measurement script (bench/), not a user command' }],
  [/^npm run console:screenshots$/, { skip: 'needs Chromium; regenerates the README screenshots' }],
  [
    /docker compose up/,
    { skip: 'no Docker engine here; deploy/test/compose.spec.ts checks the file against the code' },
  ],
  [/^npx cdk (bootstrap|deploy)|^npm run (deploy|diff)$/, { skip: 'needs an AWS account and credentials' }],
];

function howOf(command: string): How | undefined {
  return COMMANDS.find(([re]) => re.test(command))?.[1];
}

describe('the documented commands', () => {
  const documented = DOCS.flatMap((f) =>
    documentedCommands(readFileSync(join(ROOT, f), 'utf8')).map((c) => ({ file: f, command: c })),
  );

  it('are each run here, run by a named spec, or skipped for a stated reason', () => {
    const unlisted = documented.filter((d) => howOf(d.command) === undefined);
    expect(unlisted).toEqual([]);
    const stale = COMMANDS.filter(([re]) => !documented.some((d) => re.test(d.command))).map(([re]) =>
      String(re),
    );
    expect(stale).toEqual([]);
    expect(documented.length).toBeGreaterThan(30);
  });

  describe('npm start, the curl walk-through and the operations commands', () => {
    const home = mkdtempSync(join(tmpdir(), 'paystream-docs-'));
    const dataDir = join(home, '.paystream');
    afterAll(() => rmSync(home, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { ...process.env, PAYSTREAM_DATA: dataDir, LOG_LEVEL: 'warn' };
    for (const k of Object.keys(env)) if (/^(KAFKA_BROKERS|PAYSTREAM_API_KEY)$/.test(k)) delete env[k];

    it('npm start serves the README walk-through (the curl block as written, on a free port)', async () => {
      const port = await freePort();
      const server = spawn('npm', ['start'], {
        cwd: ROOT,
        env: { ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let out = '';
      server.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      server.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      try {
        const deadline = Date.now() + 60_000;
        while (!/listening on/.test(out)) {
          if (server.exitCode !== null || Date.now() > deadline) throw new Error(`npm start: ${out}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(out).toMatch(/API key for tenant "default": psk_/);
        const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
        const block = /```sh\n(KEY=\$\(cat \.paystream\/api-key\)[\s\S]*?)```/.exec(readme)?.[1];
        expect(block).toBeDefined();
        // The two substitutions a reader makes: the port, and the ids the payment answered.
        const script = block!
          .replace('API=http://127.0.0.1:8080', `API=http://127.0.0.1:${port}`)
          .replace(
            /^(curl -s -X POST "\$API\/v1\/payments\?wait=5000"[\s\S]*?\n)(?=\S|$)/m,
            (payment) =>
              `OUT=$(${payment.trim()})\necho "$OUT"\nPAY=$(echo "$OUT" | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')\nESC=$(echo "$OUT" | node -pe 'JSON.parse(require("fs").readFileSync(0)).escrowId')\n`,
          )
          .replaceAll('pay_…', '$PAY')
          .replaceAll('esc_…', '$ESC');
        expect(script).toContain('$PAY');
        const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', script], {
          cwd: home,
          timeout: 60_000,
        });
        // curl -s adds no newline: the answers follow each other as {…}{…}.
        const answers = stdout
          .replace(/}\s*{/g, '}\n{')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(answers[0]).toMatchObject({ status: 'held', escrowId: expect.stringMatching(/^esc_/) });
        expect(answers[1]).toMatchObject({ status: 'held', fraud: { decision: 'approve' } });
        expect(answers[2]).toMatchObject({ command: 'Release', status: 'accepted' });
        // The balance may be read before the release is projected: held + available is the net.
        expect(answers[3]).toMatchObject({ providerId: 'prv_rex', currency: 'USD' });
        expect(Number(answers[3]!.held) + Number(answers[3]!.available)).toBe(11500);
        expect(answers[4]).toEqual({
          balanced: true,
          currencies: [{ currency: 'USD', debits: 12500, credits: 12500 }],
        });
      } finally {
        const exited = new Promise((r) => server.once('exit', r));
        process.kill(-server.pid!, 'SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      }
    }, 120_000);

    const npx = async (args: string[]) => {
      try {
        const r = await exec('npx', args, { cwd: ROOT, env, timeout: 120_000 });
        return { code: 0, stdout: r.stdout };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        throw new Error(`npx ${args.join(' ')} exited ${e.code}: ${e.stdout}${e.stderr}`);
      }
    };

    it('npx paystream audit verify, replay and ach close-windows run on that data', async () => {
      const audit = JSON.parse((await npx(['paystream', 'audit', 'verify', '--json'])).stdout);
      expect(audit).toMatchObject({ ok: true, problemCount: 0 });
      expect(audit.events).toBeGreaterThan(5);
      const replay = JSON.parse((await npx(['paystream', 'replay', '--json'])).stdout);
      expect(replay).toMatchObject({ equal: true });
      const close = await npx(['paystream', 'ach', 'close-windows']);
      expect(close.stdout).toMatch(/\S/);
    }, 240_000);
  });

  describe('deploy/', () => {
    it('cd deploy && npm run synth synthesizes the stack with the pinned CDK CLI, with no warning', async () => {
      const out = mkdtempSync(join(tmpdir(), 'paystream-cdk-'));
      try {
        const { stdout, stderr } = await exec('npm', ['run', 'synth', '--', '--output', out], {
          cwd: join(ROOT, 'deploy'),
          timeout: 300_000,
          maxBuffer: 64 * 1024 * 1024,
        });
        expect(stderr).not.toMatch(/UnsupportedFeatureFlag|WARNING|Error/);
        expect(stdout).toMatch(/AWS::ECS::Service/);
        expect(stdout).toMatch(/AWS::ElasticLoadBalancingV2::LoadBalancer/);
        const template = JSON.parse(readFileSync(join(out, 'Paystream.template.json'), 'utf8')) as {
          Resources: Record<string, { Type: string }>;
        };
        expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::ECS::Service')).toHaveLength(
          SERVICE_NAMES.length,
        );
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 300_000);

    it('npx cdk in deploy/ is the pinned CLI and needs no download', async () => {
      const { stdout } = await exec('npx', ['--no-install', 'cdk', '--version'], {
        cwd: join(ROOT, 'deploy'),
        timeout: 60_000,
      });
      const pinned = JSON.parse(readFileSync(join(ROOT, 'deploy', 'package.json'), 'utf8')).devDependencies[
        'aws-cdk'
      ];
      expect(pinned).toBe('2.1148.1');
      expect(stdout).toMatch(new RegExp(`^${pinned.replaceAll('.', '\\.')}`));
    }, 60_000);
  });
});
