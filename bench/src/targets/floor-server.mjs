/**
 * The floor: the least work this stack (node:http + better-sqlite3) can do per call. No framework,
 * no validation beyond what the workloads need, one indexed query per call, answers stored ready
 * to send. Our server's distance from this is the cost of everything it does on top.
 *
 * Plain JavaScript, so no TypeScript loader runs in the measured process (type-checked via JSDoc).
 * Run as its own process: node floor-server.mjs --database <file> --port <n> --api-key <key>
 */
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
// The same argon2id library and parameters as our server: the floor's create-with-password is
// bound by the same hash.
import { hashPassword } from "../../../packages/server/dist/passwords/hasher.js";

/** @typedef {import("node:http").IncomingMessage} IncomingMessage */
/** @typedef {import("node:http").ServerResponse} ServerResponse */

const { values } = parseArgs({ options: { database: { type: "string" }, port: { type: "string" }, "api-key": { type: "string" } } });
const expectedAuthorization = `Bearer ${values["api-key"]}`;

const database = new Database(String(values.database));
// The same settings as our server's SQLite connection.
database.pragma("journal_mode = WAL");
database.pragma("synchronous = NORMAL");

const byId = database.prepare(`SELECT details_json FROM users WHERE id = ?`).pluck();
const byEmail = database.prepare(`SELECT item_json FROM users WHERE email_normalized = ?`).pluck();
const page = database.prepare(`SELECT item_json FROM users ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`).pluck();
const search = database
  .prepare(
    `SELECT item_json FROM users WHERE seq IN (SELECT rowid FROM users_search WHERE users_search MATCH ?)
     ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
  )
  .pluck();
const countSearch = database.prepare(`SELECT count(*) FROM users_search WHERE users_search MATCH ?`).pluck();
const insert = database.prepare(
  `INSERT INTO users (id, email_normalized, password_hash, search_text, created_at, item_json, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)`,
);
const updateMetadata = database
  .prepare(
    `UPDATE users SET details_json = json_set(details_json, '$.public_metadata', json(?), '$.updated_at', ?),
       item_json = json_set(item_json, '$.updated_at', ?)
     WHERE id = ? RETURNING details_json`,
  )
  .pluck();
// The floor is the only writer, so it can keep the total instead of counting on every list.
let userCount = /** @type {number} */ (database.prepare(`SELECT count(*) FROM users`).pluck().get());

/** @param {ServerResponse} response @param {number} status @param {string} json */
function send(response, status, json) {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
  response.end(json);
}

/** @param {string[]} items @param {number} total @param {number} limit @param {number} offset */
const pageJson = (items, total, limit, offset) =>
  `{"data":[${items.join(",")}],"total":${total},"has_more":${offset + items.length < total},"limit":${limit},"offset":${offset}}`;

/** @param {IncomingMessage} request @returns {Promise<Record<string, any>>} */
async function readJson(request) {
  /** @type {Buffer[]} */
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** @param {ServerResponse} response @param {URLSearchParams} query */
function listUsers(response, query) {
  const limit = Number(query.get("limit") ?? 10);
  const offset = Number(query.get("offset") ?? 0);
  const email = query.get("email_address");
  if (email !== null) {
    const item = /** @type {string | undefined} */ (byEmail.get(email.toLowerCase()));
    return send(response, 200, pageJson(item ? [item] : [], item ? 1 : 0, limit, offset));
  }
  const term = query.get("search");
  if (term !== null) {
    const phrase = `"${term.toLowerCase().replaceAll('"', '""')}"`;
    const items = /** @type {string[]} */ (search.all(phrase, limit, offset));
    const total = offset === 0 && items.length < limit ? items.length : /** @type {number} */ (countSearch.get(phrase));
    return send(response, 200, pageJson(items, total, limit, offset));
  }
  send(response, 200, pageJson(/** @type {string[]} */ (page.all(limit, offset)), userCount, limit, offset));
}

