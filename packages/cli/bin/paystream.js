#!/usr/bin/env node
// Entry point for `npx paystream` and `npm start`. The sources are TypeScript run through tsx,
// so a fresh clone needs no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

// The AWS SDK prints a multi-line NodeVersionSupportWarning on Node < 22 (its releases after
// January 2027 will need Node 22). Paystream supports Node 20 on purpose and the lockfile pins
// the SDK, so the notice says nothing actionable on every start: it is turned off with the
// SDK's documented switch (aws/aws-sdk-js-v3#7983). Set the variable to anything else to see it.
if (Number(process.versions.node.split('.')[0]) < 22)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../src/main.ts');
