import { ConflictError, NotFoundError } from "./classes.js";
import { conflictOn, defineErrors, entry } from "./define.js";

export const socialConnectionsErrors = defineErrors({
  social_connection_not_found: entry(NotFoundError, (userId: string, connectionId: string) => `User '${userId}' has no social connection '${connectionId}'.`),
  social_connection_taken: entry(ConflictError, (field: string = "provider_user_id") =>
    conflictOn(field, "That provider account is already linked to a user."),
  ),
});
