// `npm run schemas:lock`: record the current envelope schema as a new version, if it changed.
import { updateLock } from './lock.js';

try {
  const { added } = updateLock();
  console.log(
    added === null ? 'schemas/avro/lock.json is up to date' : `locked envelope schema version ${added}`,
  );
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
