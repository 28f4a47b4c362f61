# One image for every roomkey service; docker-compose.yml picks the service with SERVICE.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The SDK is an npm workspace: npm ci needs its package.json to link it.
COPY packages/sdk/package.json ./packages/sdk/package.json
RUN npm ci
COPY tsconfig.json nest-cli.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
COPY packages ./packages
# Builds the services, the web console (dist/console) and the SDK.
RUN node scripts/build.js && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
CMD ["sh", "-c", "exec node dist/apps/${SERVICE:?set SERVICE to keys, issuer, identity or gateway}/main.js"]
