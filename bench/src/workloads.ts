import { personAt, searchTermFor } from "./seed/people.js";
import { BETTER_AUTH_BASE_PATH } from "./targets/better-auth-options.mjs";

/** In the order they run: reads first, so the writes' new rows never change what a read measures. */
export const WORKLOAD_NAMES = [
  "get-by-id",
  "get-by-email",
  "list-first-page",
  "list-offset-9000",
  "list-cursor-deep",
  "search",
  "get-by-id-latency",
  "search-latency",
  "create-with-password",
  "create-without-password",
  "update-metadata",
] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];
/** The workloads before the first write (WORKLOAD_NAMES runs reads first). */
export const READ_WORKLOAD_NAMES: readonly WorkloadName[] = WORKLOAD_NAMES.slice(0, WORKLOAD_NAMES.indexOf("create-with-password"));

/**
 * wacht-postgres: Wacht on the --postgres database, measured only when that flag is given.
 * argon2: raw argon2id, the bound of create-with-password (no HTTP request per hash: README).
 */
export const TARGET_NAMES = ["wacht", "wacht-postgres", "floor", "better-auth", "argon2"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface PlannedRequest {
  method: "GET" | "POST" | "PATCH";
  path: string;
  /** Sent as JSON. */
  body?: unknown;
}

export interface Workload {
  /** A new request each call: random seeded users, fresh emails for creates. */
  next(): PlannedRequest;
  /** Concurrent connections for this workload, in place of --connections (the latency variants: 1). */
  connections?: number;
  /** Checked once before the load, on a real answer: null when it is what the workload expects. */
  check(status: number, body: any): string | null;
  /** Measured by the target's own loop of this many hashes in flight, not by requests (raw argon2id). */
  hashLoop?: { concurrency: number };
}

export interface SeededSet {
  userCount: number;
  /** Ids of person 0…userCount-1 in this target's database. */
  userIds: string[];
  listOffset: number;
}

const PAGE_SIZE = 20;
// Long and uncommon, so our password policy accepts it; the same for every target.
const NEW_USER_PASSWORD = "violet tractor umbrella 1987";
// Each run creates users with addresses no earlier run used.
const runTag = Date.now().toString(36);
let createdCount = 0;
const newEmail = (target: TargetName) => `bench.${target}.${runTag}.${createdCount++}@example.com`;

const randomIndex = (set: SeededSet) => Math.floor(Math.random() * set.userCount);
const query = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)])).toString();

/** A list answer holding exactly the user searched for. */
function findsOne(items: any[] | undefined, total: unknown, field: string): string | null {
  if (!Array.isArray(items) || items.length !== 1 || total !== 1) return `expected exactly one user, got ${JSON.stringify({ total, count: items?.length })}`;
  return typeof items[0]?.[field] === "string" ? null : `the user has no ${field}`;
}

const okWhen = (condition: boolean, otherwise: string) => (condition ? null : otherwise);

/**
 * Our API, as the SDK calls it (JSON bodies, which the server accepts beside multipart). The floor
 * answers the same paths, so both share these workloads.
 */
function wachtWorkloads(set: SeededSet, target: "wacht" | "floor"): Partial<Record<WorkloadName, Workload>> {
  // The user 90% of the way down the newest-first list (person i is created after person i-1):
  // the page after it is the page at depth 0.9 × users, read by cursor.
  const deepCursorIndex = Math.max(0, set.userCount - 1 - Math.floor(set.userCount * 0.9));
  const deepCursorId = set.userIds[deepCursorIndex]!;
  return {
    // Only Wacht pages by cursor; the floor and Better Auth are measured at the offset page instead.
    ...(target === "wacht" && {
      "list-cursor-deep": {
        next: () => ({ method: "GET", path: `/users?${query({ limit: PAGE_SIZE, starting_after: deepCursorId })}` }),
        check: (status: number, body: any) =>
          okWhen(status === 200 && body?.data?.length === Math.min(PAGE_SIZE, deepCursorIndex), `status ${status}, ${body?.data?.length} users`),
      },
    }),
    "get-by-id": {
      next: () => ({ method: "GET", path: `/users/${set.userIds[randomIndex(set)]}/details` }),
      check: (status, body) => okWhen(status === 200 && typeof body?.id === "string" && body.email_addresses?.length === 1, `status ${status}`),
    },
    "get-by-email": {
      next: () => ({ method: "GET", path: `/users?${query({ email_address: personAt(randomIndex(set)).email })}` }),
      check: (status, body) => (status === 200 ? findsOne(body?.data, body?.total, "primary_email_address") : `status ${status}`),
    },
    "list-first-page": {
      next: () => ({ method: "GET", path: `/users?${query({ limit: PAGE_SIZE })}` }),
      check: (status, body) =>
        okWhen(status === 200 && body?.data?.length === Math.min(PAGE_SIZE, set.userCount), `status ${status}, ${body?.data?.length} users`),
    },
    "list-offset-9000": {
      next: () => ({ method: "GET", path: `/users?${query({ limit: PAGE_SIZE, offset: set.listOffset })}` }),
      check: (status, body) => okWhen(status === 200 && body?.data?.length > 0, `status ${status}, ${body?.data?.length} users`),
    },
    search: {
      next: () => ({ method: "GET", path: `/users?${query({ limit: PAGE_SIZE, search: searchTermFor(randomIndex(set)) })}` }),
      check: (status, body) => (status === 200 ? findsOne(body?.data, body?.total, "primary_email_address") : `status ${status}`),
    },
    "create-with-password": {
      next: () => ({
        method: "POST",
        path: "/users",
        body: { first_name: "Bench", last_name: "Create", email_address: newEmail(target), password: NEW_USER_PASSWORD },
      }),
      check: (status, body) => okWhen(status === 200 && typeof body?.id === "string", `status ${status}: ${JSON.stringify(body)}`),
    },
    "create-without-password": {
      next: () => ({
        method: "POST",
        path: "/users",
        body: { first_name: "Bench", last_name: "Create", email_address: newEmail(target), skip_password_check: true },
      }),
      check: (status, body) => okWhen(status === 200 && typeof body?.id === "string", `status ${status}: ${JSON.stringify(body)}`),
    },
    "update-metadata": {
      next: () => ({ method: "PATCH", path: `/users/${set.userIds[randomIndex(set)]}`, body: { public_metadata: { plan: "pro", seats: createdCount++ } } }),
      check: (status, body) => okWhen(status === 200 && body?.public_metadata?.plan === "pro", `status ${status}: ${JSON.stringify(body)}`),
    },
  };
}

