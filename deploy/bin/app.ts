// CDK entry point: `npx aws-cdk@2.1148.1 deploy` from deploy/ (cdk.json runs this through tsx).
import { App } from 'aws-cdk-lib';
import { PaystreamStack } from '../src/stack.js';

const app = new App();
new PaystreamStack(app, 'Paystream', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Paystream payment ledger in Kafka mode: MSK, DynamoDB, KMS, S3, ECS Fargate',
});
app.synth();
