// The moov-io/ach achcli cross-check, shared by the NACHA writer's suite and the service's
// end-to-end test: builds achcli at a pinned version from the Go module proxy into
// ~/.cache/paystream/go-bin (once), and validates a file with both of its reading modes.
// If Go is missing it FAILS (never skips), naming what is missing.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export const ACH_MODULE = 'github.com/moov-io/ach';
export const ACH_VERSION = 'v1.50.0';
const GOBIN = join(homedir(), '.cache', 'paystream', 'go-bin');
const ACHCLI = join(GOBIN, 'achcli');

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 280_000,
    maxBuffer: 256 * 1024 * 1024,
    ...opts,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

function installedVersion(): string | undefined {
  if (!existsSync(ACHCLI)) return undefined;
  const r = run(ACHCLI, ['-version']);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Build achcli at the pinned version unless that exact version is already cached. */
export function ensureAchcli(): string {
  if (installedVersion()?.includes(ACH_VERSION)) return ACHCLI;
  const go = run('go', ['version']);
  if (go.error !== undefined || go.status !== 0) {
    throw new Error(
      `the Go toolchain ("go" on PATH) is missing: it is needed to build moov-io/ach achcli ${ACH_VERSION} ` +
        `for the NACHA cross-check (install Go 1.22+, or put achcli ${ACH_VERSION} at ${ACHCLI})`,
    );
  }
  mkdirSync(GOBIN, { recursive: true });
  const env = { ...process.env, GOBIN, GOFLAGS: '-mod=mod' };
  const install = run('go', ['install', `${ACH_MODULE}/cmd/achcli@${ACH_VERSION}`], { env, cwd: tmpdir() });
  if (install.status !== 0) {
    // Some module proxies refuse the version-list lookup `go install pkg@version` makes to
    // check for deprecation; download the pinned module and build inside it instead.
    const dl = run('go', ['mod', 'download', '-json', `${ACH_MODULE}@${ACH_VERSION}`], {
      env,
      cwd: tmpdir(),
    });
    if (dl.status !== 0) {
      throw new Error(
        `could not fetch ${ACH_MODULE}@${ACH_VERSION} from the Go module proxy:\n${install.stderr}\n${dl.stderr}${dl.stdout}`,
      );
    }
    const dir = (JSON.parse(dl.stdout) as { Dir?: string }).Dir;
    if (!dir) throw new Error(`go mod download gave no module directory for ${ACH_MODULE}@${ACH_VERSION}`);
    const build = run('go', ['build', '-o', ACHCLI, './cmd/achcli'], { env, cwd: dir });
    if (build.status !== 0) throw new Error(`building achcli ${ACH_VERSION} failed:\n${build.stderr}`);
  }
  const v = installedVersion();
  if (!v?.includes(ACH_VERSION))
    throw new Error(`achcli at ${ACHCLI} reports ${JSON.stringify(v)}, expected ${ACH_VERSION}`);
  return ACHCLI;
}

export interface AchcliJson {
  fileControl: {
    batchCount: number;
    blockCount: number;
    entryAddendaCount: number;
    entryHash: number;
    totalDebit: number;
    totalCredit: number;
  };
  batches: {
    batchHeader: { standardEntryClassCode: string; serviceClassCode: number };
    entryDetails: { transactionCode: number; amount: number; traceNumber: string; category: string }[];
  }[];
}

/** Both achcli modes must accept the file: describe (prints WARN on any error, exit 0) and reformat. */
export function validateWithAchcli(achcli: string, workDir: string, name: string, text: string): AchcliJson {
  const path = join(workDir, `${name}.ach`);
  writeFileSync(path, text);
  const describeOut = run(achcli, [path]);
  expect(describeOut.status, describeOut.stdout + describeOut.stderr).toBe(0);
  expect(describeOut.stdout).not.toMatch(/WARN|ERROR|problem reading/);
  const json = run(achcli, ['-reformat', 'json', path]);
  expect(json.status, json.stdout + json.stderr).toBe(0);
  expect(json.stdout).not.toMatch(/^ERROR/m);
  return JSON.parse(json.stdout) as AchcliJson;
}
