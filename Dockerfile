# The reference dashboard is built with the devDependencies (Vite, React), in a stage of its own.
FROM node:20-slim AS dashboard
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY dashboard ./dashboard
COPY bin/build-dashboard.ts ./bin/
RUN npx tsx bin/build-dashboard.ts

# One image for the gateway and the four subgraphs; docker-compose.yml picks the entry point.
# The services run compiled (dist/, `npm run build:server`); tsx stays for the one-shot tools (migrate, seed).
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:server

FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
COPY --from=build /app/dist ./dist
COPY --from=dashboard /app/dashboard/dist ./dashboard/dist
# SERVICE_NODE_FLAGS (lib/config.ts): the young generation's size.
ENV NODE_ENV=production HOST=0.0.0.0 NODE_OPTIONS=--max-semi-space-size=32
USER node
CMD ["node", "dist/gateway/main.js"]
