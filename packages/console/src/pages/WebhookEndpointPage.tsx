import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api, segment } from "../api/client";
import type { OffsetPage, ReplayWebhookDeliveryResponse, WebhookDelivery, WebhookDeliveryDetails, WebhookEndpoint } from "../api/types";
import { Badge, ErrorMessage, Loading, Notice, DataTable } from "../components/ui";
import { formatTime } from "../lib/format";
import { useAction } from "../lib/use-action";
import { attemptsOf, deliveryState, endpointState } from "../lib/webhooks";
import { appPath, endpointsKey } from "./WebhooksPage";

const DELIVERIES_PAGE_SIZE = 25;

/** One endpoint: what it receives, and its deliveries (newest first, page in the URL) with their attempts and a replay button. */
export function WebhookEndpointPage() {
  const { appSlug = "", endpointId = "" } = useParams();
  const endpoints = useQuery({
    queryKey: endpointsKey(appSlug),
    queryFn: () => api.get<OffsetPage<WebhookEndpoint>>(appPath(appSlug, "/endpoints?limit=100&include_inactive=true")),
  });
  const endpoint = endpoints.data?.data.find((item) => item.id === endpointId);
  return (
    <section>
      <p className="breadcrumb">
        <Link to={`/webhooks?app=${encodeURIComponent(appSlug)}`}>Webhooks</Link> / {endpoint?.url ?? endpointId}
      </p>
      <h1>Endpoint deliveries</h1>
      {endpoints.isLoading && <Loading label="Loading the endpoint…" />}
      <ErrorMessage error={endpoints.error} />
      {endpoints.data && !endpoint && (
        <ErrorMessage>
          No endpoint {endpointId} in app {appSlug}: it may have been deleted.
        </ErrorMessage>
      )}
      {endpoint && (
        <>
          <dl className="facts">
            <dt>URL</dt>
            <dd className="mono break">{endpoint.url}</dd>
            <dt>Status</dt>
            <dd>
              <Badge tone={endpointState(endpoint).tone}>{endpointState(endpoint).label}</Badge>
            </dd>
            <dt>Events</dt>
            <dd className="mono">{endpoint.subscriptions.map((subscription) => subscription.event_name).join(", ")}</dd>
            <dt>Retries</dt>
            <dd>
              up to {endpoint.max_retries}, {endpoint.timeout_seconds} s timeout
            </dd>
          </dl>
          <DeliveriesSection appSlug={appSlug} endpoint={endpoint} />
        </>
      )}
    </section>
  );
}

