import { TenantDirectory } from '@paystream/auth';
import { openTestEngines } from '@paystream/runtime/testing';
import { describe, expect, it } from 'vitest';
import { createIngestService } from './service.js';
import { FoldingReadQueries } from './testing/folding-read-queries.js';

describe('createIngestService', () => {
  it('bootstraps tenant default once: the generated key is announced on first start only', async () => {
    const t = await openTestEngines();
    try {
      const announced: string[] = [];
      const service = createIngestService({
        queries: new FoldingReadQueries(t.engines.bus),
        options: { inbound: false, announce: (l) => announced.push(l) },
      });
      expect(service.name).toBe('ingest');
      const ctx = { config: t.config, engines: t.engines, logger: t.logger, metrics: t.metrics };
      await (await service.start(ctx)).stop();
      await (await service.start(ctx)).stop();
      expect(announced).toHaveLength(1);
      expect(announced[0]).toMatch(
        /^API key for tenant "default": psk_[A-Za-z0-9_-]{43} \(saved to .*api-key\)$/,
      );
      const key = announced[0]!.split(' ')[5]!;
      expect((await new TenantDirectory(t.engines.readStore).lookup(key))?.scopes).toEqual([
        'read',
        'write',
        'admin',
        'operator',
      ]);
    } finally {
      await t.cleanup();
    }
  });

  it('with PAYSTREAM_API_KEY set, uses it and prints nothing', async () => {
    const key = 'psk_configured_for_ingest_tests_0001';
    const t = await openTestEngines({ env: { PAYSTREAM_API_KEY: key } });
    try {
      const announced: string[] = [];
      const service = createIngestService({
        queries: new FoldingReadQueries(t.engines.bus),
        options: { inbound: false, announce: (l) => announced.push(l) },
      });
      await (
        await service.start({ config: t.config, engines: t.engines, logger: t.logger, metrics: t.metrics })
      ).stop();
      expect(announced).toEqual([]);
      expect((await new TenantDirectory(t.engines.readStore).lookup(key))?.tenant.id).toBe('default');
    } finally {
      await t.cleanup();
    }
  });
});
