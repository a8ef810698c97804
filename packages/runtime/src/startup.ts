// The configuration a command starts with: every problem named at once with its fix — the
// variables loadConfig checks and, in Kafka mode, whether the AWS SDK finds credentials at all
// (otherwise the first KMS or DynamoDB call fails with a bare CredentialsProviderError).

import { awsCredentialsMissing } from '@paystream/keys';
import { type Config, configError, configProblems, loadConfig } from './config.js';

export const NO_AWS_CREDENTIALS =
  'no AWS credentials found (KMS, S3 and DynamoDB need them): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any value for moto or DynamoDB Local), or AWS_PROFILE, or run with an IAM role';

export async function loadStartupConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const problems = configProblems(env);
  const kafkaMode = Boolean(env.KAFKA_BROKERS?.trim());
  if (kafkaMode) {
    const why = await awsCredentialsMissing(env.AWS_REGION || 'us-east-1');
    if (why !== null)
      problems.push({ variable: 'AWS_ACCESS_KEY_ID', message: `${NO_AWS_CREDENTIALS} (${why})` });
  }
  if (problems.length > 0)
    throw configError(
      problems,
      kafkaMode ? 'Kafka mode (KAFKA_BROKERS is set) cannot start' : 'Paystream cannot start',
    );
  return loadConfig(env);
}
