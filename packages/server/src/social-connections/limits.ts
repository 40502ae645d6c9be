/** How many social connections one user may have: each rides along on every details read (docs/security.md, "Limits"). */
export const MAX_SOCIAL_CONNECTIONS_PER_USER = 50;
