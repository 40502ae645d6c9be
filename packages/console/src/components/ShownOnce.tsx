import { useId, useState } from "react";
import { Notice } from "./ui";

/** Copies text, saying what happened: browsers refuse the clipboard outside a secure context or a user gesture. */
export async function copyToClipboard(text: string): Promise<string> {
  try {
    await navigator.clipboard.writeText(text);
    return "Copied to the clipboard.";
  } catch {
    return "The browser refused the clipboard: select the text and copy it by hand.";
  }
}

/**
 * A secret shown this once (the server keeps only its hash, or the operator must store it now):
 * a read-only field that selects itself on focus, a copy button and a Done button. `lines` shows
 * several values (backup codes) in one text area, copied together.
 */
export function ShownOnce({
  label,
  value,
  lines,
  copyLabel,
  onDone,
  children,
}: {
  label: string;
  value?: string;
  lines?: string[];
  copyLabel: string;
  onDone: () => void;
  children?: React.ReactNode;
}) {
  const id = useId();
  const [copied, setCopied] = useState<string | null>(null);
  const text = lines ? lines.join("\n") : (value ?? "");
  return (
    <>
      {children}
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {lines ? (
          <textarea id={id} className="mono code" readOnly rows={Math.min(lines.length, 12)} value={text} onFocus={(event) => event.target.select()} />
        ) : (
          <input id={id} className="mono" readOnly value={text} onFocus={(event) => event.target.select()} />
        )}
      </div>
      <div className="actions">
        <button type="button" onClick={() => void copyToClipboard(text).then(setCopied)}>
          {copyLabel}
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          Done
        </button>
      </div>
      <Notice>{copied}</Notice>
    </>
  );
}
