import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ServiceUnavailableError, ValidationError, WachtError, type FieldErrors } from "../errors.js";
import { isDatabaseUnavailable, isUnstorableText } from "../storage/dialect.js";
import { isMultipartReadError } from "./body-parsers.js";

/**
 * The only place an error becomes an HTTP answer: the wire protocol's JSON envelope,
 * `{message, code, details, errors: [{message, code: <status>}]}`. Deliberate errors keep their
 * status and message; anything unexpected is logged and answered as a bare 500.
 */
export function sendError(reply: FastifyReply, error: WachtError): FastifyReply {
  if (error.statusCode === 429 && "retryAfterSeconds" in error) reply.header("retry-after", String(error.retryAfterSeconds));
  return reply
    .status(error.statusCode)
    .type("application/json; charset=utf-8")
    .send(
      JSON.stringify({
        message: error.message,
        code: error.code,
        details: error.details ?? null,
        errors: [{ message: error.message, code: error.statusCode }],
      }),
    );
}

// Fastify's and its plugins' own client errors, by their codes, as our stable codes.
const frameworkCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_json",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_json",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid_content_length",
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_REQ_FILE_TOO_LARGE: "payload_too_large",
  FST_PARTS_LIMIT: "payload_too_large",
  FST_FILES_LIMIT: "payload_too_large",
  FST_FIELDS_LIMIT: "payload_too_large",
  FST_INVALID_MULTIPART_CONTENT_TYPE: "invalid_multipart",
  FST_ERR_CTP_INVALID_TYPE: "unsupported_media_type",
  FST_MP_PREMATURE_CLOSE: "invalid_multipart",
  FST_PROTO_VIOLATION: "invalid_multipart",
  FST_ERR_BAD_URL: "invalid_path",
  FST_ERR_MAX_PARAM_LENGTH: "invalid_path",
};

const frameworkMessages: Record<string, string> = {
  invalid_json: "The request body is not valid JSON.",
  unsupported_media_type: "Unsupported Content-Type: send application/json (or multipart/form-data where a file is accepted).",
  payload_too_large: "The request body is too large.",
  invalid_multipart: "The multipart body could not be read.",
  invalid_content_length: "The Content-Length header does not match the body.",
  invalid_path: "The URL path is not valid: a path parameter is badly percent-encoded or longer than any id.",
};

export function toWachtError(
  error: FastifyError & { validation?: ValidationIssue[]; validationContext?: string },
  request?: FastifyRequest,
): WachtError | null {
  if (error instanceof WachtError) return error;
  if (error.validation) return validationErrorFrom(error.validation, error.validationContext ?? "body");
  if (isDatabaseUnavailable(error)) return new ServiceUnavailableError();
  if (isUnstorableText(error)) return new ValidationError("Text cannot contain NUL characters.", undefined, "invalid_text");
  if (request && isMultipartReadError(request, error)) return new WachtError(400, "invalid_multipart", frameworkMessages.invalid_multipart!);
  // The router answers an over-long path parameter with 414; to a client it is a bad id like any other.
  const status = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? 400 : (error.statusCode ?? 500);
  if (status >= 400 && status < 500) {
    const code = frameworkCodes[error.code] ?? (status === 413 ? "payload_too_large" : status === 415 ? "unsupported_media_type" : "bad_request");
    // Messages of malformed-body errors can echo bytes of the body; ours never do.
    return new WachtError(status, code, frameworkMessages[code] ?? "The request could not be read.");
  }
  return null;
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function validationErrorFrom(issues: ValidationIssue[], context: string): ValidationError {
  const details: FieldErrors = {};
  for (const issue of issues) {
    const base = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
    let field = base;
    let rule = issue.message ?? "is invalid";
    if (issue.keyword === "required") {
      field = [base, issue.params.missingProperty].filter(Boolean).join(".");
      rule = "is required";
    } else if (issue.keyword === "additionalProperties") {
      field = [base, issue.params.additionalProperty].filter(Boolean).join(".");
      rule = "is not a known field";
    } else if (issue.keyword === "enum" || issue.keyword === "const" || issue.keyword === "anyOf") {
      rule = issue.params.allowedValues ? `must be one of ${(issue.params.allowedValues as unknown[]).join(", ")}` : "has a value that is not allowed";
    }
    field ||= context;
    details[field] ??= rule;
  }
  const message = Object.entries(details)
    .map(([field, rule]) => `${field}: ${rule}`)
    .join("; ");
  return new ValidationError(message || "The request is invalid.", details);
}

export const errorHandler = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const known = toWachtError(error, request);
      if (known) {
        if (known.statusCode >= 500) request.log.warn({ err: { message: error.message, code: error.code } }, "database unavailable");
        return sendError(reply, known);
      }
      request.log.error({ err: error }, "unexpected error");
      return sendError(reply, new WachtError(500, "internal_error", "Internal server error."));
    });
    app.setNotFoundHandler((request, reply) =>
      sendError(reply, new WachtError(404, "route_not_found", `No route ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}.`)),
    );
  },
  { name: "error-handler" },
);

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any hook runs (a path that
 * is not valid percent-encoding, a parameter over the length limit) get the same envelope.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header("x-request-id", request.id);
  const known = toWachtError(error);
  if (known) return sendError(reply, known);
  request.log.error({ err: error }, "unexpected router error");
  return sendError(reply, new WachtError(500, "internal_error", "Internal server error."));
}
