import { randomBytes } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import { createApiKey } from "../../src/api-keys/api-keys.service.js";
import { createDeployment } from "../../src/deployments/deployments.service.js";
import { generateId } from "../../src/ids.js";
import { insertSession } from "../../src/sessions/sessions.storage.js";
import type { Db } from "../../src/storage/db.js";
import { apiClient, uniqueEmail, type ApiCall } from "./api.js";
import type { TestServer } from "./start-server.js";

/** RFC 3339 in UTC, as every timestamp of the API is written. */
export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A password no policy refuses. */
export const GOOD_PASSWORD = "correct horse battery staple 42";

/** Creates a user over the API (JSON) and fails the test unless the server answers 200. */
export async function createUser(call: ApiCall, fields: Record<string, unknown> = {}): Promise<any> {
  const response = await call("POST", "/users", { first_name: "Test", last_name: "User", email_address: uniqueEmail(), password: GOOD_PASSWORD, ...fields });
  if (response.status !== 200) throw new Error(`createUser answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** GET /users/{id}/details, asserting 200. */
export async function getDetails(call: ApiCall, userId: string): Promise<any> {
  const response = await call("GET", `/users/${userId}/details`);
  if (response.status !== 200) throw new Error(`details answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** A second deployment with a key of its own, made through the services as the CLI would. */
export async function createSecondDeployment(server: TestServer, name = "second"): Promise<{ deploymentId: string; call: ApiCall }> {
  const deployment = await createDeployment(server.db, name);
  const { secret } = await createApiKey(server.db, deployment.id, `${name}-key`);
  return { deploymentId: deployment.id, call: apiClient(server.baseUrl, secret) };
}

/** Inserts a session row directly (sessions are made by sign-in flows the API does not have yet). */
export async function insertTestSession(
  db: Db,
  deploymentId: string,
  userId: string,
  options: { expiresInMs?: number; revokedAt?: number | null } = {},
): Promise<string> {
  const now = Date.now();
  const id = generateId("ses");
  await insertSession(db, deploymentId, {
    id,
    userId,
    secretHash: randomBytes(32).toString("hex"),
    nowMs: now,
    expiresAt: now + (options.expiresInMs ?? 24 * 60 * 60 * 1000),
    revokedAt: options.revokedAt ?? null,
    ipAddress: "127.0.0.1",
    userAgent: "vitest",
    browser: "Test",
    device: "Test",
  });
  return id;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** A real, decodable RGB PNG of the given size and colour, built byte by byte. */
export function buildPng(width = 2, height = 2, rgb: [number, number, number] = [200, 30, 90]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(pixels)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Bytes as a multipart file part (a copy in a plain ArrayBuffer, as Blob wants). */
export const fileBlob = (bytes: Buffer, type = "image/png") => new Blob([new Uint8Array(bytes)], { type });

/** Counts a user's rows in a table that has a user_id column. */
export async function countRowsOfUser(
  db: Db,
  table: "user_emails" | "user_phones" | "social_connections" | "sessions" | "profile_images",
  userId: string,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A short random tag to make names and searches unique to one test. */
export const uniqueTag = () => randomBytes(4).toString("hex");
