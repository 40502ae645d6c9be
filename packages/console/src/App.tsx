export function App() {
  return (
    <main className="sign-in">
      <h1>Wacht console</h1>
    </main>
  );
}
