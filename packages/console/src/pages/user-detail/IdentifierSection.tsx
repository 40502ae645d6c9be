import { useState } from "react";
import { api, segment } from "../../api/client";
import type { UserDetails } from "../../api/types";
import { Badge, ErrorMessage, Field, Notice, DataTable } from "../../components/ui";
import { formErrorsOf } from "../../lib/api-error";
import { useAction } from "../../lib/use-action";
import { Outcome, Section, userDetailsKey, userPath } from "./shared";

/** What differs between a user's emails and phones; the rules (verify, make primary, delete, add) are the same. */
export interface IdentifierKind {
  title: string;
  /** The column heading and the noun of the buttons ("Add email"). */
  column: string;
  noun: string;
  /** The sub-resource: /users/{id}/emails or /phones. */
  path: "emails" | "phones";
  /** The request field that carries the value, and other names the API may give it in errors. */
  field: string;
  errorAliases?: Record<string, string>;
  input: { label: string; type: "email" | "tel"; hint?: string };
  items: (user: UserDetails) => Array<{ id: string; is_primary: boolean; verified: boolean; value: string }>;
}

export const EMAILS: IdentifierKind = {
  title: "Email addresses",
  column: "Email",
  noun: "email",
  path: "emails",
  field: "email",
  errorAliases: { email_address: "email" },
  input: { label: "New email address", type: "email" },
  items: (user) => user.email_addresses.map((item) => ({ ...item, value: item.email })),
};

export const PHONES: IdentifierKind = {
  title: "Phone numbers",
  column: "Phone",
  noun: "phone",
  path: "phones",
  field: "phone_number",
  input: { label: "New phone number", type: "tel", hint: "E.164, e.g. +14155550123" },
  items: (user) => user.phone_numbers.map((item) => ({ ...item, value: item.phone_number })),
};

/** A user's emails or phones: mark verified, make primary, delete, add (the API's rules shown as its messages). */
export function IdentifierSection({ user, kind }: { user: UserDetails; kind: IdentifierKind }) {
  const refresh = [userDetailsKey(user.id), ["users"]];
  const act = useAction((call: () => Promise<unknown>) => call(), refresh);
  const [value, setValue] = useState("");
  const [verified, setVerified] = useState(true);
  const add = useAction(
    (body: Record<string, unknown>) => api.post(userPath(user, `/${kind.path}`), body),
    refresh,
    () => setValue(""),
  );
  const addError = add.rawError ? formErrorsOf(add.rawError, [kind.field], kind.errorAliases) : null;
  const items = kind.items(user);
  const itemPath = (id: string, rest = "") => userPath(user, `/${kind.path}/${segment(id)}${rest}`);
  const verifiedBoxId = `new-${kind.noun}-verified`;

  return (
    <Section title={kind.title}>
      {items.length === 0 ? (
        <p className="empty">No {kind.title.toLowerCase()}.</p>
      ) : (
        <DataTable columns={[kind.column, "Status", "Actions"]}>
          {items.map((item) => (
            <tr key={item.id}>
              <td data-label={kind.column}>{item.value}</td>
              <td data-label="Status">
                <span className="badges">
                  {item.is_primary && <Badge tone="ok">Primary</Badge>}
                  {item.verified ? <Badge tone="neutral">Verified</Badge> : <Badge tone="warn">Unverified</Badge>}
                </span>
              </td>
              <td data-label="Actions" className="row-actions">
                {!item.verified && (
                  <button
                    aria-label={`Mark verified: ${item.value}`}
                    type="button"
                    className="button-small"
                    onClick={() => void act.run(() => api.patch(itemPath(item.id), { verified: true }), `${item.value} marked verified.`)}
                  >
                    Mark verified
                  </button>
                )}
                {!item.is_primary && (
                  <button
                    aria-label={`Make primary: ${item.value}`}
                    type="button"
                    className="button-small"
                    onClick={() => void act.run(() => api.post(itemPath(item.id, "/make-primary")), `${item.value} is now primary.`)}
                  >
                    Make primary
                  </button>
                )}
                <button
                  aria-label={`Delete: ${item.value}`}
                  type="button"
                  className="button-small button-danger"
                  onClick={() => void act.run(() => api.delete(itemPath(item.id)), `${item.value} deleted.`)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Outcome action={act} />
      <form
        className="inline-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void add.run({ [kind.field]: value.trim(), verified }, `${value.trim()} added.`);
        }}
      >
        <Field
          label={kind.input.label}
          name={kind.field}
          type={kind.input.type}
          hint={kind.input.hint}
          value={value}
          error={addError?.fields[kind.field]}
          onChange={(event) => setValue(event.target.value)}
        />
        <div className="field checkbox">
          <input id={verifiedBoxId} type="checkbox" checked={verified} onChange={(event) => setVerified(event.target.checked)} />
          <label htmlFor={verifiedBoxId}>Verified</label>
        </div>
        <button type="submit" disabled={add.pending || !value.trim()}>
          Add {kind.noun}
        </button>
      </form>
      {addError?.general ? <ErrorMessage>{addError.general}</ErrorMessage> : <Notice>{add.notice}</Notice>}
    </Section>
  );
}
