import { ConflictError, UnprocessableError, ValidationError } from "./classes.js";
import { defineErrors, entry, fieldErrors } from "./define.js";

export const idempotencyErrors = defineErrors({
  invalid_idempotency_key: entry(ValidationError, () => fieldErrors({ "Idempotency-Key": "must be 1 to 255 visible ASCII characters" })),
  idempotency_key_reused: entry(UnprocessableError, () => "This Idempotency-Key was already used with a different request."),
  idempotency_key_in_progress: entry(ConflictError, () => "A request with this Idempotency-Key is still being processed; retry shortly."),
});
