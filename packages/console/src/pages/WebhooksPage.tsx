import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, segment } from "../api/client";
import type { OffsetPage, WebhookApp, WebhookAppEvent, WebhookEndpoint } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ShownOnce } from "../components/ShownOnce";
import { Badge, Dialog, ErrorMessage, Field, Loading, Notice, DataTable } from "../components/ui";
import { formErrorsOf } from "../lib/api-error";
import { formatTime } from "../lib/format";
import { useAction } from "../lib/use-action";
import { endpointState } from "../lib/webhooks";

export const appPath = (slug: string, rest = "") => `/webhooks/apps/${segment(slug)}${rest}`;
const appsKey = ["webhook-apps"];
export const endpointsKey = (slug: string) => ["webhook-endpoints", slug];

/**
 * Webhooks: the deployment's apps (each with its signing secret) and, for the chosen one (kept in
 * the URL as ?app=), its endpoints: create with event subscriptions, disable/enable, delete.
 */
export function WebhooksPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const apps = useQuery({ queryKey: appsKey, queryFn: () => api.get<OffsetPage<WebhookApp>>("/webhooks/apps?limit=100&include_inactive=true") });
  const list = apps.data?.data ?? [];
  const chosenSlug = searchParams.get("app");
  const chosen = list.find((app) => app.app_slug === chosenSlug) ?? list[0];
  return (
    <section>
      <h1>Webhooks</h1>
      {apps.isLoading && <Loading label="Loading webhook apps…" />}
      <ErrorMessage error={apps.error} />
      {apps.data && (
        <section className="card" aria-labelledby="apps-heading">
          <h2 id="apps-heading">Apps</h2>
          {list.length === 0 ? (
            <p className="empty">No webhook app yet: create one, then add its endpoints.</p>
          ) : (
            <div className="field field-inline">
              <label htmlFor="webhook-app">App</label>
              <select id="webhook-app" className="app-picker" value={chosen?.app_slug ?? ""} onChange={(event) => setSearchParams({ app: event.target.value })}>
                {list.map((app) => (
                  <option key={app.app_slug} value={app.app_slug}>
                    {app.name} ({app.app_slug}){app.is_active ? "" : " — inactive"}
                  </option>
                ))}
              </select>
            </div>
          )}
          <CreateAppForm onCreated={(app) => setSearchParams({ app: app.app_slug })} />
        </section>
      )}
      {chosen && <AppSection key={chosen.app_slug} app={chosen} />}
    </section>
  );
}

function CreateAppForm({ onCreated }: { onCreated: (app: WebhookApp) => void }) {
  const [name, setName] = useState("");
  const create = useAction(
    (appName: string) => api.post<WebhookApp>("/webhooks/apps", { name: appName }),
    [appsKey],
    (app) => {
      setName("");
      onCreated(app);
    },
  );
  const errors = create.rawError ? formErrorsOf(create.rawError, ["name"]) : null;
  return (
    <>
      <form
        className="inline-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void create.run(name.trim(), "App created.");
        }}
      >
        <Field label="New app name" name="name" maxLength={256} value={name} error={errors?.fields.name} onChange={(event) => setName(event.target.value)} />
        <button type="submit" disabled={create.pending || !name.trim()}>
          Create app
        </button>
      </form>
      {errors?.general ? <ErrorMessage>{errors.general}</ErrorMessage> : <Notice>{create.notice}</Notice>}
    </>
  );
}

