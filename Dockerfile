# syntax=docker/dockerfile:1

# report-relay's image: the web process by default; the worker is the same image with the
# Procfile's worker command (compose.yaml). The commands below are the Procfile's, word for word:
# test/unit/deploy-dockerfile.test.ts and deploy-compose.test.ts keep them in step.

# --- build: every dependency, the TypeScript compiler, dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, dist/ and the files the built process reads ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# The email chart draws its text with Liberation Sans (src/delivery/chart-font.ts); the slim image
# has no fonts, and without one the chart goes out with no axes, names or figures.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-liberation \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The dashboard's stylesheet and scripts are served from src/ui/assets (found by walking up to
# package.json, whose name and version the service also reads), not from dist/.
COPY src/ui/assets ./src/ui/assets
# DATA_DIR's default, ./data, is /app/data here: the only folder the service may write to
# (compose.yaml mounts a volume on it); the code stays root's and read-only.
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
# Plain node (the slim image has no curl): /healthz on the web process's PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/web.js"]
