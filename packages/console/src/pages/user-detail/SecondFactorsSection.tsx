import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, segment } from "../../api/client";
import type { ListResponse, RegeneratedBackupCodesResponse, UserDetails, UserPasskey } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ShownOnce } from "../../components/ShownOnce";
import { Badge, Dialog, ErrorMessage, Loading, DataTable } from "../../components/ui";
import { formatTime } from "../../lib/format";
import { useAction } from "../../lib/use-action";
import { Outcome, Section, userDetailsKey, userPath } from "./shared";

/** What the operator is about to remove, for the one confirmation dialog of the section. */
type Removal = { kind: "authenticator" } | { kind: "passkey"; passkey: UserPasskey } | { kind: "regenerate" };

/**
 * The user's second factors: the TOTP authenticator (one at most), backup codes (only whether
 * unused ones remain is known; new ones are shown once) and passkeys. Every removal is confirmed.
 */
export function SecondFactorsSection({ user }: { user: UserDetails }) {
  const passkeysKey = [...userDetailsKey(user.id), "passkeys"];
  const passkeys = useQuery({ queryKey: passkeysKey, queryFn: () => api.get<ListResponse<UserPasskey>>(userPath(user, "/passkeys")) });
  const refresh = [userDetailsKey(user.id), passkeysKey, ["users"], ["audit-logs"]];
  const [pending, setPending] = useState<Removal | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const removeAuthenticator = useAction(() => api.delete(userPath(user, "/authenticators")), refresh);
  const removePasskey = useAction((passkey: UserPasskey) => api.delete(userPath(user, `/passkeys/${segment(passkey.id)}`)), refresh);
  const regenerate = useAction(
    () => api.post<RegeneratedBackupCodesResponse>(userPath(user, "/backup-codes/regenerate")),
    refresh,
    (result) => setCodes(result.backup_codes),
  );

  function confirm(removal: Removal) {
    setPending(null);
    if (removal.kind === "authenticator") void removeAuthenticator.run(undefined, "Authenticator removed.");
    else if (removal.kind === "passkey") void removePasskey.run(removal.passkey, `Passkey ${removal.passkey.name} removed.`);
    else void regenerate.run(undefined, "New backup codes issued; the old ones no longer work.");
  }

  const list = passkeys.data?.data ?? [];
  return (
    <Section title="Second factors">
      <h3>Authenticator app (TOTP)</h3>
      {user.totp_enabled ? (
        <p className="factor-line">
          <Badge tone="ok">Active</Badge>
          <button type="button" className="button-small button-danger" onClick={() => setPending({ kind: "authenticator" })}>
            Remove authenticator
          </button>
        </p>
      ) : (
        <p className="empty">No authenticator.</p>
      )}
      <Outcome action={removeAuthenticator} />

      <h3>Backup codes</h3>
      <p className="factor-line">
        {user.has_backup_codes ? <Badge tone="ok">Unused codes remain</Badge> : <span className="muted">None issued, or all used.</span>}
        <button
          type="button"
          className="button-small"
          disabled={regenerate.pending}
          onClick={() => (user.has_backup_codes ? setPending({ kind: "regenerate" }) : confirm({ kind: "regenerate" }))}
        >
          {user.has_backup_codes ? "Regenerate backup codes" : "Issue backup codes"}
        </button>
      </p>
      <Outcome action={regenerate} />

      <h3>Passkeys</h3>
      {passkeys.isLoading && <Loading label="Loading passkeys…" />}
      <ErrorMessage error={passkeys.error} />
      {passkeys.data && list.length === 0 && <p className="empty">No passkeys.</p>}
      {list.length > 0 && (
        <DataTable columns={["Name", "Kind", "Registered", "Last used", "Actions"]}>
          {list.map((passkey) => (
            <tr key={passkey.id}>
              <td data-label="Name">{passkey.name}</td>
              <td data-label="Kind">
                {passkey.device_type === "platform" ? "This device" : "Security key or phone"}
                {passkey.backed_up && " (synced)"}
              </td>
              <td data-label="Registered">{formatTime(passkey.created_at)}</td>
              <td data-label="Last used">{passkey.last_used_at ? formatTime(passkey.last_used_at) : "Never"}</td>
              <td data-label="Actions">
                <button
                  type="button"
                  aria-label={`Remove passkey ${passkey.name}`}
                  className="button-small button-danger"
                  onClick={() => setPending({ kind: "passkey", passkey })}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Outcome action={removePasskey} />

      <ConfirmDialog
        open={pending !== null}
        title={confirmationOf(pending).title}
        confirmLabel={confirmationOf(pending).confirm}
        onConfirm={() => pending && confirm(pending)}
        onCancel={() => setPending(null)}
      >
        <p>{confirmationOf(pending).text}</p>
      </ConfirmDialog>
      <Dialog title="Copy the backup codes now" open={codes !== null} onClose={() => setCodes(null)}>
        {codes && (
          <ShownOnce label="Backup codes" lines={codes} copyLabel="Copy codes" onDone={() => setCodes(null)}>
            <p>These {codes.length} codes are shown only this once; each works one time. Give them to the user over a safe channel.</p>
          </ShownOnce>
        )}
      </Dialog>
    </Section>
  );
}

/** The confirmation texts, one per kind of removal. */
export function confirmationOf(removal: Removal | null): { title: string; text: string; confirm: string } {
  switch (removal?.kind) {
    case "authenticator":
      return {
        title: "Remove the authenticator?",
        text: "The user's authenticator app stops working for sign-in. Their backup codes, if any, still do.",
        confirm: "Remove authenticator",
      };
    case "passkey":
      return { title: "Remove this passkey?", text: `The passkey ${removal.passkey.name} can no longer sign the user in.`, confirm: "Remove passkey" };
    case "regenerate":
      return { title: "Regenerate backup codes?", text: "The user's current backup codes stop working at once.", confirm: "Regenerate codes" };
    default:
      return { title: "Confirm", text: "", confirm: "Confirm" };
  }
}
