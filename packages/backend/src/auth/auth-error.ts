/** Thrown by `auth.protect()`: 401 when nobody is signed in, 403 when the checks fail. */
export class WachtAuthError extends Error {
  code: "unauthenticated" | "forbidden";
  status: number;
  redirectUrl?: string;

  constructor(code: "unauthenticated" | "forbidden", status: number, message: string, options?: { redirectUrl?: string }) {
    super(message);
    this.name = "WachtAuthError";
    this.code = code;
    this.status = status;
    this.redirectUrl = options?.redirectUrl;
  }
}