/**
 * Better Auth's admin plugin: get-user, list-users (with its `contains` search on email and its
 * `eq` filter for the exact email) and create-user. It has no user metadata, so no update workload.
 * Lists use its default order (none), which asks less of it than our newest-first order asks of us.
 */
function betterAuthWorkloads(set: SeededSet): Partial<Record<WorkloadName, Workload>> {
  const admin = (path: string) => `${BETTER_AUTH_BASE_PATH}/admin/${path}`;
  return {
    "get-by-id": {
      next: () => ({ method: "GET", path: admin(`get-user?${query({ id: set.userIds[randomIndex(set)]! })}`) }),
      check: (status, body) => okWhen(status === 200 && typeof body?.id === "string", `status ${status}`),
    },
    "get-by-email": {
      next: () => ({
        method: "GET",
        path: admin(`list-users?${query({ filterField: "email", filterOperator: "eq", filterValue: personAt(randomIndex(set)).email, limit: PAGE_SIZE })}`),
      }),
      check: (status, body) => (status === 200 ? findsOne(body?.users, body?.total, "email") : `status ${status}`),
    },
    "list-first-page": {
      next: () => ({ method: "GET", path: admin(`list-users?${query({ limit: PAGE_SIZE })}`) }),
      check: (status, body) =>
        okWhen(status === 200 && body?.users?.length === Math.min(PAGE_SIZE, set.userCount + 1), `status ${status}, ${body?.users?.length} users`),
    },
    "list-offset-9000": {
      next: () => ({ method: "GET", path: admin(`list-users?${query({ limit: PAGE_SIZE, offset: set.listOffset })}`) }),
      check: (status, body) => okWhen(status === 200 && body?.users?.length > 0, `status ${status}, ${body?.users?.length} users`),
    },
    search: {
      next: () => ({
        method: "GET",
        path: admin(
          `list-users?${query({ searchField: "email", searchOperator: "contains", searchValue: searchTermFor(randomIndex(set)), limit: PAGE_SIZE })}`,
        ),
      }),
      check: (status, body) => (status === 200 ? findsOne(body?.users, body?.total, "email") : `status ${status}`),
    },
    "create-with-password": {
      next: () => ({ method: "POST", path: admin("create-user"), body: { name: "Bench Create", email: newEmail("better-auth"), password: NEW_USER_PASSWORD } }),
      check: (status, body) => okWhen(status === 200 && typeof body?.user?.id === "string", `status ${status}: ${JSON.stringify(body)}`),
    },
    "create-without-password": {
      next: () => ({ method: "POST", path: admin("create-user"), body: { name: "Bench Create", email: newEmail("better-auth") } }),
      check: (status, body) => okWhen(status === 200 && typeof body?.user?.id === "string", `status ${status}: ${JSON.stringify(body)}`),
    },
  };
}

/**
 * Raw argon2id: only create-with-password, whose bound it is. The preflight asks for one hash
 * (the server's `hashPassword`); the measurement is the target's own loop.
 */
function argon2Workloads(): Partial<Record<WorkloadName, Workload>> {
  // As many hashes in flight as libuv's pool has threads (4 by default): what a server hashes at once.
  const concurrency = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return {
    "create-with-password": {
      next: () => ({ method: "POST", path: "/hash", body: { password: NEW_USER_PASSWORD } }),
      check: (status, body) => okWhen(status === 201 && /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/.test(body?.hash), `status ${status}: ${JSON.stringify(body)}`),
      hashLoop: { concurrency },
    },
  };
}

/**
 * The latency variants: the same requests from one client, one at a time, so p50/p99 are what a
 * request takes rather than its wait behind 31 others (at 32 connections p50 ≈ connections ÷ req/s).
 */
export const LATENCY_VARIANTS: Partial<Record<WorkloadName, WorkloadName>> = { "get-by-id-latency": "get-by-id", "search-latency": "search" };

export function workloadsFor(target: TargetName, set: SeededSet): Partial<Record<WorkloadName, Workload>> {
  if (target === "argon2") return argon2Workloads();
  const workloads = target === "better-auth" ? betterAuthWorkloads(set) : wachtWorkloads(set, target === "floor" ? "floor" : "wacht");
  for (const [variant, base] of Object.entries(LATENCY_VARIANTS) as Array<[WorkloadName, WorkloadName]>) {
    const workload = workloads[base];
    if (workload) workloads[variant] = { ...workload, connections: 1 };
  }
  return workloads;
}
