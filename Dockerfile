# The checkout server. Build: docker build -t lightning-checkout .
# Node 24 LTS (ln-service needs >= 22; SQLite is better-sqlite3, whose npm package ships a prebuilt binary); the build tools let
# secp256k1 compile its native addon (it falls back to JavaScript without them).
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: see scripts/start.sh (the lock file lacks other platforms' optional binaries).
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY deploy/tsconfig.docker.json ./deploy/
COPY src ./src
COPY plugins ./plugins
# The server and plugins only (bench/ needs the test harness, which the image does not ship).
RUN npx tsc -p deploy/tsconfig.docker.json && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY deploy/app.yaml ./deploy/app.yaml
USER node
EXPOSE 3000
# Ready = database, Redis, etcd and at least one Lightning node that can issue invoices.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
