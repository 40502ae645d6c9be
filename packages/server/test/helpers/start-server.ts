import type { FastifyInstance } from "fastify";
import { createApiKey } from "../../src/api-keys/api-keys.service.js";
import { buildApp } from "../../src/app.js";
import { createHash } from "node:crypto";
import { readConfig, type Config } from "../../src/config.js";
import { createSecretBox } from "../../src/crypto/secret-box.js";
import { ensureDefaultDeployment } from "../../src/deployments/deployments.service.js";
import type { DialectName } from "../../src/storage/dialect.js";
import { createDb, migrateToLatest, type Db } from "../../src/storage/db.js";
import { createFreshDatabase } from "./test-database.js";

export interface TestServer {
  baseUrl: string;
  apiKey: string;
  deploymentId: string;
  databaseUrl: string;
  app: FastifyInstance;
  db: Db;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Serve an existing database instead of a fresh one (several instances on one database). */
  databaseUrl?: string;
  config?: Partial<Config>;
}

/**
 * A real server on a real socket: a fresh database (temporary SQLite file, or a new Postgres
 * database), migrations run, a key for the default deployment, listening on 127.0.0.1:<random>.
 */
export async function startServer(dialect: DialectName = "sqlite", options: StartServerOptions = {}): Promise<TestServer> {
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : await createFreshDatabase(dialect);
  const config: Config = {
    ...readConfig({}),
    databaseUrl: database.url,
    port: 0,
    rateLimitMax: 0,
    signInRateLimitMax: 0,
    apiKeyFailureMax: 0,
    ...options.config,
  };
  const handle = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  await migrateToLatest(handle.db);
  const deployment = await ensureDefaultDeployment(handle.db);
  const { secret } = await createApiKey(handle.db, deployment.id, "test");
  // Instances on one database share its encryption key, as they must in production: derive it from the URL.
  const secretBox = createSecretBox(config.encryptionKeys.length ? config.encryptionKeys : [createHash("sha256").update(config.databaseUrl).digest()]);
  const app = await buildApp({ config, db: handle.db, secretBox, logger: process.env.WACHT_TEST_LOGS === "1" });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: secret,
    deploymentId: deployment.id,
    databaseUrl: database.url,
    app,
    db: handle.db,
    close: async () => {
      await app.close();
      await handle.close();
      await database.drop();
    },
  };
}
