# One image for the gateway and the four subgraphs; docker-compose.yml picks the entry point.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0
USER node
CMD ["npx", "tsx", "gateway/main.ts"]
