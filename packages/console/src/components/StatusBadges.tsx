import type { User } from "../api/types";
import { Badge } from "./ui";

/** Disabled / locked / MFA, from the fields every user answer carries (list items and details alike). */
export function StatusBadges({ user }: { user: Pick<User, "disabled" | "locked" | "two_factor_enabled"> }) {
  const badges = [
    user.disabled && (
      <Badge key="disabled" tone="danger">
        Disabled
      </Badge>
    ),
    user.locked && (
      <Badge key="locked" tone="warn">
        Locked
      </Badge>
    ),
    user.two_factor_enabled && (
      <Badge key="mfa" tone="ok">
        MFA
      </Badge>
    ),
  ].filter(Boolean);
  return badges.length ? <span className="badges">{badges}</span> : <span className="muted">Active</span>;
}
