import { ValidationError } from "./classes.js";
import { defineErrors, entry, fieldErrors } from "./define.js";

/** Bulk import (POST /users/import, wacht import): per-item failures the other domains have no code for. */
export const importErrors = defineErrors({
  identifier_required: entry(ValidationError, (field: string = "email_addresses") =>
    fieldErrors({ [field]: "a user needs at least one email address, phone number, username or social connection" }),
  ),
  unsupported_password_hasher: entry(ValidationError, (rule: string) => fieldErrors({ password_hasher: rule })),
  // A record of a provider's export that is no user at all (a line that is not JSON, a deleted user): the rejects file's code.
  unreadable_record: entry(ValidationError, (reason: string) => reason),
});
