// Counts the requests the process makes to DynamoDB and KMS, by operation and table, and the
// items it writes — counted in the AWS SDK's middleware, so what is reported is what was sent,
// not an estimate. Exposed as Prometheus counters (`paystream_dynamodb_requests_total{op,table}`,
// `paystream_dynamodb_items_written_total{table}`, `paystream_kms_requests_total{op}`) and as an
// in-process snapshot the bench diffs before and after a run.
//
// One count per SDK call (middleware at the `initialize` step): an SDK-internal retry of the same
// call is not counted again.

import type { Metrics } from './metrics.js';

/** An AWS SDK v3 client (kept structural: this package imports no SDK). */
export interface InstrumentableClient {
  readonly middlewareStack: object;
}

/** The one call of the SDK's middleware stack used here. */
interface Stack {
  add(
    middleware: (
      next: (args: { input: unknown }) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: { input: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override?: boolean },
  ): void;
}

export interface AwsRequestSnapshot {
  /** `op table` → requests, e.g. `PutItem payments`. Multi-table requests count under `*`. */
  readonly dynamodb: Readonly<Record<string, number>>;
  readonly dynamodbRequests: number;
  /** table → items written (puts and deletes, in single, batch and transaction requests). */
  readonly dynamodbItemsWritten: Readonly<Record<string, number>>;
  readonly dynamodbItemsWrittenTotal: number;
  /** op → requests, e.g. `GenerateDataKey`. */
  readonly kms: Readonly<Record<string, number>>;
  readonly kmsRequests: number;
}

export interface AwsRequestCounterOptions {
  /** Where the Prometheus counters go; without it only snapshots are kept. */
  readonly metrics?: Metrics;
}

type Input = {
  TableName?: string;
  RequestItems?: Record<string, unknown[]>;
  TransactItems?: Record<string, { TableName?: string } | undefined>[];
};

/** Operation name from the SDK's command name (`PutItemCommand` → `PutItem`). */
function opOf(commandName: string | undefined): string {
  return (commandName ?? 'Unknown').replace(/Command$/, '');
}

export class AwsRequestCounter {
  readonly #dynamo = new Map<string, number>();
  readonly #written = new Map<string, number>();
  readonly #kms = new Map<string, number>();
  readonly #prom: {
    readonly dynamo: ReturnType<Metrics['counter']>;
    readonly written: ReturnType<Metrics['counter']>;
    readonly kms: ReturnType<Metrics['counter']>;
  } | null;

  constructor(options: AwsRequestCounterOptions = {}) {
    const m = options.metrics;
    this.#prom = m
      ? {
          dynamo: m.counter('dynamodb_requests_total', 'DynamoDB requests sent, by operation and table', [
            'op',
            'table',
          ]),
          written: m.counter('dynamodb_items_written_total', 'DynamoDB items written (puts and deletes)', [
            'table',
          ]),
          kms: m.counter('kms_requests_total', 'KMS requests sent, by operation', ['op']),
        }
      : null;
  }

  /**
   * Adds the counting middleware to a DynamoDB client (also counts its DocumentClient's calls).
   * Table labels drop `tablePrefix` (a namespace such as `paystream_`), so runs compare.
   */
  instrumentDynamoDb(client: InstrumentableClient, tablePrefix = ''): void {
    const label = (name: string) =>
      tablePrefix !== '' && name.startsWith(tablePrefix) ? name.slice(tablePrefix.length) : name;
    (client.middlewareStack as Stack).add(
      (next, context) => async (args) => {
        this.#countDynamo(opOf(context.commandName), (args.input ?? {}) as Input, label);
        return await next(args);
      },
      { step: 'initialize', name: 'paystreamDynamoDbRequestCounter', override: true },
    );
  }

  instrumentKms(client: InstrumentableClient): void {
    (client.middlewareStack as Stack).add(
      (next, context) => async (args) => {
        this.#countKms(opOf(context.commandName));
        return await next(args);
      },
      { step: 'initialize', name: 'paystreamKmsRequestCounter', override: true },
    );
  }

  #countDynamo(op: string, input: Input, tableLabel: (name: string) => string): void {
    const written = new Map<string, number>();
    const tables = new Set<string>();
    if (input.TableName !== undefined) {
      tables.add(input.TableName);
      if (op === 'PutItem' || op === 'DeleteItem' || op === 'UpdateItem') written.set(input.TableName, 1);
    }
    if (input.RequestItems) {
      for (const [name, requests] of Object.entries(input.RequestItems)) {
        tables.add(name);
        if (op === 'BatchWriteItem') written.set(name, (written.get(name) ?? 0) + requests.length);
      }
    }
    for (const action of input.TransactItems ?? []) {
      for (const [kind, body] of Object.entries(action)) {
        const name = body?.TableName;
        if (name === undefined) continue;
        tables.add(name);
        if (op === 'TransactWriteItems' && kind !== 'ConditionCheck') {
          written.set(name, (written.get(name) ?? 0) + 1);
        }
      }
    }
    const table = tables.size === 1 ? tableLabel([...tables][0]!) : tables.size === 0 ? '-' : '*';
    const key = `${op} ${table}`;
    this.#dynamo.set(key, (this.#dynamo.get(key) ?? 0) + 1);
    this.#prom?.dynamo.inc({ op, table });
    for (const [name, n] of written) {
      const label = tableLabel(name);
      this.#written.set(label, (this.#written.get(label) ?? 0) + n);
      this.#prom?.written.inc({ table: label }, n);
    }
  }

  #countKms(op: string): void {
    this.#kms.set(op, (this.#kms.get(op) ?? 0) + 1);
    this.#prom?.kms.inc({ op });
  }

  snapshot(): AwsRequestSnapshot {
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return {
      dynamodb: Object.fromEntries(this.#dynamo),
      dynamodbRequests: sum(this.#dynamo),
      dynamodbItemsWritten: Object.fromEntries(this.#written),
      dynamodbItemsWrittenTotal: sum(this.#written),
      kms: Object.fromEntries(this.#kms),
      kmsRequests: sum(this.#kms),
    };
  }
}

/** What happened between two snapshots (counts that did not move are left out). */
export function diffAwsRequests(before: AwsRequestSnapshot, after: AwsRequestSnapshot): AwsRequestSnapshot {
  const diff = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(b)) {
      const d = v - (a[k] ?? 0);
      if (d !== 0) out[k] = d;
    }
    return out;
  };
  return {
    dynamodb: diff(before.dynamodb, after.dynamodb),
    dynamodbRequests: after.dynamodbRequests - before.dynamodbRequests,
    dynamodbItemsWritten: diff(before.dynamodbItemsWritten, after.dynamodbItemsWritten),
    dynamodbItemsWrittenTotal: after.dynamodbItemsWrittenTotal - before.dynamodbItemsWrittenTotal,
    kms: diff(before.kms, after.kms),
    kmsRequests: after.kmsRequests - before.kmsRequests,
  };
}
