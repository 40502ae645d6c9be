import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { api, segment } from "../api/client";
import type { ListResponse, UserDetails, UserSignin } from "../api/types";
import { StatusBadges } from "../components/StatusBadges";
import { Dialog, ErrorMessage, Field, Loading, Notice, DataTable } from "../components/ui";
import { formErrorsOf } from "../lib/api-error";
import { displayName, formatTime } from "../lib/format";
import { formatMetadata, parseMetadata } from "../lib/metadata";
import { useAction } from "../lib/use-action";
import { MetadataTextarea } from "./CreateUserPage";
import { AuditTrailSection } from "./user-detail/AuditTrailSection";
import { EMAILS, IdentifierSection, PHONES } from "./user-detail/IdentifierSection";
import { SecondFactorsSection } from "./user-detail/SecondFactorsSection";
import { Outcome, Section, userDetailsKey, userPath, useStoreDetails } from "./user-detail/shared";

/** Everything about one user, and every fix an operator can make to it. */
export function UserDetailPage() {
  const { userId = "" } = useParams();
  const location = useLocation();
  const details = useQuery({ queryKey: userDetailsKey(userId), queryFn: () => api.get<UserDetails>(`/users/${segment(userId)}/details`) });
  const arrivalNotice = (location.state as { notice?: string } | null)?.notice ?? null;

  if (details.isLoading) return <Loading label="Loading user…" />;
  if (details.isError || !details.data)
    return (
      <section>
        <p className="breadcrumb">
          <Link to="/users">Users</Link>
        </p>
        <h1>User</h1>
        <ErrorMessage error={details.error} />
      </section>
    );
  const user = details.data;
  return (
    <section className="user-detail">
      <p className="breadcrumb">
        <Link to="/users">Users</Link> / {displayName(user)}
      </p>
      <div className="page-head">
        <div className="identity">
          {user.profile_picture_url ? (
            <img className="avatar" src={user.profile_picture_url} alt="" />
          ) : (
            <span className="avatar avatar-empty" aria-hidden="true" />
          )}
          <div>
            <h1>{displayName(user)}</h1>
            <p className="muted mono">{user.id}</p>
          </div>
        </div>
        <StatusBadges user={user} />
      </div>
      <Notice>{arrivalNotice}</Notice>
      <dl className="facts">
        <dt>Created</dt>
        <dd>{formatTime(user.created_at)}</dd>
        <dt>Last sign-in</dt>
        <dd>{user.last_sign_in_at ? formatTime(user.last_sign_in_at) : "Never"}</dd>
        <dt>Password</dt>
        <dd>{user.has_password ? `Set${user.last_password_reset_at ? `, last changed ${formatTime(user.last_password_reset_at)}` : ""}` : "None"}</dd>
        <dt>Second factor policy</dt>
        <dd>{user.second_factor_policy}</dd>
      </dl>
      <div className="sections">
        <ProfileSection user={user} />
        <MetadataSection user={user} />
        <IdentifierSection user={user} kind={EMAILS} />
        <IdentifierSection user={user} kind={PHONES} />
        <PasswordSection user={user} />
        <StatusSection user={user} />
        <SecondFactorsSection user={user} />
        <SessionsSection user={user} />
        <SocialConnectionsSection user={user} />
        <AuditTrailSection user={user} />
        <DeleteSection user={user} />
      </div>
    </section>
  );
}

