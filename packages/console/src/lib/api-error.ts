import type { ErrorBody } from "../api/types";

/** A failed Backend API call: the server's own message, stable code and per-field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Builds the ApiError of a non-2xx answer from its (possibly non-JSON) body. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const envelope = (typeof body === "object" && body !== null ? body : {}) as ErrorBody;
  const message = typeof envelope.message === "string" && envelope.message ? envelope.message : `The server answered ${status} without an explanation.`;
  const details: Record<string, string> = {};
  if (envelope.details && typeof envelope.details === "object") {
    for (const [field, rule] of Object.entries(envelope.details)) if (typeof rule === "string") details[field] = rule;
  }
  return new ApiError(status, typeof envelope.code === "string" ? envelope.code : `http_${status}`, message, details);
}

/** The text to show for any failure: the API's message, or what the network said. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return `The request failed: ${error.message}`;
  return "The request failed.";
}

/**
 * Splits an error into messages for the form's fields and one for the form as a whole. A 400
 * lists fields in `details`; a 409 names its one field there too. `aliases` maps API field names
 * to the form's (e.g. the API's `email` to a form field `email_address`); a field the form does
 * not have is folded into the general message so nothing the API said is lost.
 */
export function formErrorsOf(
  error: unknown,
  formFields: readonly string[],
  aliases: Record<string, string> = {},
): { fields: Record<string, string>; general: string | null } {
  if (!(error instanceof ApiError)) return { fields: {}, general: messageOf(error) };
  const fields: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const [apiField, rule] of Object.entries(error.details)) {
    const field = aliases[apiField] ?? apiField;
    if (formFields.includes(field)) fields[field] ??= rule;
    else unplaced.push(`${apiField}: ${rule}`);
  }
  const placedAll = Object.keys(fields).length > 0 && unplaced.length === 0;
  return { fields, general: placedAll ? null : unplaced.length && Object.keys(fields).length ? unplaced.join("; ") : error.message };
}
