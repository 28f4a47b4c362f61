import type { AdminApi } from './api';

/** What a page gets: the admin API, the tenant chosen in the header, its route, and a signal aborted when the user leaves it. */
export interface PageContext {
  api: AdminApi;
  tenant: string | undefined;
  /** The hash route's parts after the page name: `#/tenants/acme` → `['acme']`. */
  params: string[];
  root: HTMLElement;
  signal: AbortSignal;
  /** Makes `tenant` the current tenant (header selector and every tenant page). */
  selectTenant(tenant: string): Promise<void>;
}

export interface PageDefinition {
  path: string;
  title: string;
  render(context: PageContext): void | Promise<void>;
  /** Pages that work on one tenant show a hint instead when none is chosen. */
  needsTenant: boolean;
}
