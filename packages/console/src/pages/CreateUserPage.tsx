import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, segment } from "../api/client";
import type { User } from "../api/types";
import { ErrorMessage, Field } from "../components/ui";
import { formErrorsOf } from "../lib/api-error";
import { parseMetadata } from "../lib/metadata";

const FIELDS = ["first_name", "last_name", "email_address", "phone_number", "username", "password", "public_metadata", "private_metadata"] as const;
type FieldName = (typeof FIELDS)[number];
type Values = Record<FieldName, string>;
const EMPTY: Values = {
  first_name: "",
  last_name: "",
  email_address: "",
  phone_number: "",
  username: "",
  password: "",
  public_metadata: "",
  private_metadata: "",
};

/** Create a user; the server's own validation (uniqueness, password policy, phone format) lands on the fields. */
export function CreateUserPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Values>(EMPTY);
  const [skipPasswordCheck, setSkipPasswordCheck] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<User>("/users", body),
    onSuccess: async (user) => {
      await queryClient.invalidateQueries({ queryKey: ["users"] });
      navigate(`/users/${segment(user.id)}`, { state: { notice: "User created." } });
    },
    onError: (error) => {
      const { fields, general } = formErrorsOf(error, FIELDS);
      setFieldErrors(fields);
      setGeneral(general);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const body: Record<string, unknown> = {};
    const errors: Partial<Record<FieldName, string>> = {};
    for (const name of ["first_name", "last_name", "email_address", "phone_number", "username", "password"] as const) {
      const value = name === "password" ? values[name] : values[name].trim();
      if (value) body[name] = value;
    }
    for (const name of ["public_metadata", "private_metadata"] as const) {
      if (!values[name].trim()) continue;
      const parsed = parseMetadata(values[name]);
      if (parsed.ok) body[name] = parsed.value;
      else errors[name] = parsed.error;
    }
    if (skipPasswordCheck) body.skip_password_check = true;
    setFieldErrors(errors);
    setGeneral(Object.keys(errors).length ? "Fix the highlighted fields." : null);
    if (!Object.keys(errors).length) create.mutate(body);
  }

  const bind = (name: FieldName) => ({
    name,
    value: values[name],
    error: fieldErrors[name],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => setValues({ ...values, [name]: event.target.value }),
  });

  return (
    <section>
      <p className="breadcrumb">
        <Link to="/users">Users</Link> / New
      </p>
      <h1>Create user</h1>
      <form className="card form-grid" onSubmit={submit} noValidate aria-describedby="create-hint">
        <p id="create-hint" className="hint span-2">
          An email address or phone number given here is created verified and primary.
        </p>
        <Field label="First name" autoComplete="off" {...bind("first_name")} />
        <Field label="Last name" autoComplete="off" {...bind("last_name")} />
        <Field label="Email address" type="email" autoComplete="off" {...bind("email_address")} />
        <Field label="Phone number" type="tel" autoComplete="off" hint="E.164, e.g. +14155550123" {...bind("phone_number")} />
        <Field label="Username" autoComplete="off" {...bind("username")} />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="Required unless the policy check is skipped (then empty means no password)."
          {...bind("password")}
        />
        <div className="field checkbox span-2">
          <input id="skip-password-check" type="checkbox" checked={skipPasswordCheck} onChange={(event) => setSkipPasswordCheck(event.target.checked)} />
          <label htmlFor="skip-password-check">Skip the password policy check (allows no password)</label>
        </div>
        <MetadataTextarea
          label="Public metadata (JSON)"
          value={values.public_metadata}
          error={fieldErrors.public_metadata}
          onChange={(text) => setValues({ ...values, public_metadata: text })}
        />
        <MetadataTextarea
          label="Private metadata (JSON)"
          value={values.private_metadata}
          error={fieldErrors.private_metadata}
          onChange={(text) => setValues({ ...values, private_metadata: text })}
        />
        <div className="span-2">
          <ErrorMessage>{general}</ErrorMessage>
        </div>
        <div className="actions span-2">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create user"}
          </button>
          <Link to="/users" className="button button-secondary">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}

export function MetadataTextarea({
  label,
  value,
  error,
  onChange,
}: {
  label: string;
  value: string;
  error?: string | undefined;
  onChange: (text: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="code"
        rows={6}
        spellCheck={false}
        value={value}
        placeholder="{}"
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
