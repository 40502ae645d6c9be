import { ConflictError, NotFoundError, NotImplementedError, ValidationError } from "./classes.js";
import { conflictOn, defineErrors, entry, fieldErrors } from "./define.js";

/** Webhook apps, endpoints, deliveries and replays. */
export const webhooksErrors = defineErrors({
  webhook_app_not_found: entry(NotFoundError, (slug: string) => `No webhook app '${slug}'.`),
  webhook_endpoint_not_found: entry(NotFoundError, (endpointId: string) => `No webhook endpoint '${endpointId}'.`),
  webhook_delivery_not_found: entry(NotFoundError, (deliveryId: string) => `No webhook delivery '${deliveryId}'.`),
  webhook_replay_task_not_found: entry(NotFoundError, (taskId: string) => `No replay task '${taskId}'.`),
  webhook_app_slug_taken: entry(ConflictError, (slug: string) => conflictOn("app_slug", `A webhook app with slug '${slug}' already exists.`)),
  webhook_app_inactive: entry(ConflictError, (slug: string) => `Webhook app '${slug}' is not active.`),
  webhook_replay_task_finished: entry(
    ConflictError,
    (taskId: string, status: string) => `Replay task '${taskId}' is already ${status}: replays finish within the request that starts them.`,
  ),
  // SSRF: loopback, private, link-local, CGNAT and metadata addresses, unless WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.
  webhook_url_refused: entry(ValidationError, (rule: string) => fieldErrors({ url: rule })),
  webhook_header_reserved: entry(ValidationError, (name: string) => fieldErrors({ headers: `'${name}' is set by the server and cannot be overridden` })),
  webhook_event_reserved: entry(ValidationError, (name: string) => fieldErrors({ event_name: `'${name}' is a built-in event: only Wacht sends it` })),
  webhook_filter_rules_unsupported: entry(ValidationError, (field: string) =>
    fieldErrors({ [field]: "filter rules are not supported by this server; subscribe to the event name" }),
  ),
  webhook_rate_limit_unsupported: entry(ValidationError, () => fieldErrors({ rate_limit_config: "per-endpoint rate limits are not supported by this server" })),
  webhook_event_catalogs_unsupported: entry(ValidationError, () => fieldErrors({ event_catalog_slug: "event catalogs are not supported by this server" })),
  not_implemented: entry(NotImplementedError, (what: string) => `${what} are not supported by this server yet.`),
});
