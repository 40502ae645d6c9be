import { ConflictError, NotFoundError, ValidationError } from "./classes.js";
import { conflictOn, defineErrors, entry, fieldErrors } from "./define.js";

/** Users, user accounts and passwords. */
export const usersErrors = defineErrors({
  user_not_found: entry(NotFoundError, (userId: string) => `No user with id '${userId}'.`),
  username_taken: entry(ConflictError, (field: string = "username") => conflictOn(field, "That username is already taken.")),
  external_id_taken: entry(ConflictError, (field: string = "external_id") => conflictOn(field, "That external_id belongs to another user.")),
  password_required: entry(ValidationError, () => fieldErrors({ password: "is required unless skip_password_check is true" })),
  invalid_password_digest: entry(ValidationError, (field: string, rule: string) => fieldErrors({ [field]: rule })),
  password_too_long: entry(ValidationError, (field: string, maxLength: number) => fieldErrors({ [field]: `must be at most ${maxLength} characters` })),
  password_too_short: entry(ValidationError, (field: string, minLength: number) => fieldErrors({ [field]: `must be at least ${minLength} characters` })),
  password_too_common: entry(ValidationError, (field: string) =>
    fieldErrors({ [field]: "is one of the most commonly used passwords, which attackers try first; choose a less common one" }),
  ),
});
