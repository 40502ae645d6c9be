import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { cliAuditContext } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import { loadSecretBox } from "../crypto/encryption-key.js";
import { ensureDefaultDeployment, findDeployment } from "../deployments/deployments.service.js";
import { WachtError } from "../errors.js";
import { toOauthProviderJson } from "../oauth-providers/oauth-providers.schemas.js";
import { listOauthProviders, putOauthProvider, removeOauthProvider } from "../oauth-providers/oauth-providers.service.js";
import { withDatabase } from "./with-database.js";

const help = `wacht oauth-providers — the identity providers end users sign in with (social sign-in)

  wacht oauth-providers list [--deployment ID] [--json]
  wacht oauth-providers set PROVIDER --client-id ID (--client-secret-stdin | --client-secret SECRET)
                            [--issuer URL] [--scopes "a b c"] [--disable] [--deployment ID] [--json]
        PROVIDER: google_oauth, github_oauth, microsoft_oauth, apple_oauth or oidc_<slug> (needs --issuer).
        Creates the provider or changes it. --client-secret-stdin keeps the secret out of the process list.
  wacht oauth-providers remove PROVIDER [--deployment ID]`;

export async function runOauthProvidersCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      deployment: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "client-secret-stdin": { type: "boolean" },
      issuer: { type: "string" },
      scopes: { type: "string" },
      disable: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help || action === "--help" || !action) {
    console.log(help);
    return action ? 0 : 2;
  }
  if (action !== "list" && action !== "set" && action !== "remove") {
    console.error(`wacht oauth-providers: unknown action '${action}'.\n\n${help}`);
    return 2;
  }
  const provider = positionals[0];
  if (action !== "list" && !provider) {
    console.error(`wacht oauth-providers ${action}: give the provider name, e.g. google_oauth.`);
    return 2;
  }
  return withDatabase(config, async (db) => {
    const deploymentId = values.deployment ?? (await ensureDefaultDeployment(db)).id;
    if (!(await findDeployment(db, deploymentId))) {
      console.error(`wacht oauth-providers ${action}: no deployment '${deploymentId}'.`);
      return 1;
    }
    try {
      if (action === "list") {
        const providers = (await listOauthProviders(db, deploymentId)).map(toOauthProviderJson);
        if (values.json) console.log(JSON.stringify(providers));
        else
          for (const p of providers)
            console.log(`${p.provider}\t${p.client_id}\t${p.issuer ?? "-"}\t${p.scopes.join(" ")}\t${p.enabled ? "enabled" : "disabled"}`);
        return 0;
      }
      if (action === "remove") {
        await removeOauthProvider(db, deploymentId, provider!, cliAuditContext("oauth-providers remove"));
        console.log(`Removed ${provider}.`);
        return 0;
      }
      const clientSecret = values["client-secret-stdin"] ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : values["client-secret"];
      if (!values["client-id"] || !clientSecret) {
        console.error("wacht oauth-providers set: --client-id and a client secret (--client-secret-stdin or --client-secret) are required.");
        return 2;
      }
      const saved = await putOauthProvider(
        db,
        loadSecretBox(config).secretBox,
        deploymentId,
        {
          provider: provider!,
          clientId: values["client-id"],
          clientSecret,
          issuer: values.issuer,
          scopes: values.scopes?.split(/[\s,]+/).filter(Boolean),
          enabled: !values.disable,
        },
        cliAuditContext("oauth-providers set"),
      );
      if (values.json) console.log(JSON.stringify(toOauthProviderJson(saved)));
      else console.log(`Saved ${saved.provider} (client ${saved.clientId}, ${saved.enabled ? "enabled" : "disabled"}); the client secret is stored encrypted.`);
      return 0;
    } catch (error) {
      // A refusal (unknown provider, bad issuer) is a message for the operator, not a stack trace.
      if (!(error instanceof WachtError)) throw error;
      console.error(`wacht oauth-providers ${action}: ${error.message}`);
      return 1;
    }
  });
}
