// Amazon MSK with IAM access control: TLS plus SASL/OAUTHBEARER, where the bearer token is a
// SigV4-signed URL from AWS's own signer, refreshed by kafkajs on every (re)authentication.
// Credentials come from the default chain (the ECS task role in the deployed stack).

import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import type { SASLOptions } from 'kafkajs';

export function mskIamSasl(region: string): SASLOptions {
  return {
    mechanism: 'oauthbearer',
    oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
  };
}
