// `npx paystream <command>` — one CLI for every way Paystream runs. Configuration comes from the
// environment (PAYSTREAM_DATA, PORT, and the Kafka-mode variables; see README).

import { PaystreamError } from '@paystream/core';
import { loadStartupConfig, SERVICE_NAMES } from '@paystream/runtime';
import { Command } from 'commander';
import { benchCommand, parseBenchOptions } from './commands/bench.js';
import { DEFAULT_PAYMENTS, DEFAULT_SEED, demoCommand, parseDemoOptions } from './commands/demo.js';
import {
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  tenantsCreateCommand,
  tenantsListCommand,
} from './commands/keys.js';
import { auditVerifyCommand, closeWindowsCommand, replayCommand } from './commands/operations.js';
import { runServices } from './compose.js';
import { availableServices, isServiceName } from './services.js';

function fail(err: unknown): never {
  if (err instanceof PaystreamError) console.error(`paystream: ${err.message}`);
  else console.error(err);
  process.exit(1);
}

const program = new Command()
  .name('paystream')
  .description('A payment ledger for marketplaces: escrow, fraud, double-entry ledger, ACH payouts.')
  .showHelpAfterError();

program
  .command('start')
  .description(
    'run every service in one process on the embedded engines (or Kafka mode if KAFKA_BROKERS is set)',
  )
  .action(async () => {
    const config = await loadStartupConfig();
    const running = await runServices(config, availableServices());
    running.lifecycle.exitOnSignals();
    console.log(`Paystream (${config.mode}) listening on ${running.url} — data in ${config.dataDir}`);
  });

program
  .command('up')
  .description(
    'the distributed (Kafka-mode) stack on this machine without Docker: starts Kafka, the schema registry, DynamoDB Local and moto (or reuses KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DYNAMODB_ENDPOINT, AWS_ENDPOINT_URL), runs the five services as processes and serves the whole API on PORT; state in PAYSTREAM_DATA',
  )
  .action(async () => {
    const { upCommand } = await import('./up/up.js');
    await upCommand();
  });

program
  .command('run')
  .description(
    `run one service (${SERVICE_NAMES.join(', ')}): in Kafka mode, or in embedded mode beside the other services' processes on the same PAYSTREAM_DATA (each with its own PORT)`,
  )
  .argument('<service>')
  .action(async (name: string) => {
    if (!isServiceName(name))
      fail(
        new PaystreamError(
          'unknown_service',
          `unknown service "${name}"; one of ${SERVICE_NAMES.join(', ')}`,
        ),
      );
    // Embedded mode works one service per process too: the SQLite log is shared by processes
    // (consumer groups hold partition leases fenced inside the commit transaction; another
    // process's appends are noticed by polling), the read store is a WAL-mode file, the master
    // key is created exclusively, and only ingest creates the default tenant and its key.
    const config = await loadStartupConfig();
    const running = await runServices(config, [name]);
    running.lifecycle.exitOnSignals();
  });

program
  .command('replay')
  .description(
    'rebuild every read model from offset zero into a fresh namespace and compare it with the live one',
  )
  .option('--swap', 'swap the rebuilt read models in (only while projections are stopped)', false)
  .option('--json', 'print the result as JSON', false)
  .action(async (opts: { swap: boolean; json: boolean }) => {
    process.exitCode = await replayCommand(await loadStartupConfig(), opts);
  });

program
  .command('audit')
  .description('tamper evidence')
  .command('verify')
  .description('verify every event hash and every aggregate chain; names the first bad event')
  .option('--json', 'print the report as JSON', false)
  .action(async (opts: { json: boolean }) => {
    process.exitCode = await auditVerifyCommand(await loadStartupConfig(), opts);
  });

const tenants = program
  .command('tenants')
  .description('tenants (platform operator; works on the data dir or the Kafka-mode stores)');
tenants
  .command('create')
  .argument('<id>', 'tenant id: 1–64 of A–Z a–z 0–9 _ -')
  .option('--name <name>', 'display name')
  .option('--fee-bps <n>', 'default platform fee in basis points (800 = 8%)')
  .option('--min-amount <n>', 'smallest payment, minor units')
  .option('--max-amount <n>', 'largest payment, minor units')
  .option(
    '--amount-limit <CUR:MIN:MAX>',
    'per-currency limits in its minor units (repeatable), e.g. JPY:100:700000',
    (v: string, prev: string[] = []) => [...prev, v],
  )
  .option('--json', 'print JSON', false)
  .action(async (id: string, opts: Parameters<typeof tenantsCreateCommand>[2]) => {
    process.exitCode = await tenantsCreateCommand(await loadStartupConfig(), id, opts);
  });
