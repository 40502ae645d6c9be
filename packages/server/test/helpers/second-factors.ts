import { randomBytes } from "node:crypto";
import * as OTPAuth from "otpauth";
import { vi } from "vitest";
import type { ApiCall } from "./api.js";

/** A fresh random TOTP secret in base32, as an admin would generate one (20 bytes, like most apps). */
export const newTotpSecret = () => new OTPAuth.Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;

/** The code an authenticator app shows at `timestampMs`, computed by the independent otpauth package. */
export const totpAt = (secretBase32: string, timestampMs: number) =>
  OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secretBase32), algorithm: "SHA1", digits: 6, period: 30, timestamp: timestampMs });

/**
 * Stops the clock (Date only; timers and sockets keep running) in the middle of a 30 s step, so
 * "the previous/next step" means the same to the test and to the server in this process.
 * Returns the frozen time; call vi.useRealTimers() after.
 */
export function freezeClockMidStep(): number {
  const now = Math.floor(Date.now() / 30_000) * 30_000 + 15_000;
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(now);
  return now;
}

/** Enrols a TOTP authenticator over the API and returns its secret. */
export async function enrolTotp(call: ApiCall, userId: string, secret = newTotpSecret()): Promise<string> {
  const response = await call("POST", `/users/${userId}/authenticators`, { secret });
  if (response.status !== 200) throw new Error(`authenticators answered ${response.status}: ${JSON.stringify(response.body)}`);
  return secret;
}

/** Issues backup codes over the API (no body, as the published client sends it). */
export async function issueBackupCodes(call: ApiCall, userId: string): Promise<string[]> {
  const response = await call("POST", `/users/${userId}/backup-codes/regenerate`);
  if (response.status !== 200) throw new Error(`regenerate answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.backup_codes;
}
