// A Confluent-compatible schema registry server for tests — NOT AVAILABLE from the package
// registries this project may use (npm, PyPI, Maven Central, the Go module proxy, crates.io,
// Debian). What was tried:
//
// - Karapace (Aiven): not published on PyPI.
// - Confluent Schema Registry: published only to Confluent's own Maven repository, not Maven
//   Central.
// - Apicurio Registry (has the Confluent-compatible /apis/ccompat/v7 API): Maven Central holds
//   io.apicurio:apicurio-registry-app only as a plain Quarkus application jar (no `-runner`
//   uber-jar; versions 2.x up to 2.6.13.Final, 3.0.9, 3.3.2, 3.3.3). A runnable app needs a
//   Quarkus build (augmentation) over it, which was attempted with quarkus-maven-plugin in a
//   throwaway project that depends on the app jar:
//     * 3.3.3: its parent pom pins Quarkus 3.33.3.1 and the app depends on sibling modules
//       (apicurio-registry-schema-util-provider, -utils-kafka, -config-index,
//       -utils-import-export, -protobuf-schema-utilities, all 3.3.3) that are NOT on Maven
//       Central (HTTP 404), and its parent pom adds repo.eclipse.org, which is unreachable here.
//     * 3.0.9 and 3.3.2: their parent pom io.apicurio:apicurio-registry is not on Maven Central.
//     * 2.6.13.Final (Quarkus 3.15.3): dependency resolution fails on
//       io.apicurio:apicurio-registry-utils-kafka, -schema-util-provider, -utils-import-export,
//       -ui (2.6.13.Final), apicurio-common-app-components-* 0.2.7.Final and
//       apicurio-tenant-manager-client 0.2.0.Final — not on Maven Central.
//   So no Apicurio version can be assembled from Maven Central alone.
// - npm / PyPI / Go / crates.io: only registry *clients* (and unrelated "schema registry"
//   packages); no Confluent-compatible server implementation was found.
//
// Consequence (DESIGN §2, issue 2 item 4): the Kafka adapter is tested with the embedded
// registry over schemas/avro/; `startSchemaRegistry` fails with a MissingPrerequisite that says
// why, and a deployment supplies SCHEMA_REGISTRY_URL itself. If an operator has a registry, set
// PAYSTREAM_TEST_SCHEMA_REGISTRY_URL and it is used as is (it is checked to answer
// GET /subjects first).

import { MissingPrerequisite } from './process.js';

export interface SchemaRegistryServer {
  readonly url: string;
  stop(): Promise<void>;
}

export const SCHEMA_REGISTRY_UNAVAILABLE =
  'no Confluent-compatible schema registry server can be installed from npm, PyPI, Maven Central, the Go proxy, crates.io or Debian ' +
  '(Karapace is not on PyPI; Confluent Schema Registry is not on Maven Central; Apicurio Registry 2.6.13.Final/3.x cannot be assembled ' +
  'from Maven Central because several of its own modules are not published there). Set PAYSTREAM_TEST_SCHEMA_REGISTRY_URL to an existing ' +
  'registry, or use the embedded registry.';

export async function startSchemaRegistry(): Promise<SchemaRegistryServer> {
  const external = process.env.PAYSTREAM_TEST_SCHEMA_REGISTRY_URL;
  if (external) {
    const url = external.replace(/\/+$/, '');
    let ok = false;
    try {
      const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(5000) });
      ok = res.ok;
    } catch {
      ok = false;
    }
    if (!ok)
      throw new MissingPrerequisite(
        'a schema registry',
        `PAYSTREAM_TEST_SCHEMA_REGISTRY_URL=${url} does not answer GET /subjects`,
      );
    return { url, stop: async () => undefined };
  }
  throw new MissingPrerequisite('a Confluent-compatible schema registry server', SCHEMA_REGISTRY_UNAVAILABLE);
}
