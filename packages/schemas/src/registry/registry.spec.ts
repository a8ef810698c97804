import { ConfluentSchemaRegistry } from './confluent.js';
import { schemaRegistryContract } from './contract.js';
import { EmbeddedSchemaRegistry } from './embedded.js';

schemaRegistryContract('embedded', async () => new EmbeddedSchemaRegistry());

const url = process.env.PAYSTREAM_TEST_SCHEMA_REGISTRY_URL;
if (url) schemaRegistryContract(`confluent at ${url}`, async () => new ConfluentSchemaRegistry({ url }));
