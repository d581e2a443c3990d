/**
 * archon-db-sync: the Database Sync card for Archon v1's Settings page.
 * Copy to archon-ui-main/src/features/settings/database-sync/components/DatabaseSyncCard.tsx and place it
 * on SettingsPage.tsx inside a CollapsibleSettingsCard beside "Database Migrations" (settings-page.insert.tsx).
 *
 * It mounts the service's own web component, <archon-db-sync>, loaded at run time from the service through
 * Archon's Vite proxy (/api/db-sync/, see vite.config.insert.ts): the dashboard always runs the component
 * the service it talks to speaks. `preset="archon"` gives it Archon's look; `theme="auto"` follows Archon's
 * dark/light toggle (the `dark` class on <html>).
 */
import { AlertTriangle, Loader } from "lucide-react";
import type React from "react";
import { useEffect, useState } from "react";

/** Where Archon's Vite server forwards to archon-db-sync. */
const DB_SYNC_PREFIX = "/api/db-sync";

declare global {
  namespace JSX {
    interface IntrinsicElements {
      "archon-db-sync": React.DetailedHTMLProps<React.HTMLAttributes<HTMLElement>, HTMLElement> & {
        api?: string;
        theme?: "light" | "dark" | "auto";
        preset?: string;
      };
    }
  }
}

type LoadState = "loading" | "ready" | "unreachable";

/** Loads the component once per page; every card mounted after that reuses it. */
let componentLoad: Promise<unknown> | null = null;
function loadComponent(): Promise<unknown> {
  if (customElements.get("archon-db-sync")) return Promise.resolve();
  if (!componentLoad) {
    // a variable, so Vite leaves the import to the browser (it is served by the sync service, not bundled)
    const url = `${DB_SYNC_PREFIX}/archon-db-sync.js`;
    componentLoad = import(/* @vite-ignore */ url).catch((err) => {
      componentLoad = null; // let a later mount try again
      throw err;
    });
  }
  return componentLoad;
}

export function DatabaseSyncCard() {
  const [state, setState] = useState<LoadState>(customElements.get("archon-db-sync") ? "ready" : "loading");

  useEffect(() => {
    let cancelled = false;
    loadComponent().then(
      () => !cancelled && setState("ready"),
      () => !cancelled && setState("unreachable"),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (state === "loading") {
    return (
      <div className="flex items-center gap-2 text-sm text-gray-600 dark:text-gray-400">
        <Loader className="w-4 h-4 animate-spin" /> Loading Database Sync…
      </div>
    );
  }
  if (state === "unreachable") {
    return (
      <div className="flex items-start gap-2 p-4 rounded-lg border border-yellow-300 dark:border-yellow-800 bg-yellow-50 dark:bg-yellow-900/20 text-sm text-gray-700 dark:text-gray-300">
        <AlertTriangle className="w-4 h-4 mt-0.5 text-yellow-500 shrink-0" />
        <span>
          The Database Sync service did not answer at <code>{DB_SYNC_PREFIX}/</code>. Is the <code>archon-db-sync</code>{" "}
          container running, and does <code>vite.config.ts</code> have its proxy rule? Reload the page once it is up.
        </span>
      </div>
    );
  }
  return <archon-db-sync api={`${DB_SYNC_PREFIX}/database`} theme="auto" preset="archon" />;
}