function AppSection({ app }: { app: WebhookApp }) {
  const [showSecret, setShowSecret] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [rotated, setRotated] = useState<WebhookApp | null>(null);
  const rotate = useAction(() => api.post<WebhookApp>(appPath(app.app_slug, "/rotate-secret")), [appsKey], setRotated);
  return (
    <>
      <section className="card" aria-labelledby="app-heading">
        <h2 id="app-heading">
          {app.name} {app.is_active ? <Badge tone="neutral">Active</Badge> : <Badge tone="warn">Inactive</Badge>}
        </h2>
        <dl className="facts">
          <dt>Slug</dt>
          <dd className="mono">{app.app_slug}</dd>
          <dt>Created</dt>
          <dd>{formatTime(app.created_at)}</dd>
          <dt>Signing secret</dt>
          <dd className="mono break">{showSecret ? app.signing_secret : "whsec_••••••••"}</dd>
        </dl>
        <div className="actions">
          <button type="button" className="button-secondary" aria-pressed={showSecret} onClick={() => setShowSecret(!showSecret)}>
            {showSecret ? "Hide signing secret" : "Show signing secret"}
          </button>
          <button type="button" className="button-danger" disabled={rotate.pending} onClick={() => setConfirmRotate(true)}>
            Rotate secret…
          </button>
        </div>
        <ErrorMessage>{rotate.error}</ErrorMessage>
        <ConfirmDialog
          open={confirmRotate}
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          onCancel={() => setConfirmRotate(false)}
          onConfirm={() => {
            setConfirmRotate(false);
            void rotate.run(undefined, "Secret rotated.");
          }}
        >
          <p>Deliveries are signed with a new secret from now on. For 24 hours they carry a signature with the old secret too, so receivers can switch over.</p>
        </ConfirmDialog>
        <Dialog title="Copy the new signing secret" open={rotated !== null} onClose={() => setRotated(null)}>
          {rotated && (
            <ShownOnce label="New signing secret" value={rotated.signing_secret} copyLabel="Copy secret" onDone={() => setRotated(null)}>
              <p>Put it in every receiver of {rotated.name} before the old secret stops signing, 24 hours from now.</p>
            </ShownOnce>
          )}
        </Dialog>
      </section>
      <EndpointsSection app={app} />
    </>
  );
}

