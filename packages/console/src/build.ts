// Builds the console's assets with esbuild: web/main.ts bundled (uPlot included) into app.js,
// web/console.css (uPlot's stylesheet imported) into console.css, index.html copied. Output is
// written to a temporary directory and renamed into place, so two processes starting together
// never serve a half-written build. build.json records a hash of the sources it was built from.

import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = join(here, '..', 'web');
export const DEFAULT_ASSETS_DIR = join(here, '..', 'dist');

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    })
    .sort();
}

/** A hash of every web source and the uPlot version bundled with them. */
export function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of files(WEB_DIR)) {
    h.update(relative(WEB_DIR, f));
    h.update(readFileSync(f));
  }
  h.update(readFileSync(createRequire(import.meta.url).resolve('uplot')));
  return h.digest('hex');
}

export async function buildConsoleAssets(outDir: string = DEFAULT_ASSETS_DIR): Promise<string> {
  const hash = sourceHash();
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await build({
      entryPoints: { app: join(WEB_DIR, 'main.ts'), console: join(WEB_DIR, 'console.css') },
      outdir: tmp,
      bundle: true,
      minify: true,
      format: 'esm',
      target: ['es2022'],
      legalComments: 'external',
      logLevel: 'silent',
    });
    copyFileSync(join(WEB_DIR, 'index.html'), join(tmp, 'index.html'));
    writeFileSync(join(tmp, 'build.json'), JSON.stringify({ sourceHash: hash }));
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(join(outDir, 'build.json'))) return outDir; // another process won the race
    throw err;
  }
  return outDir;
}

/** The assets directory, built now if missing or built from other sources (a checkout changed). */
export async function ensureConsoleAssets(outDir: string = DEFAULT_ASSETS_DIR): Promise<string> {
  try {
    const built = JSON.parse(readFileSync(join(outDir, 'build.json'), 'utf8')) as { sourceHash?: string };
    if (built.sourceHash === sourceHash()) return outDir;
  } catch {
    // not built yet
  }
  return await buildConsoleAssets(outDir);
}
