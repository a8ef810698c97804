import { schemaRegistryContract } from './contract.js';
import { EmbeddedSchemaRegistry } from './embedded.js';

// The Confluent adapter runs the same contract against a real registry server in
// confluent.int.spec.ts (the integration project starts one).
schemaRegistryContract('embedded', async () => new EmbeddedSchemaRegistry());