function EndpointsSection({ app }: { app: WebhookApp }) {
  const key = endpointsKey(app.app_slug);
  const endpoints = useQuery({
    queryKey: key,
    queryFn: () => api.get<OffsetPage<WebhookEndpoint>>(appPath(app.app_slug, "/endpoints?limit=100&include_inactive=true")),
  });
  const [toDelete, setToDelete] = useState<WebhookEndpoint | null>(null);
  const toggle = useAction(
    (endpoint: WebhookEndpoint) =>
      endpoint.auto_disabled
        ? api.post(`/webhooks/endpoints/${segment(endpoint.id)}/reactivate`)
        : api.patch(appPath(app.app_slug, `/endpoints/${segment(endpoint.id)}`), { is_active: !endpoint.is_active }),
    [key],
  );
  const remove = useAction((endpoint: WebhookEndpoint) => api.delete(appPath(app.app_slug, `/endpoints/${segment(endpoint.id)}`)), [key]);
  const list = endpoints.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="endpoints-heading">
      <h2 id="endpoints-heading">Endpoints of {app.name}</h2>
      {endpoints.isLoading && <Loading label="Loading endpoints…" />}
      <ErrorMessage error={endpoints.error} />
      {endpoints.data && list.length === 0 && <p className="empty">No endpoints: add one below.</p>}
      {list.length > 0 && (
        <DataTable columns={["URL", "Events", "Status", "Failures", "Actions"]} caption={`Endpoints of ${app.name}`}>
          {list.map((endpoint) => {
            const state = endpointState(endpoint);
            return (
              <tr key={endpoint.id}>
                <td data-label="URL" className="break">
                  <Link className="mono" to={`/webhooks/${segment(app.app_slug)}/endpoints/${segment(endpoint.id)}`}>
                    {endpoint.url}
                  </Link>
                  {endpoint.description && <span className="hint endpoint-description">{endpoint.description}</span>}
                </td>
                <td data-label="Events">{endpoint.subscriptions.map((subscription) => subscription.event_name).join(", ") || "—"}</td>
                <td data-label="Status">
                  <Badge tone={state.tone}>{state.label}</Badge>
                </td>
                <td data-label="Failures">{endpoint.failure_count}</td>
                <td data-label="Actions" className="row-actions">
                  <Link className="button button-small button-secondary" to={`/webhooks/${segment(app.app_slug)}/endpoints/${segment(endpoint.id)}`}>
                    Deliveries
                  </Link>
                  <button
                    type="button"
                    className="button-small"
                    aria-label={`${state.toggle}: ${endpoint.url}`}
                    disabled={toggle.pending}
                    onClick={() => void toggle.run(endpoint, `${endpoint.url} ${state.toggle === "Disable" ? "disabled" : "enabled"}.`)}
                  >
                    {state.toggle}
                  </button>
                  <button type="button" className="button-small button-danger" aria-label={`Delete: ${endpoint.url}`} onClick={() => setToDelete(endpoint)}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      <ErrorMessage>{toggle.error ?? remove.error}</ErrorMessage>
      <Notice>{toggle.notice ?? remove.notice}</Notice>
      <ConfirmDialog
        open={toDelete !== null}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        onCancel={() => setToDelete(null)}
        onConfirm={() => {
          const endpoint = toDelete!;
          setToDelete(null);
          void remove.run(endpoint, `${endpoint.url} deleted.`);
        }}
      >
        <p>
          <span className="mono break">{toDelete?.url}</span> stops receiving events, and its delivery history is deleted with it.
        </p>
      </ConfirmDialog>
      <CreateEndpointForm app={app} />
    </section>
  );
}

function CreateEndpointForm({ app }: { app: WebhookApp }) {
  const events = useQuery({
    queryKey: ["webhook-events", app.app_slug],
    queryFn: () => api.get<{ events: WebhookAppEvent[] }>(appPath(app.app_slug, "/events")),
  });
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const create = useAction(
    (body: Record<string, unknown>) => api.post<WebhookEndpoint>(appPath(app.app_slug, "/endpoints"), body),
    [endpointsKey(app.app_slug)],
    () => {
      setUrl("");
      setDescription("");
      setChosen(new Set());
    },
  );
  const errors = create.rawError ? formErrorsOf(create.rawError, ["url", "description", "subscriptions"]) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const body: Record<string, unknown> = { url: url.trim(), subscriptions: [...chosen].map((event_name) => ({ event_name })) };
    if (description.trim()) body.description = description.trim();
    void create.run(body, `Endpoint ${url.trim()} created.`);
  }

  const toggleEvent = (name: string) => {
    const next = new Set(chosen);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setChosen(next);
  };
  return (
    <form className="endpoint-form" noValidate onSubmit={submit} aria-labelledby="new-endpoint-heading">
      <h3 id="new-endpoint-heading">Add an endpoint</h3>
      <div className="form-grid">
        <Field
          label="Endpoint URL"
          name="url"
          type="url"
          placeholder="https://example.com/webhooks/wacht"
          value={url}
          error={errors?.fields.url}
          onChange={(event) => setUrl(event.target.value)}
        />
        <Field
          label="Description (optional)"
          name="description"
          maxLength={1024}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <fieldset className="event-choices" aria-describedby={errors?.fields.subscriptions ? "subscriptions-error" : undefined}>
        <legend>Events to send</legend>
        {events.isLoading && <Loading label="Loading event types…" />}
        <ErrorMessage error={events.error} />
        {events.data?.events.map((item) => (
          <div className="field checkbox" key={item.event_name}>
            <input id={`event-${item.event_name}`} type="checkbox" checked={chosen.has(item.event_name)} onChange={() => toggleEvent(item.event_name)} />
            <label htmlFor={`event-${item.event_name}`} className="mono">
              {item.event_name}
            </label>
          </div>
        ))}
        {errors?.fields.subscriptions && (
          <span className="field-error" id="subscriptions-error">
            {errors.fields.subscriptions}
          </span>
        )}
      </fieldset>
      <button type="submit" disabled={create.pending || !url.trim() || chosen.size === 0}>
        Create endpoint
      </button>
      {errors?.general ? <ErrorMessage>{errors.general}</ErrorMessage> : <Notice>{create.notice}</Notice>}
    </form>
  );
}
