# syntax=docker/dockerfile:1
# proxbox-ha-gateway image: build with the dev dependencies, run with the
# production ones only, as the unprivileged "node" user of the base image.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency needs its install script; the one that has one
# (@scarf/scarf, pulled in by swagger-ui-dist) only reports usage analytics.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8090
WORKDIR /app
# main.js reads its version from ../package.json, so package.json sits beside dist/.
COPY --chown=root:root package.json ./
COPY --from=production-dependencies --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
USER node
EXPOSE 8090
# Node runs as PID 1 and handles SIGTERM itself: it stops accepting
# connections, lets requests in flight finish within SHUTDOWN_GRACE_MS and
# exits 0. Give the container a stop timeout above SHUTDOWN_GRACE_MS
# (docker-compose.yml sets stop_grace_period: 15s).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "dist/healthcheck.js"]
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
