// Shared by the scenario files: run one chaos scenario and fail with the checks that failed,
// their ids, and the chaos log.

import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type ChaosOptions, type ChaosReport, runChaos } from '../src/scenario.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export async function runScenario(options: ChaosOptions): Promise<ChaosReport> {
  let report: ChaosReport;
  try {
    report = await runChaos(options, ROOT);
  } catch (err) {
    const e = err as Error & { chaosLog?: string; dir?: string };
    console.error(`chaos run aborted (seed ${options.seed}); folder ${e.dir ?? '?'}\n${e.chaosLog ?? ''}`);
    throw err;
  }
  const failed = report.checks.filter((c) => !c.ok);
  const summary = {
    ...report,
    checks: report.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
  };
  console.log(JSON.stringify(summary, null, 2));
  if (failed.length > 0) {
    const { readFileSync } = await import('node:fs');
    console.error(
      `chaos run FAILED (seed ${report.seed}); folder kept: ${report.dir}\n--- chaos log ---\n${readFileSync(`${report.dir}/chaos.log`, 'utf8')}`,
    );
  }
  expect(failed.map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
  return report;
}
