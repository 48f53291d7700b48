# The service image: worker (default command), HTTP API, sandbox and set-up scripts all run from it.
# TypeScript runs through tsx (a runtime dependency), so there is no separate compile step; the
# workflow bundle is built here so workers start without webpack.

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM deps AS bundle
COPY . .
RUN npm run build:bundle

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=bundle /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
USER node
CMD ["node", "--import", "tsx", "workers/main.ts"]
