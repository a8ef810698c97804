// A rejected command still leaves a trace: the service appends CommandRejected (catalog:
// CommandRejected.avsc) so the caller waiting on the log learns why, and nothing else is written.

import { PaystreamError } from '@paystream/core';
import type { EscrowCommand } from './commands.js';

/** The CommandRejected payload. */
export interface CommandRejected {
  readonly commandId: string;
  readonly commandType: string;
  readonly code: string;
  readonly message: string;
  readonly field: string | null;
  /** The payment the command was about, so its read model can show the rejection. */
  readonly targetId: string | null;
}

/** The rejection record for a command decide() refused. Anything but a PaystreamError is a bug: rethrown. */
export function commandRejected(
  command: EscrowCommand,
  error: unknown,
  targetId: string | null = null,
): CommandRejected {
  if (!(error instanceof PaystreamError)) throw error;
  return {
    commandId: command.metadata.commandId,
    commandType: command.type,
    code: error.code,
    message: error.message,
    field: error.field ?? null,
    targetId,
  };
}
