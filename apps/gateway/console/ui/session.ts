/**
 * What the console remembers. The admin key lives in memory and in sessionStorage (this tab only,
 * gone when it closes): never in a URL, a cookie or localStorage. API-key secrets created in this
 * page's lifetime are kept in memory only, for the token workbench; a reload forgets them.
 */
const ADMIN_KEY = 'roomkey.console.adminKey';
const TENANT = 'roomkey.console.tenant';

let adminKey: string | undefined;

export const session = {
  adminKey(): string | undefined {
    adminKey ??= sessionStorage.getItem(ADMIN_KEY) ?? undefined;
    return adminKey;
  },
  signIn(key: string): void {
    adminKey = key;
    sessionStorage.setItem(ADMIN_KEY, key);
  },
  signOut(): void {
    adminKey = undefined;
    secrets.clear();
    sessionStorage.removeItem(ADMIN_KEY);
    sessionStorage.removeItem(TENANT);
  },
  tenant(): string | undefined {
    return sessionStorage.getItem(TENANT) ?? undefined;
  },
  setTenant(tenant: string | undefined): void {
    if (tenant) sessionStorage.setItem(TENANT, tenant);
    else sessionStorage.removeItem(TENANT);
  },
};

/** apiKey → secret, for keys created or rotated since the page loaded. */
export const secrets = new Map<string, string>();
