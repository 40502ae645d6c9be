// The domain types the HTTP edge (second-factors.schemas.ts) maps to the wire. They live apart from
// the service because the service imports those mappers for webhook payloads (changes/README.md):
// importing the types from the service would make a cycle.
export type { TotpAuthenticator } from "./second-factors.storage.js";