/** @param {IncomingMessage} request @param {ServerResponse} response */
async function createUser(request, response) {
  const body = await readJson(request);
  const passwordHash = typeof body.password === "string" ? await hashPassword(body.password) : null;
  const now = Date.now();
  const at = new Date(now).toISOString();
  const id = `usr_${randomUUID()}`;
  const emailId = `eml_${randomUUID()}`;
  const email = String(body.email_address);
  const item = {
    id,
    created_at: at,
    updated_at: at,
    first_name: body.first_name ?? "",
    last_name: body.last_name ?? "",
    username: body.username ?? null,
    profile_picture_url: null,
    primary_email_address: email,
    primary_phone_number: null,
  };
  const details = {
    ...item,
    deployment_id: "dep_floor",
    disabled: false,
    second_factor_policy: "none",
    public_metadata: body.public_metadata ?? {},
    private_metadata: body.private_metadata ?? {},
    primary_email_address_id: emailId,
    primary_phone_number_id: null,
    email_addresses: [
      {
        id: emailId,
        created_at: at,
        updated_at: at,
        deployment_id: "dep_floor",
        user_id: id,
        email,
        is_primary: true,
        verified: true,
        verified_at: at,
        verification_strategy: "otp",
      },
    ],
    phone_numbers: [],
    social_connections: [],
    has_password: passwordHash !== null,
    has_backup_codes: false,
    last_password_reset_at: null,
    schema_version: "v1",
    availability: "available",
    segments: [],
    active_organization_membership_id: null,
    active_workspace_membership_id: null,
  };
  const searchText = [item.first_name, item.last_name, item.username, email]
    .filter((part) => part)
    .join(" ")
    .toLowerCase();
  const itemJson = JSON.stringify(item);
  try {
    insert.run(id, email.toLowerCase(), passwordHash, searchText, now, itemJson, JSON.stringify(details));
  } catch (error) {
    if (/** @type {{ code?: string }} */ (error).code === "SQLITE_CONSTRAINT_UNIQUE") return send(response, 409, `{"message":"email taken"}`);
    throw error;
  }
  userCount++;
  send(response, 200, itemJson);
}

/** @param {IncomingMessage} request @param {ServerResponse} response @param {string} userId */
async function updateUser(request, response, userId) {
  const body = await readJson(request);
  const at = new Date().toISOString();
  const details = /** @type {string | undefined} */ (updateMetadata.get(JSON.stringify(body.public_metadata ?? {}), at, at, userId));
  if (details === undefined) return send(response, 404, `{"message":"user not found"}`);
  send(response, 200, details);
}

/** @param {IncomingMessage} request @param {ServerResponse} response */
async function handle(request, response) {
  if (request.headers.authorization !== expectedAuthorization) return send(response, 401, `{"message":"unauthorized"}`);
  const url = request.url ?? "/";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const segments = path.split("/");
  // "/users" → ["", "users"]; "/users/usr_1/details" → ["", "users", "usr_1", "details"]
  if (segments[1] !== "users") return send(response, 404, `{"message":"not found"}`);
  if (request.method === "GET" && segments.length === 2) return listUsers(response, new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1)));
  if (request.method === "GET" && segments.length === 4 && segments[3] === "details") {
    const details = /** @type {string | undefined} */ (byId.get(segments[2]));
    return details === undefined ? send(response, 404, `{"message":"user not found"}`) : send(response, 200, details);
  }
  if (request.method === "POST" && segments.length === 2) return createUser(request, response);
  if (request.method === "PATCH" && segments.length === 3) return updateUser(request, response, String(segments[2]));
  send(response, 404, `{"message":"not found"}`);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    console.error(error);
    if (!response.headersSent) send(response, 500, `{"message":"internal error"}`);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(values.port), "127.0.0.1", () => console.log(JSON.stringify({ ready: true })));
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
