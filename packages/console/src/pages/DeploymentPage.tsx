import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, segment } from "../api/client";
import type { ApiKey, CreatedApiKey, Deployment, ListResponse } from "../api/types";
import { ShownOnce } from "../components/ShownOnce";
import { Badge, Dialog, ErrorMessage, Field, Loading, Notice, DataTable } from "../components/ui";
import { formErrorsOf } from "../lib/api-error";
import { formatTime } from "../lib/format";
import { useAction } from "../lib/use-action";
import { useSession, useSignedInSession } from "../session";

/** The deployment this session manages, and its API keys (create: shown once; revoke). */
export function DeploymentPage() {
  const session = useSignedInSession();
  const { signOut } = useSession();
  const deployment = useQuery({ queryKey: ["deployment"], queryFn: () => api.get<Deployment>("/deployment") });
  return (
    <section>
      <h1>Deployment &amp; API keys</h1>
      <section className="card" aria-labelledby="deployment-heading">
        <h2 id="deployment-heading">Current deployment</h2>
        {deployment.isLoading && <Loading />}
        <ErrorMessage error={deployment.error} />
        {deployment.data && (
          <dl className="facts">
            <dt>Name</dt>
            <dd>
              {deployment.data.name} {deployment.data.is_default && <Badge tone="neutral">Default</Badge>}
            </dd>
            <dt>ID</dt>
            <dd className="mono">{deployment.data.id}</dd>
            <dt>Frontend API</dt>
            <dd className="mono">{deployment.data.frontend_api_url ?? "Not configured"}</dd>
            <dt>Publishable key</dt>
            <dd className="mono break">{deployment.data.publishable_key ?? "Not configured"}</dd>
            <dt>Created</dt>
            <dd>{formatTime(deployment.data.created_at)}</dd>
          </dl>
        )}
        <p className="hint">
          A console session manages one deployment, the one its API key belongs to. To switch deployment, sign out and sign in with a key of the other
          deployment (<code>wacht deployments list</code> and <code>wacht console-link</code> on the server help).
        </p>
        <button
          type="button"
          className="button-secondary"
          onClick={() => void signOut(`Signed out of ${session.deployment_name}. To manage another deployment, sign in with one of its API keys.`)}
        >
          Switch deployment…
        </button>
      </section>
      <ApiKeysSection signedInKeyId={session.api_key.id} />
    </section>
  );
}

function ApiKeysSection({ signedInKeyId }: { signedInKeyId: string }) {
  const { end } = useSession();
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => api.get<ListResponse<ApiKey>>("/api-keys") });
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [toRevoke, setToRevoke] = useState<ApiKey | null>(null);
  const create = useAction(
    (keyName: string) => api.post<CreatedApiKey>("/api-keys", { name: keyName }),
    [["api-keys"]],
    (result) => {
      setCreated(result);
      setName("");
    },
  );
  const revoke = useAction(
    (key: ApiKey) => api.post(`/api-keys/${segment(key.id)}/revoke`),
    [["api-keys"]],
    (_result, key) => {
      if (key.id === signedInKeyId) end("You revoked the API key this console was signed in with, which ended the session.");
    },
  );
  const createErrors = create.rawError ? formErrorsOf(create.rawError, ["name"]) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run(name.trim(), "API key created.");
  }

  const active = keys.data?.data.filter((key) => !key.revoked_at) ?? [];
  const revoked = keys.data?.data.filter((key) => key.revoked_at) ?? [];
  return (
    <section className="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        <Field
          label="New key name"
          name="name"
          maxLength={100}
          value={name}
          error={createErrors?.fields.name}
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" disabled={create.pending || !name.trim()}>
          Create key
        </button>
      </form>
      {createErrors?.general && <ErrorMessage>{createErrors.general}</ErrorMessage>}
      {keys.isLoading && <Loading label="Loading keys…" />}
      <ErrorMessage error={keys.error} />
      {keys.data && (
        <DataTable columns={["Name", "Key", "Created", "Last used", "Status", "Actions"]} caption="API keys of this deployment">
          {[...active, ...revoked].map((key) => (
            <tr key={key.id}>
              <td data-label="Name">
                {key.name} {key.id === signedInKeyId && <Badge tone="ok">This console</Badge>}
              </td>
              <td data-label="Key" className="mono">
                {key.display_prefix}
              </td>
              <td data-label="Created">{formatTime(key.created_at)}</td>
              <td data-label="Last used">{formatTime(key.last_used_at)}</td>
              <td data-label="Status">
                {key.revoked_at ? <Badge tone="danger">Revoked {formatTime(key.revoked_at)}</Badge> : <Badge tone="neutral">Active</Badge>}
              </td>
              <td data-label="Actions">
                {!key.revoked_at && (
                  <button aria-label={`Revoke key ${key.name}`} type="button" className="button-small button-danger" onClick={() => setToRevoke(key)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Outcome error={revoke.error} notice={revoke.notice} />
      <Dialog title="Copy the new API key now" open={created !== null} onClose={() => setCreated(null)}>
        {created && <CreatedKey created={created} onDone={() => setCreated(null)} />}
      </Dialog>
      <Dialog title="Revoke this API key?" open={toRevoke !== null} onClose={() => setToRevoke(null)}>
        {toRevoke && (
          <>
            <p>
              Every app using <strong>{toRevoke.name}</strong> ({toRevoke.display_prefix}) loses access at once, and console sessions signed in with it end.
              {toRevoke.id === signedInKeyId && " This is the key this console is signed in with: you will be signed out."}
            </p>
            <div className="actions">
              <button
                type="button"
                className="button-danger"
                onClick={() => {
                  const key = toRevoke;
                  setToRevoke(null);
                  void revoke.run(key, `Key ${key.name} revoked.`);
                }}
              >
                Revoke key
              </button>
              <button type="button" className="button-secondary" onClick={() => setToRevoke(null)}>
                Cancel
              </button>
            </div>
          </>
        )}
      </Dialog>
    </section>
  );
}

function Outcome({ error, notice }: { error: string | null; notice: string | null }) {
  return (
    <>
      <ErrorMessage>{error}</ErrorMessage>
      <Notice>{notice}</Notice>
    </>
  );
}

/** The secret, shown this once: the server keeps only its hash. */
function CreatedKey({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <ShownOnce label="New API key" value={created.secret} copyLabel="Copy key" onDone={onDone}>
      <p>
        This is the only time the key <strong>{created.api_key.name}</strong> is shown. Store it somewhere safe.
      </p>
    </ShownOnce>
  );
}
