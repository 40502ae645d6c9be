import type { FastifyRequest } from "fastify";
import type { ChangeContext, EndUserContext } from "../changes/changes.service.js";
import type { Db } from "../storage/db.js";
import { getUserDetails, type UserChangeContext, type UserDetails } from "../user-accounts/user-accounts.service.js";
import { toUserDetailsJson } from "../users/users.schemas.js";
import { clientAddressOf } from "./client-address.js";
import { publicUrlOf } from "./public-url.js";

/** The user's details document as GET /users/{id}/details answers it, links built from `publicUrl`. */
export const userDocumentAt =
  (publicUrl: string): ChangeContext["describeUser"] =>
  async (db: Db, deploymentId: string, userId: string) =>
    toUserDetailsJson(await getUserDetails(db, deploymentId, userId), { publicUrl });

/** The same document from details already read (a create or an update has them at hand). */
export const detailsDocumentAt =
  (publicUrl: string): UserChangeContext["describeDetails"] =>
  (details: UserDetails) =>
    toUserDetailsJson(details, { publicUrl });

/** Who is changing data through this request, for the audit log and webhook payloads (changes/changes.service.ts). */
export function changeContextOf(request: FastifyRequest): UserChangeContext {
  const publicUrl = publicUrlOf(request);
  return {
    // The admin console acts as the key it signed in with.
    actor: { type: "api_key", id: request.apiKeyId, name: request.apiKeyName || (request.consoleSession ? "console" : "") },
    requestId: request.id,
    // request.ip honours WACHT_TRUST_PROXY: the client's address behind a load balancer.
    ipAddress: clientAddressOf(request),
    describeUser: userDocumentAt(publicUrl),
    describeDetails: detailsDocumentAt(publicUrl),
  };
}

/**
 * A signed-in user changing their own account through the Frontend API: events only, no audit
 * entry. The details document's links are built as for the Backend API (WACHT_PUBLIC_URL, else this request's host).
 */
export function endUserContextOf(request: FastifyRequest, userId: string): EndUserContext {
  return { endUserId: userId, describeUser: userDocumentAt(publicUrlOf(request)) };
}
