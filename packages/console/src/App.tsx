import { Navigate, NavLink, Route, Routes } from "react-router";
import { Loading } from "./components/ui";
import { AuditLogPage } from "./pages/AuditLogPage";
import { CreateUserPage } from "./pages/CreateUserPage";
import { DeploymentPage } from "./pages/DeploymentPage";
import { SignInPage } from "./pages/SignInPage";
import { UserDetailPage } from "./pages/UserDetailPage";
import { UsersPage } from "./pages/UsersPage";
import { WebhookEndpointPage } from "./pages/WebhookEndpointPage";
import { WebhooksPage } from "./pages/WebhooksPage";
import { useSession } from "./session";

export function App() {
  const { session, isLoading } = useSession();
  if (isLoading) return <Loading label="Opening the console…" />;
  if (!session) return <SignInPage />;
  return <Shell />;
}

function Shell() {
  const { session, signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Wacht console</span>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/users">Users</NavLink>
            </li>
            <li>
              <NavLink to="/webhooks">Webhooks</NavLink>
            </li>
            <li>
              <NavLink to="/audit-log">Audit log</NavLink>
            </li>
            <li>
              <NavLink to="/deployment">Deployment &amp; API keys</NavLink>
            </li>
          </ul>
        </nav>
        <div className="whoami">
          <span className="deployment-name" title={`Deployment ${session!.deployment_id}`}>
            {session!.deployment_name}
          </span>
          <span className="key-name">
            key {session!.api_key.name} ({session!.api_key.display_prefix})
          </span>
          <button type="button" className="button-secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to="/users" replace />} />
          <Route path="/users" element={<UsersPage />} />
          <Route path="/users/new" element={<CreateUserPage />} />
          <Route path="/users/:userId" element={<UserDetailPage />} />
          <Route path="/webhooks" element={<WebhooksPage />} />
          <Route path="/webhooks/:appSlug/endpoints/:endpointId" element={<WebhookEndpointPage />} />
          <Route path="/audit-log" element={<AuditLogPage />} />
          <Route path="/deployment" element={<DeploymentPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        The console has no page here. <NavLink to="/users">Go to users</NavLink>.
      </p>
    </section>
  );
}
