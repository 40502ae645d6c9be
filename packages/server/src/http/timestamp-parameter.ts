import { errors } from "../errors.js";

/** An RFC 3339 date-time (or a bare date) from a query string or body → epoch ms; a 400 naming the field otherwise. */
export function parseTimestampParameter(field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw errors.validation_failed({ [field]: "must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z" });
  return ms;
}
