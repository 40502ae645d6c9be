import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { RateLimitError, WachtError, errors, type FieldErrors } from "../errors.js";
import { isDatabaseUnavailable, isUnstorableText } from "../storage/dialect.js";
import { isMultipartReadError } from "./body-parsers.js";

/**
 * The only place an error becomes an HTTP answer: the wire protocol's JSON envelope,
 * `{message, code, details, errors: [{message, code: <status>}]}`. Deliberate errors keep their
 * status and message; anything unexpected is logged and answered as a bare 500.
 */
export function sendError(reply: FastifyReply, error: WachtError): FastifyReply {
  if (error instanceof RateLimitError) reply.header("retry-after", String(error.retryAfterSeconds));
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

type FrameworkErrorFactory = (statusCode?: number) => WachtError;

// Fastify's and its plugins' own client errors, by their codes, as our stable codes. Messages of
// malformed-body errors can echo bytes of the body; ours never do.
const frameworkErrors: Record<string, FrameworkErrorFactory> = {
  FST_ERR_CTP_INVALID_JSON_BODY: errors.invalid_json,
  FST_ERR_CTP_EMPTY_JSON_BODY: errors.invalid_json,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: errors.unsupported_media_type,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: errors.invalid_content_length,
  FST_ERR_CTP_BODY_TOO_LARGE: errors.payload_too_large,
  FST_REQ_FILE_TOO_LARGE: errors.payload_too_large,
  FST_PARTS_LIMIT: errors.payload_too_large,
  FST_FILES_LIMIT: errors.payload_too_large,
  FST_FIELDS_LIMIT: errors.payload_too_large,
  FST_INVALID_MULTIPART_CONTENT_TYPE: errors.invalid_multipart,
  FST_ERR_CTP_INVALID_TYPE: errors.unsupported_media_type,
  FST_MP_PREMATURE_CLOSE: errors.invalid_multipart,
  FST_PROTO_VIOLATION: errors.invalid_multipart,
  FST_ERR_BAD_URL: errors.invalid_path,
  FST_ERR_MAX_PARAM_LENGTH: errors.invalid_path,
};

export function toWachtError(
  error: FastifyError & { validation?: ValidationIssue[]; validationContext?: string },
  request?: FastifyRequest,
): WachtError | null {
  if (error instanceof WachtError) return error;
  if (error.validation) return validationErrorFrom(error.validation, error.validationContext ?? "body");
  if (isDatabaseUnavailable(error)) return errors.database_unavailable();
  if (isUnstorableText(error)) return errors.invalid_text();
  if (request && isMultipartReadError(request, error)) return errors.invalid_multipart();
  // The router answers an over-long path parameter with 414; to a client it is a bad id like any other.
  const status = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? 400 : (error.statusCode ?? 500);
  if (status >= 400 && status < 500) {
    const create =
      frameworkErrors[error.code] ?? (status === 413 ? errors.payload_too_large : status === 415 ? errors.unsupported_media_type : errors.bad_request);
    return create(status);
  }
  return null;
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function validationErrorFrom(issues: ValidationIssue[], context: string): WachtError {
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
  return errors.validation_failed(details);
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
      return sendError(reply, errors.internal_error());
    });
    app.setNotFoundHandler((request, reply) => sendError(reply, errors.route_not_found(request.method, request.url)));
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
  return sendError(reply, errors.internal_error());
}