function DeliveriesSection({ appSlug, endpoint }: { appSlug: string; endpoint: WebhookEndpoint }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const page = Math.max(1, Math.floor(Number(searchParams.get("page")) || 1));
  const key = ["webhook-deliveries", appSlug, endpoint.id, page];
  const deliveries = useQuery({
    queryKey: key,
    queryFn: () =>
      api.get<OffsetPage<WebhookDelivery>>(
        appPath(
          appSlug,
          `/deliveries?${new URLSearchParams({ endpoint_id: endpoint.id, limit: String(DELIVERIES_PAGE_SIZE), offset: String((page - 1) * DELIVERIES_PAGE_SIZE) })}`,
        ),
      ),
    placeholderData: keepPreviousData,
    // Deliveries move on their own (the dispatcher retries them): look again now and then.
    refetchInterval: 5_000,
  });
  const [open, setOpen] = useState<string | null>(null);
  const replay = useAction(
    (delivery: WebhookDelivery) => api.post<ReplayWebhookDeliveryResponse>(appPath(appSlug, "/deliveries/replay"), { delivery_ids: [delivery.delivery_id] }),
    [
      ["webhook-deliveries", appSlug, endpoint.id],
      ["webhook-delivery", appSlug],
    ],
  );
  const list = deliveries.data?.data ?? [];
  const total = deliveries.data?.total ?? 0;
  return (
    <section className="card" aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries</h2>
      {deliveries.isLoading && <Loading label="Loading deliveries…" />}
      <ErrorMessage error={deliveries.error} />
      {deliveries.data && list.length === 0 && <p className="empty">{page > 1 ? "No deliveries on this page." : "Nothing sent to this endpoint yet."}</p>}
      {list.length > 0 && (
        <DataTable columns={["Event", "Status", "HTTP", "Attempts", "Created", "Actions"]} caption={`Deliveries to ${endpoint.url}, newest first`}>
          {list.map((delivery) => {
            const state = deliveryState(delivery);
            return (
              <Fragment key={delivery.delivery_id}>
                <tr>
                  <td data-label="Event" className="mono">
                    {delivery.event_name}
                  </td>
                  <td data-label="Status">
                    <Badge tone={state.tone}>{state.label}</Badge>
                    {delivery.next_attempt_at && <span className="hint"> next try {formatTime(delivery.next_attempt_at)}</span>}
                  </td>
                  <td data-label="HTTP">{delivery.http_status_code ?? "—"}</td>
                  <td data-label="Attempts">{attemptsOf(delivery)}</td>
                  <td data-label="Created">{formatTime(delivery.timestamp)}</td>
                  <td data-label="Actions" className="row-actions">
                    <button
                      type="button"
                      className="button-small button-secondary"
                      aria-expanded={open === delivery.delivery_id}
                      aria-label={`${open === delivery.delivery_id ? "Hide attempts" : "Attempts"} of ${delivery.delivery_id}`}
                      onClick={() => setOpen(open === delivery.delivery_id ? null : delivery.delivery_id)}
                    >
                      {open === delivery.delivery_id ? "Hide attempts" : "Attempts"}
                    </button>
                    <button
                      type="button"
                      className="button-small"
                      aria-label={`Replay ${delivery.delivery_id}`}
                      disabled={replay.pending}
                      onClick={() => void replay.run(delivery, `Delivery ${delivery.delivery_id} queued again.`)}
                    >
                      Replay
                    </button>
                  </td>
                </tr>
                {open === delivery.delivery_id && (
                  <tr className="detail-row">
                    <td colSpan={6}>
                      <AttemptsOf appSlug={appSlug} deliveryId={delivery.delivery_id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </DataTable>
      )}
      <ErrorMessage>{replay.error}</ErrorMessage>
      <Notice>{replay.notice}</Notice>
      {total > DELIVERIES_PAGE_SIZE && (
        <nav className="pager" aria-label="Delivery pages">
          <button type="button" className="button-secondary" disabled={page <= 1} onClick={() => setSearchParams({ page: String(page - 1) })}>
            Previous page
          </button>
          <span>
            Page {page} of {Math.ceil(total / DELIVERIES_PAGE_SIZE)}
          </span>
          <button type="button" className="button-secondary" disabled={!deliveries.data?.has_more} onClick={() => setSearchParams({ page: String(page + 1) })}>
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}

function AttemptsOf({ appSlug, deliveryId }: { appSlug: string; deliveryId: string }) {
  const details = useQuery({
    queryKey: ["webhook-delivery", appSlug, deliveryId],
    queryFn: () => api.get<WebhookDeliveryDetails>(appPath(appSlug, `/deliveries/${segment(deliveryId)}`)),
  });
  if (details.isLoading) return <Loading label="Loading attempts…" />;
  if (details.isError) return <ErrorMessage error={details.error} />;
  const attempts = details.data?.attempts ?? [];
  if (attempts.length === 0) return <p className="empty">Not tried yet.</p>;
  return (
    <ol className="attempts">
      {attempts.map((attempt) => (
        <li key={attempt.attempt_number}>
          <strong>Attempt {attempt.attempt_number}</strong> {formatTime(attempt.timestamp)}: {attempt.success ? "delivered" : "failed"}
          {attempt.http_status_code !== null && ` (HTTP ${attempt.http_status_code})`} in {attempt.response_time_ms} ms
          {attempt.error && <span className="field-error"> {attempt.error}</span>}
          {attempt.response_body && <pre className="mono response-body">{attempt.response_body}</pre>}
        </li>
      ))}
    </ol>
  );
}
