import { WachtError } from "../core/errors.js";

/**
 * Thrown by `auth.protect()`: 401 when nobody is signed in, 403 when the checks fail. A
 * WachtError like every other error of this package, so one `catch (e instanceof WachtError)`
 * covers it; `status` is kept beside `statusCode` because the published SDK names it so.
 */
export class WachtAuthError extends WachtError {
  declare code: "unauthenticated" | "forbidden";
  status: number;
  redirectUrl?: string;

  constructor(code: "unauthenticated" | "forbidden", status: number, message: string, options?: { redirectUrl?: string }) {
    super(message, status, undefined, { code });
    this.name = "WachtAuthError";
    this.status = status;
    this.redirectUrl = options?.redirectUrl;
  }
}
