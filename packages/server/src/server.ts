import type { FastifyInstance } from "fastify";
import { createApiKey, countActiveApiKeys, registerOperatorApiKey } from "./api-keys/api-keys.service.js";
import { buildApp } from "./app.js";
import { cliAuditContext } from "./changes/changes.service.js";
import type { Config } from "./config.js";
import { loadSecretBox } from "./crypto/encryption-key.js";
import { ensureDefaultDeployment, frontendApiOf, listDeployments, recordListeningUrl, type Deployment } from "./deployments/deployments.service.js";
import { sealSigningKeys } from "./signing-keys/signing-keys.service.js";
import { applyOauthEnvironment } from "./oauth-providers/oauth-environment.js";
import { createDb, migrateToLatest, type DbHandle } from "./storage/db.js";
import { consoleLoginUrl } from "./console/console-links.service.js";
import { createConsoleLoginToken } from "./console/console-sessions.service.js";

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the database, migrates it, makes sure the default deployment has a key, and listens.
 * `say` receives the lines meant for the person who started the server (the new key, the URL).
 */
export async function startServer(config: Config, say: (line: string) => void = console.log): Promise<RunningServer> {
  const handle: DbHandle = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  let deployment: Deployment;
  let firstKeyId: string | null = null;
  try {
    await migrateToLatest(handle.db);
    deployment = await ensureDefaultDeployment(handle.db);
    if (config.apiKey) {
      for (const revoked of await registerOperatorApiKey(handle.db, deployment.id, config.apiKey)) {
        say(`WACHT_API_KEY changed: revoked the previous one (${revoked.id}, ${revoked.displayPrefix}) of the default deployment.`);
      }
    } else if ((await countActiveApiKeys(handle.db, deployment.id)) === 0) {
      const { apiKey, secret } = await createApiKey(handle.db, deployment.id, "first start", cliAuditContext("serve"));
      firstKeyId = apiKey.id;
      say(`Created an API key for the default deployment. It is shown once; store it now:\n\n  WACHT_API_KEY=${secret}\n`);
    }
  } catch (error) {
    await handle.close();
    throw error;
  }

  let loaded: ReturnType<typeof loadSecretBox>;
  try {
    loaded = loadSecretBox(config);
    // Keys written before they were sealed, or sealed with an encryption key since rotated out of first place.
    for (const each of await listDeployments(handle.db)) {
      const sealed = await sealSigningKeys(handle.db, loaded.secretBox, each.id);
      if (sealed > 0) say(`Sealed ${sealed} signing key(s) of deployment ${each.id} with the current encryption key.`);
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  const { secretBox, source } = loaded;
  await applyOauthEnvironment(handle.db, secretBox, deployment.id, config.oauth).catch(async (error) => {
    await handle.close();
    throw error;
  });
  const app = await buildApp({ config, db: handle.db, secretBox });
  app.addHook("onClose", async () => handle.close());
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  say(`Wacht is listening on ${url} (database: ${describeDatabase(config.databaseUrl)}); try: curl ${url}/health`);
  const consoleUrl = `${(config.publicUrl ?? url).replace(/\/+$/, "")}/console/`;
  say(`Admin console: ${consoleUrl} (sign in with an API key, or a link from 'wacht console-link')`);
  if (firstKeyId) {
    const { token } = await createConsoleLoginToken(handle.db, deployment.id, firstKeyId, Date.now());
    say(`First start: this one-time link signs you in to the console (valid 15 minutes):\n\n  ${consoleLoginUrl(config.publicUrl ?? url, token)}\n`);
  }
  const frontendApi = frontendApiOf(deployment, config, url);
  await recordListeningUrl(handle.db, deployment.id, url);
  say(`Secrets at rest are encrypted with ${source}: back it up with the database; without it they cannot be read.`);
  if (frontendApi) say(`Default deployment: frontend API ${frontendApi.url}, publishable key (WACHT_PUBLISHABLE_KEY) ${frontendApi.publishableKey}`);
  return { app, url, close: () => app.close() };
}

/** The database URL without its password, for humans. */
export function describeDatabase(databaseUrl: string): string {
  return databaseUrl.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
