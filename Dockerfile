# syntax=docker/dockerfile:1
# Paystream: one image for every service. `docker run IMAGE` is the embedded all-in-one
# (`paystream start`); `docker run IMAGE run <service>` is one service in Kafka mode.
#
# The sources are TypeScript run through tsx at runtime (no build step), so the image ships the
# sources plus node_modules. `npm ci --omit=dev` is safe: tsx is a runtime dependency of
# @paystream/cli (packages/cli/package.json) and the lockfile does not mark it dev; only the
# root devDependencies (typescript, vitest, biome, @types) and deploy's CDK libraries are left
# out. The deps stage proves that tsx and the native better-sqlite3 binding load.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# ---- manifests: only package.json / package-lock.json, at their paths ----------------------
# A source edit changes this stage's input but not its output, so the `npm ci` layer below stays
# cached until a manifest or the lockfile changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
  && find . -depth -type d -empty -delete

# ---- deps: production node_modules, native modules compiled here ---------------------------
FROM ${NODE_IMAGE} AS deps
# Build tools for better-sqlite3 when no prebuilt binary matches; this stage only.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /src/ ./
# The official image carries the Node headers under /usr/local/include/node: node-gyp uses them
# instead of downloading them.
ENV npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev \
  && node --input-type=module -e "await import('tsx/esm/api')" \
  && node -e "new (require('better-sqlite3'))(':memory:').close()"

# ---- runtime: no compilers, not root ---------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    PAYSTREAM_DATA=/data \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /app
# node_modules (root and any per-workspace ones) first: they change less often than sources.
COPY --from=deps /app/ ./
COPY . .
# The operator console's assets (esbuild + uPlot, both runtime dependencies) are built into the
# image; the service finds them current at start and never writes next to the code.
RUN node_modules/.bin/tsx packages/console/src/build-cli.ts
# Code and dependencies stay owned by root (read-only to the service); only the data directory
# is writable. `node` (uid 1000) comes with the base image.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Node 20 has fetch built in; the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["npx", "paystream"]
CMD ["start"]