function ProfileSection({ user }: { user: UserDetails }) {
  const store = useStoreDetails();
  const [names, setNames] = useState({ first_name: user.first_name, last_name: user.last_name, username: user.username ?? "" });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  useEffect(
    () => setNames({ first_name: user.first_name, last_name: user.last_name, username: user.username ?? "" }),
    [user.first_name, user.last_name, user.username],
  );
  const save = useAction((body: Record<string, unknown> | FormData) => api.patch<UserDetails>(userPath(user), body), [["users"]], store);
  const [image, setImage] = useState<File | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFieldErrors({});
    const username = names.username.trim();
    await save.run({ first_name: names.first_name.trim(), last_name: names.last_name.trim(), username: username || null }, "Profile saved.");
  }
  useEffect(() => {
    if (save.rawError) setFieldErrors(formErrorsOf(save.rawError, ["first_name", "last_name", "username"]).fields);
  }, [save.rawError]);

  async function upload(event: FormEvent) {
    event.preventDefault();
    if (!image) return;
    const form = new FormData();
    form.append("profile_image", image, image.name);
    if (await save.run(form, "Profile image uploaded.")) setImage(null);
  }

  return (
    <Section title="Profile">
      <form onSubmit={submit} className="form-grid" noValidate>
        <Field
          label="First name"
          name="first_name"
          value={names.first_name}
          error={fieldErrors.first_name}
          onChange={(event) => setNames({ ...names, first_name: event.target.value })}
        />
        <Field
          label="Last name"
          name="last_name"
          value={names.last_name}
          error={fieldErrors.last_name}
          onChange={(event) => setNames({ ...names, last_name: event.target.value })}
        />
        <Field
          label="Username"
          name="username"
          value={names.username}
          error={fieldErrors.username}
          hint="Empty removes the username."
          onChange={(event) => setNames({ ...names, username: event.target.value })}
        />
        <div className="actions span-2">
          <button type="submit" disabled={save.pending}>
            Save profile
          </button>
        </div>
      </form>
      <form onSubmit={upload} className="inline-form">
        <div className="field">
          <label htmlFor="profile-image">Profile image</label>
          <input
            id="profile-image"
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            onChange={(event) => setImage(event.target.files?.[0] ?? null)}
          />
        </div>
        <button type="submit" disabled={!image || save.pending}>
          Upload image
        </button>
        {user.profile_picture_url && (
          <button
            type="button"
            className="button-secondary"
            disabled={save.pending}
            onClick={() => void save.run({ remove_profile_image: true }, "Profile image removed.")}
          >
            Remove image
          </button>
        )}
      </form>
      <Outcome action={save} />
    </Section>
  );
}

function MetadataSection({ user }: { user: UserDetails }) {
  const store = useStoreDetails();
  const [texts, setTexts] = useState({ public_metadata: formatMetadata(user.public_metadata), private_metadata: formatMetadata(user.private_metadata) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useAction((body: Record<string, unknown>) => api.patch<UserDetails>(userPath(user), body), [], store);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const publicParsed = parseMetadata(texts.public_metadata);
    const privateParsed = parseMetadata(texts.private_metadata);
    const found: Record<string, string> = {};
    if (!publicParsed.ok) found.public_metadata = publicParsed.error;
    if (!privateParsed.ok) found.private_metadata = privateParsed.error;
    setErrors(found);
    if (!publicParsed.ok || !privateParsed.ok) return;
    const saved = await save.run({ public_metadata: publicParsed.value, private_metadata: privateParsed.value }, "Metadata saved.");
    if (saved) setTexts({ public_metadata: formatMetadata(saved.public_metadata), private_metadata: formatMetadata(saved.private_metadata) });
  }
  useEffect(() => {
    if (save.rawError) setErrors(formErrorsOf(save.rawError, ["public_metadata", "private_metadata"]).fields);
  }, [save.rawError]);

  return (
    <Section title="Metadata">
      <form onSubmit={submit} className="form-grid" noValidate>
        <MetadataTextarea
          label="Public metadata"
          value={texts.public_metadata}
          error={errors.public_metadata}
          onChange={(text) => setTexts({ ...texts, public_metadata: text })}
        />
        <MetadataTextarea
          label="Private metadata"
          value={texts.private_metadata}
          error={errors.private_metadata}
          onChange={(text) => setTexts({ ...texts, private_metadata: text })}
        />
        <p className="hint span-2">
          Saving replaces each object as a whole. Public metadata is readable by the user's own apps; private metadata only through the Backend API.
        </p>
        <div className="actions span-2">
          <button type="submit" disabled={save.pending}>
            Save metadata
          </button>
        </div>
      </form>
      {Object.keys(errors).length === 0 && <Outcome action={save} />}
      {Object.keys(errors).length > 0 && <ErrorMessage>The metadata was not saved: fix the JSON above.</ErrorMessage>}
    </Section>
  );
}

function PasswordSection({ user }: { user: UserDetails }) {
  const [password, setPassword] = useState("");
  const [skipCheck, setSkipCheck] = useState(false);
  const [signOutEverywhere, setSignOutEverywhere] = useState(true);
  const set = useAction(
    (body: Record<string, unknown>) => api.patch(userPath(user, "/password"), body),
    [userDetailsKey(user.id)],
    () => setPassword(""),
  );
  const remove = useAction(() => api.delete(userPath(user, "/password")), [userDetailsKey(user.id)]);
  const setError = set.rawError ? formErrorsOf(set.rawError, ["new_password"]) : null;
  return (
    <Section title="Password">
      <form
        className="inline-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void set.run({ new_password: password, skip_password_check: skipCheck, revoke_sessions: signOutEverywhere }, "Password set.");
        }}
      >
        <Field
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          value={password}
          error={setError?.fields.new_password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <div className="field checkbox">
          <input id="skip-check" type="checkbox" checked={skipCheck} onChange={(event) => setSkipCheck(event.target.checked)} />
          <label htmlFor="skip-check">Skip the policy check</label>
        </div>
        <div className="field checkbox">
          <input id="revoke-on-change" type="checkbox" checked={signOutEverywhere} onChange={(event) => setSignOutEverywhere(event.target.checked)} />
          <label htmlFor="revoke-on-change">End the user's sessions</label>
        </div>
        <button type="submit" disabled={set.pending || !password}>
          Set password
        </button>
      </form>
      {setError?.general ? <ErrorMessage>{setError.general}</ErrorMessage> : <Notice>{set.notice}</Notice>}
      {user.has_password && (
        <p>
          <button type="button" className="button-secondary" disabled={remove.pending} onClick={() => void remove.run(undefined, "Password removed.")}>
            Remove password
          </button>
        </p>
      )}
      <Outcome action={remove} />
    </Section>
  );
}

