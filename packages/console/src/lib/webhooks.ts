import type { WebhookDelivery, WebhookEndpoint } from "../api/types";

type Tone = "danger" | "warn" | "ok" | "neutral";

/**
 * How an endpoint is shown and what its toggle does. An endpoint the server turned off after
 * failing for days is re-enabled through reactivate (which also clears its failure count); one
 * an operator disabled is enabled again with is_active.
 */
export function endpointState(endpoint: Pick<WebhookEndpoint, "is_active" | "auto_disabled">): { label: string; tone: Tone; toggle: "Disable" | "Enable" } {
  if (endpoint.auto_disabled) return { label: "Disabled after failures", tone: "danger", toggle: "Enable" };
  if (!endpoint.is_active) return { label: "Disabled", tone: "warn", toggle: "Enable" };
  return { label: "Active", tone: "neutral", toggle: "Disable" };
}

/** A delivery's status for people: succeeded, failed for good, or waiting for its next try. */
export function deliveryState(delivery: Pick<WebhookDelivery, "status" | "attempt_number" | "next_attempt_at">): { label: string; tone: Tone } {
  if (delivery.status === "succeeded") return { label: "Delivered", tone: "ok" };
  if (delivery.status === "failed") return { label: "Failed", tone: "danger" };
  if (delivery.attempt_number === 0) return { label: "Queued", tone: "neutral" };
  return { label: "Retrying", tone: "warn" };
}

/** "2 of 6" attempts, as far as the delivery has got. */
export const attemptsOf = (delivery: Pick<WebhookDelivery, "attempt_number" | "max_attempts">) => `${delivery.attempt_number} of ${delivery.max_attempts}`;
