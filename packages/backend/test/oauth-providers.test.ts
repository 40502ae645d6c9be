import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, ValidationError, WachtClient } from "../src/index.js";
import { startRealServer, uniqueEmail, type RealServer } from "./helpers/real-server.js";

let server: RealServer;
let client: WachtClient;
beforeAll(async () => {
  server = await startRealServer();
  client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
}, 60_000);
afterAll(() => server?.close());

describe("client.oauthProviders", () => {
  it("creates, reads, changes and deletes a provider; the secret never comes back", async () => {
    const created = await client.oauthProviders.create({ provider: "google_oauth", client_id: "sdk-client", client_secret: "sdk-secret" });
    expect(created).toMatchObject({
      provider: "google_oauth",
      client_id: "sdk-client",
      issuer: "https://accounts.google.com",
      enabled: true,
      has_client_secret: true,
    });
    expect(JSON.stringify(created)).not.toContain("sdk-secret");
    expect(await client.oauthProviders.get("google_oauth")).toEqual(created);
    const updated = await client.oauthProviders.update("google_oauth", { enabled: false, scopes: ["openid", "email"] });
    expect(updated).toMatchObject({ enabled: false, scopes: ["openid", "email"] });
    expect((await client.oauthProviders.list()).map((provider) => provider.provider)).toEqual(["google_oauth"]);
    await expect(client.oauthProviders.create({ provider: "google_oauth", client_id: "x", client_secret: "y" })).rejects.toBeInstanceOf(ConflictError);
    await expect(client.oauthProviders.create({ provider: "oidc_x", client_id: "x", client_secret: "y" })).rejects.toBeInstanceOf(ValidationError);
    await client.oauthProviders.delete("google_oauth");
    await expect(client.oauthProviders.get("google_oauth")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("reads and changes the social sign-in settings", async () => {
    expect(await client.oauthProviders.getSettings()).toEqual({ redirect_urls: [], allow_sign_up: true });
    expect(await client.oauthProviders.updateSettings({ redirect_urls: ["https://app.example.com/cb"], allow_sign_up: false })).toEqual({
      redirect_urls: ["https://app.example.com/cb"],
      allow_sign_up: false,
    });
  });
});

describe("client.users.getOauthAccessToken", () => {
  it("is a NotFoundError for a connection no social sign-in made", async () => {
    const user = await client.users.createUser({ first_name: "A", last_name: "B", email_address: uniqueEmail("token"), skip_password_check: true });
    const connection = await client.users.linkSocialConnection(user.id, { provider: "github", provider_user_id: "42" });
    const error = await client.users.getOauthAccessToken(user.id, connection.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe("oauth_tokens_not_found");
  });
});
