// `npm run prepare -w @paystream/console` (run by npm install): builds the console's assets.
import { buildConsoleAssets } from './build.js';

const dir = await buildConsoleAssets();
process.stdout.write(`console assets built in ${dir}\n`);
