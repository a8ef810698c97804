// HTTP routes of the batcher (admin scope):
//   POST /v1/ach/windows/close     close due windows and the open one, now (own tenant; operator: all)
//   GET  /v1/ach/batches/{id}/file the NACHA file holding a batch (or a file id), decrypted
//   POST /v1/ach/returns           a NACHA return / NOC file (text/plain) → {applied, unknown, notifications}

import { authOf, isOperator, requireScope, type TenantDirectory } from '@paystream/auth';
import { PaystreamError, sha256Hex } from '@paystream/core';
import { type Engines, type HttpServer, perKeyRateLimit } from '@paystream/runtime';
import { parseReturnFile } from '../nacha/returns.js';
import { achFileAad } from './close.js';
import type { ReturnsCommand } from './control.js';
import { digestMatches } from './digest.js';
import { loadOutbox } from './processor.js';
import {
  closeCommand,
  DEFAULT_REQUEST_TIMEOUT_MS,
  eventsEnd,
  newCommandId,
  submitAndWait,
} from './requests.js';
import { returnFileAad } from './returns.js';
import { BATCHES, FILES, RETURN_FILES } from './state.js';

/** Return files are small (a bank's daily returns); this bounds a hostile upload. */
export const RETURN_FILE_LIMIT_BYTES = 10 * 1024 * 1024;
const ID = '^ach(batch|file)_[0-9a-f]{26}$';

export interface RouteDeps {
  readonly engines: Engines;
  readonly directory: TenantDirectory;
  readonly requestTimeoutMs?: number;
}

function notFound(id: string): PaystreamError {
  return new PaystreamError('not_found', `no ACH batch or file ${id}`, 'id');
}

export function achRoutes(deps: RouteDeps) {
  const { engines, directory } = deps;
  const timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const admin = requireScope(directory, 'admin');

  return async (root: HttpServer): Promise<void> => {
    await root.register(async (scope) => {
      await perKeyRateLimit(scope);
      await routes(scope as unknown as HttpServer);
    });
  };

  async function routes(app: HttpServer): Promise<void> {
    app.post(
      '/v1/ach/windows/close',
      {
        onRequest: admin,
        schema: {
          summary:
            "Close the elapsed ACH windows and the open one now: a tenant admin closes its own payouts, a platform operator every tenant's",
          tags: ['ach'],
        },
      },
      async (req) => {
        const auth = authOf(req);
        const cmd = await closeCommand(engines, {
          upToMs: engines.clock.nowMs(),
          includeOpen: true,
          source: 'http',
          ...(isOperator(auth) ? {} : { tenantId: auth.tenant.id }),
        });
        return await submitAndWait(engines, cmd, timeoutMs);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/v1/ach/batches/:id/file',
      {
        onRequest: admin,
        schema: {
          summary: 'The NACHA file holding this batch, decrypted (admin)',
          tags: ['ach'],
          params: {
            type: 'object',
            properties: { id: { type: 'string', pattern: ID } },
            required: ['id'],
          },
        },
      },
      async (req, reply) => {
        const { id } = req.params;
        const tenantId = authOf(req).tenant.id;
        let fileId = id;
        if (id.startsWith('achbatch_')) {
          const batch = await engines.readStore.get(BATCHES, { batchId: id });
          if (!batch || batch.tenantId !== tenantId) throw notFound(id);
          fileId = String(batch.fileId);
        }
        const file = await engines.readStore.get(FILES, { fileId });
        // Another tenant's file answers 404 like a missing one: ids do not leak across tenants.
        if (!file || file.tenantId !== tenantId) throw notFound(id);
        const sealed = await engines.objects.get(String(file.objectKey));
        if (!sealed)
          throw new PaystreamError('ach_file_missing', `the stored file for ${id} is missing`, 'id');
        const text = await engines.envelope.open(sealed, achFileAad(fileId));
        if (!(await digestMatches(engines, text, String(file.fileSha256)))) {
          throw new PaystreamError(
            'ach_file_corrupt',
            `the stored file for ${id} does not match its hash`,
            'id',
          );
        }
        return reply
          .type('text/plain; charset=us-ascii')
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="${fileId}.ach"`)
          .send(text.toString('ascii'));
      },
    );

    // Return files arrive as text: an encapsulated parser, so other routes keep the defaults.
    await app.register(async (scope) => {
      scope.removeContentTypeParser(['text/plain']);
      scope.addContentTypeParser(
        ['text/plain', 'application/octet-stream'],
        { parseAs: 'string', bodyLimit: RETURN_FILE_LIMIT_BYTES },
        (_req, body, done) => done(null, body),
      );
      scope.post(
        '/v1/ach/returns',
        {
          onRequest: admin,
          bodyLimit: RETURN_FILE_LIMIT_BYTES,
          schema: {
            summary: 'Apply a NACHA return / notification-of-change file (admin, text/plain)',
            tags: ['ach'],
          },
        },
        async (req) => {
          const tenantId = authOf(req).tenant.id;
          const text = typeof req.body === 'string' ? req.body : '';
          if (text.trim() === '') {
            throw new PaystreamError('validation_failed', 'send the NACHA return file as text/plain', 'body');
          }
          // Validate before anything is written: a malformed file gets a clear 400 and no command.
          parseReturnFile(text);
          const fileSha256 = sha256Hex(text);
          const fileKey = `${tenantId}/${fileSha256}`;
          const seen = await engines.readStore.get(RETURN_FILES, { fileSha256: fileKey });
          if (seen) {
            const outbox = await loadOutbox(engines, String(seen.commandId));
            if (outbox) return outbox.result;
          }
          const objectKey = `ach/returns/${tenantId}/${fileSha256}.nacha.sealed`;
          const sealed = await engines.envelope.seal(Buffer.from(text, 'utf8'), returnFileAad(fileSha256));
          await engines.objects.putIfAbsent(objectKey, sealed, 'application/octet-stream');
          const cmd: ReturnsCommand = {
            v: 1,
            kind: 'returns',
            commandId: newCommandId(),
            requestedAtMs: engines.clock.nowMs(),
            eventsPosition: await eventsEnd(engines),
            tenantId,
            objectKey,
            fileSha256,
          };
          return await submitAndWait(engines, cmd, timeoutMs);
        },
      );
    });
  }
}