function StatusSection({ user }: { user: UserDetails }) {
  const store = useStoreDetails();
  const [confirmDisable, setConfirmDisable] = useState(false);
  const toggle = useAction(
    (disabled: boolean) => api.patch<UserDetails>(userPath(user), { disabled }),
    [["users"], [...userDetailsKey(user.id), "sessions"]],
    store,
  );
  const unlock = useAction(() => api.post(userPath(user, "/unlock")), [userDetailsKey(user.id), ["users"]]);
  return (
    <Section title="Account status">
      <p>
        {user.disabled ? "Disabled: this user cannot sign in." : "Enabled."}
        {user.locked && ` Locked after too many wrong passwords until ${formatTime(user.lockout_expires_at)}.`}
      </p>
      <div className="actions">
        {user.disabled ? (
          <button type="button" disabled={toggle.pending} onClick={() => void toggle.run(false, "User enabled.")}>
            Enable user
          </button>
        ) : (
          <button type="button" className="button-danger" onClick={() => setConfirmDisable(true)}>
            Disable user
          </button>
        )}
        {user.locked && (
          <button type="button" disabled={unlock.pending} onClick={() => void unlock.run(undefined, "User unlocked.")}>
            Unlock user
          </button>
        )}
      </div>
      <Outcome action={toggle} />
      <Outcome action={unlock} />
      <Dialog title="Disable this user?" open={confirmDisable} onClose={() => setConfirmDisable(false)}>
        <p>{displayName(user)} will not be able to sign in, and every session they have ends now.</p>
        <div className="actions">
          <button
            type="button"
            className="button-danger"
            onClick={() => {
              setConfirmDisable(false);
              void toggle.run(true, "User disabled; their sessions ended.");
            }}
          >
            Disable
          </button>
          <button type="button" className="button-secondary" onClick={() => setConfirmDisable(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </Section>
  );
}

function SessionsSection({ user }: { user: UserDetails }) {
  const key = [...userDetailsKey(user.id), "sessions"];
  const sessions = useQuery({ queryKey: key, queryFn: () => api.get<ListResponse<UserSignin>>(userPath(user, "/sessions")) });
  const revoke = useAction((sessionId: string) => api.post(userPath(user, `/sessions/${segment(sessionId)}/revoke`)), [key]);
  const revokeAll = useAction(() => api.post<{ revoked: number }>(userPath(user, "/sessions/revoke-all")), [key]);
  const list = sessions.data?.data.filter((session) => !session.revoked_at) ?? [];
  return (
    <Section title="Sessions">
      {sessions.isLoading && <Loading label="Loading sessions…" />}
      <ErrorMessage error={sessions.error} />
      {sessions.data && list.length === 0 && <p className="empty">No active sessions.</p>}
      {list.length > 0 && (
        <DataTable columns={["Device", "Browser", "IP address", "Last active", "Expires", "Actions"]}>
          {list.map((session) => (
            <tr key={session.id}>
              <td data-label="Device">{session.device ?? "Unknown"}</td>
              <td data-label="Browser">{session.browser ?? "Unknown"}</td>
              <td data-label="IP address" className="mono">
                {session.ip_address ?? "—"}
              </td>
              <td data-label="Last active">{formatTime(session.last_active_at)}</td>
              <td data-label="Expires">{formatTime(session.expires_at)}</td>
              <td data-label="Actions">
                <button
                  aria-label={`Revoke session ${session.id}`}
                  type="button"
                  className="button-small button-danger"
                  onClick={() => void revoke.run(session.id, "Session revoked.")}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {list.length > 1 && (
        <p>
          <button type="button" className="button-danger" disabled={revokeAll.pending} onClick={() => void revokeAll.run(undefined, "All sessions revoked.")}>
            Revoke all sessions
          </button>
        </p>
      )}
      <Outcome action={revoke} />
      <Outcome action={revokeAll} />
    </Section>
  );
}

function SocialConnectionsSection({ user }: { user: UserDetails }) {
  const unlink = useAction((connectionId: string) => api.delete(userPath(user, `/social-connections/${segment(connectionId)}`)), [userDetailsKey(user.id)]);
  return (
    <Section title="Social connections">
      {user.social_connections.length === 0 ? (
        <p className="empty">No linked accounts.</p>
      ) : (
        <DataTable columns={["Provider", "Email", "Linked", "Actions"]}>
          {user.social_connections.map((connection) => (
            <tr key={connection.id}>
              <td data-label="Provider">{connection.provider.replace(/_oauth$/, "")}</td>
              <td data-label="Email">{connection.email_address ?? "—"}</td>
              <td data-label="Linked">{formatTime(connection.created_at)}</td>
              <td data-label="Actions">
                <button
                  aria-label={`Unlink ${connection.provider}`}
                  type="button"
                  className="button-small button-danger"
                  onClick={() => void unlink.run(connection.id, "Account unlinked.")}
                >
                  Unlink
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Outcome action={unlink} />
    </Section>
  );
}

/** What the operator must type to delete: something they can read off the page and will not type by accident. */
export const deleteConfirmationOf = (user: Pick<UserDetails, "primary_email_address" | "username" | "id">) =>
  user.primary_email_address ?? user.username ?? user.id;

function DeleteSection({ user }: { user: UserDetails }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const expected = deleteConfirmationOf(user);
  const remove = useAction(
    () => api.delete(userPath(user)),
    [["users"]],
    () => {
      queryClient.removeQueries({ queryKey: userDetailsKey(user.id) });
      navigate("/users", { state: { notice: `${displayName(user)} was deleted.` } });
    },
  );
  return (
    <Section title="Delete user">
      <p>Deletes the user and everything that belongs to them: identifiers, sessions, linked accounts. This cannot be undone.</p>
      <button type="button" className="button-danger" onClick={() => setOpen(true)}>
        Delete user…
      </button>
      <Dialog
        title="Delete this user?"
        open={open}
        onClose={() => {
          setOpen(false);
          setTyped("");
        }}
      >
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (typed.trim() === expected) void remove.run(undefined, "Deleted.");
          }}
        >
          <p>
            Type <strong className="mono">{expected}</strong> to delete {displayName(user)} for good.
          </p>
          <Field label="Confirmation" name="confirmation" autoComplete="off" value={typed} onChange={(event) => setTyped(event.target.value)} />
          <ErrorMessage>{remove.error}</ErrorMessage>
          <div className="actions">
            <button type="submit" className="button-danger" disabled={typed.trim() !== expected || remove.pending}>
              Delete for good
            </button>
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setOpen(false);
                setTyped("");
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </Section>
  );
}
