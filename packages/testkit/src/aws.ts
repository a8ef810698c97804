// The AWS-side test servers: DynamoDB Local (Maven Central) and moto for KMS and S3 (PyPI).
export {
  DYNAMODB_LOCAL_VERSION,
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  type LocalServer,
  type LocalServerOptions,
  SQLITE4JAVA_VERSION,
  startDynamoDbLocal,
} from './dynamodb.js';
export { ensureMoto, MOTO_VERSION, startMoto } from './moto.js';
