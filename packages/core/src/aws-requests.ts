// Process-wide counts of AWS SDK requests, by service and operation, and of DynamoDB items
// written: what `paystream bench` divides by payments to say where the cost is. Counted by a
// middleware on each client (countAwsRequests), so nothing is estimated. A client made for the
// bench's own observation is simply not counted.
//
// Structural types only: the core package depends on no AWS SDK.

/** The part of an AWS SDK v3 client this uses. */
interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { input: unknown }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

export interface AwsRequestCounts {
  /** `service.Operation` → requests sent (retries of one request not included). */
  readonly requests: Readonly<Record<string, number>>;
  /**
   * DynamoDB `Operation table` → requests naming that table (a batch or transaction naming
   * several tables counts once for each), to tell which read model or store costs what.
   */
  readonly dynamoRequestsByTable: Readonly<Record<string, number>>;
  /** DynamoDB items in write requests (PutItem, DeleteItem, UpdateItem, batch and transaction items). */
  readonly dynamoItemsWritten: number;
}

const requests = new Map<string, number>();
const byTable = new Map<string, number>();
let dynamoItemsWritten = 0;

function tablesOf(input: unknown): string[] {
  const i = input as {
    TableName?: string;
    RequestItems?: Record<string, unknown>;
    TransactItems?: Record<string, { TableName?: string }>[];
  };
  if (typeof i.TableName === 'string') return [i.TableName];
  if (i.RequestItems) return Object.keys(i.RequestItems);
  if (i.TransactItems) {
    const names = new Set<string>();
    for (const t of i.TransactItems)
      for (const a of Object.values(t)) if (a.TableName) names.add(a.TableName);
    return [...names];
  }
  return [];
}

function itemsWritten(operation: string | undefined, input: unknown): number {
  const i = input as {
    RequestItems?: Record<string, unknown[]>;
    TransactItems?: { ConditionCheck?: unknown }[];
  };
  switch (operation) {
    case 'PutItemCommand':
    case 'DeleteItemCommand':
    case 'UpdateItemCommand':
      return 1;
    case 'BatchWriteItemCommand':
      return Object.values(i.RequestItems ?? {}).reduce((n, list) => n + list.length, 0);
    case 'TransactWriteItemsCommand':
      return (i.TransactItems ?? []).filter((t) => t.ConditionCheck === undefined).length;
    default:
      return 0;
  }
}

/** Counts every request `client` sends from now on, under `service` (e.g. `dynamodb`, `kms`). */
export function countAwsRequests(client: { readonly middlewareStack: object }, service: string): void {
  // The SDK's own types are generic per client; this middleware reads only the command name and
  // the input, which every client has.
  (client as unknown as MiddlewareClient).middlewareStack.add(
    // Not async: an await here would add a microtask hop to every request.
    (next, context) => (args) => {
      const op = context.commandName;
      const name = `${service}.${(op ?? 'Unknown').replace(/Command$/, '')}`;
      requests.set(name, (requests.get(name) ?? 0) + 1);
      if (service === 'dynamodb') {
        dynamoItemsWritten += itemsWritten(op, args.input);
        const short = name.slice('dynamodb.'.length);
        for (const t of tablesOf(args.input)) {
          const k = `${short} ${t}`;
          byTable.set(k, (byTable.get(k) ?? 0) + 1);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'paystreamRequestCounter' },
  );
}

/** The counts so far (a copy). */
export function awsRequestCounts(): AwsRequestCounts {
  return {
    requests: Object.fromEntries(requests),
    dynamoRequestsByTable: Object.fromEntries(byTable),
    dynamoItemsWritten,
  };
}

/** Requests of one service between two snapshots. */
export function awsRequestsBetween(
  before: AwsRequestCounts,
  after: AwsRequestCounts,
  service: string,
): number {
  let n = 0;
  for (const [name, count] of Object.entries(after.requests)) {
    if (name.startsWith(`${service}.`)) n += count - (before.requests[name] ?? 0);
  }
  return n;
}
