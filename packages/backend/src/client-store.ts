import type { WachtClient } from "./client.js";

/**
 * Named clients, as in the published SDK: `new WachtClient({ name, store })`
 * registers itself, `store.get(name)` finds it. Useful with one client per deployment.
 */
export class WachtClientStore {
  readonly #clients = new Map<string, WachtClient>();

  register(name: string, client: WachtClient): void {
    this.#clients.set(name, client);
  }

  get(name: string): WachtClient {
    const client = this.#clients.get(name);
    if (!client) throw new Error(`No Wacht client registered with name '${name}'.`);
    return client;
  }

  has(name: string): boolean {
    return this.#clients.has(name);
  }

  remove(name: string): boolean {
    return this.#clients.delete(name);
  }

  list(): string[] {
    return [...this.#clients.keys()];
  }

  clear(): void {
    this.#clients.clear();
  }
}

export function createClientStore(): WachtClientStore {
  return new WachtClientStore();
}
