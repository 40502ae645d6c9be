import { describe, expect, it } from "vitest";
import { attemptsOf, deliveryState, endpointState } from "../../src/lib/webhooks.js";

describe("how webhook endpoints and deliveries are shown", () => {
  it("re-enables an endpoint the server disabled after failures the same way as one an operator disabled, and says which it was", () => {
    expect(endpointState({ is_active: true, auto_disabled: false })).toEqual({ label: "Active", tone: "neutral", toggle: "Disable" });
    expect(endpointState({ is_active: false, auto_disabled: false })).toEqual({ label: "Disabled", tone: "warn", toggle: "Enable" });
    expect(endpointState({ is_active: false, auto_disabled: true })).toEqual({ label: "Disabled after failures", tone: "danger", toggle: "Enable" });
  });

  it("tells a queued delivery from one waiting for a retry", () => {
    const pending = { status: "pending", next_attempt_at: "2026-01-01T00:00:00Z" };
    expect(deliveryState({ ...pending, attempt_number: 0 }).label).toBe("Queued");
    expect(deliveryState({ ...pending, attempt_number: 2 }).label).toBe("Retrying");
    expect(deliveryState({ status: "succeeded", attempt_number: 1, next_attempt_at: null })).toEqual({ label: "Delivered", tone: "ok" });
    expect(deliveryState({ status: "failed", attempt_number: 6, next_attempt_at: null })).toEqual({ label: "Failed", tone: "danger" });
    expect(attemptsOf({ attempt_number: 2, max_attempts: 6 })).toBe("2 of 6");
  });
});
