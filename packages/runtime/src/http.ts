// The HTTP shell every service shares: one error shape ({code, message, field}), /health,
// /metrics, OpenAPI at /docs, body limits. Routes are added by each service as plugins.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { PaystreamError } from '@paystream/core';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { statusForCode } from './errors-http.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { securityHeaders } from './security-headers.js';

export { statusForCode };

export type HttpServer = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

export interface HealthCheck {
  readonly name: string;
  check(): Promise<boolean> | boolean;
}

export interface HttpServerOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly service: string;
  readonly health?: readonly HealthCheck[];
  readonly bodyLimitBytes?: number;
  readonly openapi?: boolean;
  /**
   * Who may read GET /metrics here: an onRequest hook that admits a platform operator's key,
   * or 'off' when a separate METRICS_PORT listener (createMetricsServer) serves them. Platform
   * figures are not for tenants or the internet, so there is no public default.
   */
  readonly metricsAccess?: 'off' | ((req: FastifyRequest, reply: FastifyReply) => Promise<void>);
}

const DEFAULT_BODY_LIMIT = 64 * 1024;

function fieldOf(err: FastifyError): string | undefined {
  const v = err.validation?.[0];
  if (!v) return undefined;
  const params = v.params as Record<string, unknown>;
  const path = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
  const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
  return [path, missing ?? extra].filter(Boolean).join('.') || undefined;
}

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    // Per-request log lines would dominate at thousands of payments/s; metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors raised before routing (a URL that does not percent-decode, an over-long path
    // parameter) bypass setErrorHandler; without this they answered fastify's own
    // {error, code: "FST_ERR_…", statusCode} shape.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return reply.status(414).send({ code: 'uri_too_long', message: 'a path segment is too long' });
      }
      return reply
        .status(400)
        .send({ code: 'bad_request', message: 'the URL is not valid (bad percent-encoding?)' });
    },
    // Requests node's HTTP parser refuses (bad request line or header, header section too large)
    // never reach fastify; answer them in the same {code, message} shape and close.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, reason, code, message] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'the request headers are too large']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'request_timeout', 'the request was not received in time']
            : [400, 'Bad Request', 'bad_request', 'the request is not valid HTTP'];
      const body = JSON.stringify({ code, message });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(err);
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpServer;

  const requests = options.metrics.counter('http_requests_total', 'HTTP requests', [
    'route',
    'method',
    'status',
  ]);
  const latency = options.metrics.histogram('http_request_duration_ms', 'HTTP request latency (ms)', [
    'route',
    'method',
  ]);
  app.addHook('onSend', async (req, reply, payload) => {
    await securityHeaders(req, reply);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    latency.observe({ route, method: req.method }, reply.elapsedTime);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof PaystreamError) {
      return reply.status(statusForCode(err.code)).send(err.toJSON());
    }
    if (err.validation) {
      const field = fieldOf(err);
      const message = `${field ?? 'request'} ${err.validation[0]?.message ?? 'is invalid'}`;
      return reply.status(400).send({ code: 'validation_failed', message, ...(field ? { field } : {}) });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply
          .status(400)
          .send({ code: 'malformed_json', message: 'the request body is not valid JSON' });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply
          .status(413)
          .send({ code: 'payload_too_large', message: 'the request body is too large' });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply
          .status(415)
          .send({ code: 'unsupported_media_type', message: 'send JSON with Content-Type: application/json' });
      case 'FST_ERR_RATE_LIMIT':
        return reply
          .status(429)
          .send({ code: 'rate_limited', message: 'too many requests; slow down and retry' });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ code: 'bad_request', message: err.message });
    }
    req.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send({ code: 'internal_error', message: 'an internal error occurred; it has been logged' });
  });

  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ code: 'route_not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  if (options.openapi !== false) {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Paystream API',
          version: '0.1.0',
          description: 'Payments, escrow, ledger and ACH payouts.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const results = await Promise.all(
      (options.health ?? []).map(async (h) => {
        try {
          return [h.name, await h.check()] as const;
        } catch {
          return [h.name, false] as const;
        }
      }),
    );
    const ok = results.every(([, v]) => v);
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      service: options.service,
      checks: Object.fromEntries(results),
    });
  });

  const access = options.metricsAccess ?? 'off';
  if (access !== 'off') {
    app.get('/metrics', { onRequest: access, schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('content-type', options.metrics.registry.contentType)
        .send(await options.metrics.registry.metrics()),
    );
  }

  return app;
}

/**
 * The METRICS_PORT listener: GET /metrics and nothing else, unauthenticated, for a scraper on
 * a private network (the CDK stack never routes it through the load balancer).
 */
export async function createMetricsServer(options: {
  logger: Logger;
  metrics: Metrics;
}): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpServer;
  app.addHook('onSend', async (req, reply, payload) => {
    await securityHeaders(req, reply);
    return payload;
  });
  app.get('/metrics', async (_req, reply) =>
    reply
      .header('content-type', options.metrics.registry.contentType)
      .send(await options.metrics.registry.metrics()),
  );
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ code: 'route_not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
  return app;
}