tenants
  .command('list')
  .option('--json', 'print JSON', false)
  .action(async (opts: { json: boolean }) => {
    process.exitCode = await tenantsListCommand(await loadStartupConfig(), opts);
  });

const keys = program.command('keys').description('API keys: create (secret printed once), list, revoke');
keys
  .command('create')
  .requiredOption('--tenant <id>', 'the tenant the key acts for')
  .requiredOption('--scopes <list>', 'comma-separated: read, write, admin, operator')
  .option('--label <text>', 'what the key is for')
  .option('--expires <when>', 'e.g. 30d, 12h or an ISO 8601 date')
  .option('--json', 'print JSON', false)
  .action(async (opts: Parameters<typeof keysCreateCommand>[1]) => {
    process.exitCode = await keysCreateCommand(await loadStartupConfig(), opts);
  });
keys
  .command('list')
  .requiredOption('--tenant <id>', 'whose keys')
  .option('--json', 'print JSON', false)
  .action(async (opts: { tenant: string; json: boolean }) => {
    process.exitCode = await keysListCommand(await loadStartupConfig(), opts);
  });
keys
  .command('revoke')
  .argument('<id>', 'the key id (16 hex digits, from keys list)')
  .option('--tenant <id>', 'the tenant holding it (default: search every tenant)')
  .option('--json', 'print JSON', false)
  .action(async (id: string, opts: { tenant?: string; json: boolean }) => {
    process.exitCode = await keysRevokeCommand(await loadStartupConfig(), id, opts);
  });

program
  .command('ach')
  .description('ACH payouts')
  .command('close-windows')
  .description('close the open ACH submission windows now and write their NACHA files')
  .action(async () => {
    process.exitCode = await closeWindowsCommand(await loadStartupConfig());
  });

program
  .command('bench')
  .description(
    'drive POST /v1/payments over loopback: ingest latency at a fixed rate, sustained end-to-end payments/s at maximum rate, and a no-op fastify route as the ceiling',
  )
  .option('--json', 'print one JSON object', false)
  .option('--rate <n>', 'requests per second in the fixed-rate phase (default 1000)')
  .option('--duration <s>', 'seconds of each of the fixed-rate and maximum-rate phases (default 10)')
  .option('--concurrency <n>', 'requests in flight at maximum rate (default 64)')
  .option('--customers <n>', 'customers (each with its own card) the payments are spread over (default 500)')
  .option('--engine <engine>', 'embedded (a temp data dir) or kafka (the Kafka-mode variables)')
  .option(
    '--fraud-decides',
    'let the fraud model decide (it declines the bench velocity); default: bench customers are allow-listed, so every payment is scored and then held',
    false,
  )
  .action(
    async (opts: {
      json?: boolean;
      rate?: string;
      duration?: string;
      concurrency?: string;
      customers?: string;
      engine?: string;
      fraudDecides?: boolean;
    }) => {
      process.exitCode = await benchCommand(parseBenchOptions(opts));
    },
  );

program
  .command('demo')
  .description(
    'a simulated marketplace day over HTTP: payments from the fraud generator, test cards, reviews, releases, refunds, disputes, ACH windows and a return file; then a summary',
  )
  .option('--json', 'print the summary as one JSON object', false)
  .option('--seed <n>', `seed of the day's traffic (default ${DEFAULT_SEED})`)
  .option('--payments <n>', `payments in the day (default ${DEFAULT_PAYMENTS})`)
  .option('--data <dir>', 'PAYSTREAM_DATA for the run (default: a fresh temp dir, removed afterwards)')
  .option('--engine <engine>', 'embedded or kafka (the Kafka-mode variables; default from KAFKA_BROKERS)')
  .action(
    async (opts: { json?: boolean; seed?: string; payments?: string; data?: string; engine?: string }) => {
      process.exitCode = await demoCommand(parseDemoOptions(opts));
    },
  );

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
