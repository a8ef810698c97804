#!/usr/bin/env node
// Entry point for `npx paystream` and `npm start`. The sources are TypeScript run through tsx,
// so a fresh clone needs no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
