/**
 * The events Wacht itself emits. Endpoints subscribe to these names; an app's own events (sent
 * with `trigger`) may use any other name, never one of these, so a receiver can trust that a
 * `user.deleted` came from a real deletion.
 */
export const BUILT_IN_EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "email.created",
  "email.updated",
  "email.deleted",
  "phone.created",
  "phone.updated",
  "phone.deleted",
  "session.created",
  "session.revoked",
  "password.updated",
  "social_connection.created",
  "social_connection.deleted",
  // Second factors: data as in second-factors.schemas.ts / passkeys.schemas.ts, never a secret, code or hash.
  "authenticator.created",
  "authenticator.deleted",
  "backup_codes.regenerated",
  "passkey.created",
  "passkey.updated",
  "passkey.deleted",
  // A new domain adds its events here and emits them with recordChange().
] as const;

export type BuiltInEventType = (typeof BUILT_IN_EVENT_TYPES)[number];

const builtIn = new Set<string>(BUILT_IN_EVENT_TYPES);

export const isBuiltInEventType = (name: string): name is BuiltInEventType => builtIn.has(name);
