#!/usr/bin/env python3
"""Screenshots Archon's Settings page with the live Database Sync card, in Archon's dark and light theme.

How docs/archon-settings-dark.png and docs/archon-settings-light.png were made (docs/deploy.md, "Tried for
real"): Archon's UI (a copy of coleam00/Archon archive/v1-task-management-rag with deploy/archon/apply.py
applied) runs under its own Vite server, proxying /api/db-sync/ to a running archon-db-sync. This drives
headless Chromium through chromedriver's WebDriver HTTP API (no Selenium needed):

    python3 deploy/archon/screenshot-settings.py http://localhost:3737 docs/

For each theme it sets Archon's own switch (localStorage "theme", which Archon's ThemeContext reads and
turns into the `dark` class on <html>), opens /settings, waits until the card's <archon-db-sync> has
rendered the service's data (its history), scrolls it (with the "Database Migrations" card above it) into view and saves the viewport (1400x1000).
"""
import base64
import json
import pathlib
import sys
import time
import urllib.request

DRIVER = "http://127.0.0.1:9515"


def call(method, path, body=None):
    req = urllib.request.Request(DRIVER + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as res:
        return json.load(res)["value"]


def run(sid, script, *args):
    return call("POST", f"/session/{sid}/execute/sync", {"script": script, "args": list(args)})


def wait_for(sid, script, what, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        if run(sid, script):
            return
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


CARD_READY = """
const el = document.querySelector('archon-db-sync');
if (!el || !el.shadowRoot) return false;
const text = el.shadowRoot.textContent || '';
return /History/.test(text) && /(local-to-remote|Local → Cloud)/.test(text) && /completed/i.test(text);
"""


def main():
    base, out = sys.argv[1].rstrip("/"), pathlib.Path(sys.argv[2])
    caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000"]}}}}
    sid = call("POST", "/session", caps)["sessionId"]
    try:
        for theme in ("dark", "light"):
            call("POST", f"/session/{sid}/url", {"url": base + "/settings"})
            # Archon's own theme switch, and the onboarding prompt dismissed as a user who finished it would have
            run(sid, "localStorage.setItem('theme', arguments[0]); localStorage.setItem('onboardingDismissed', 'true');", theme)
            call("POST", f"/session/{sid}/refresh", {})
            wait_for(sid, "return document.documentElement.classList.contains('dark') === (arguments.length === 0 ? %s : false)"
                     % ("true" if theme == "dark" else "false"), f"Archon's {theme} theme")
            wait_for(sid, CARD_READY, "the Database Sync card with the service's history")
            # the card with the one above it ("Database Migrations", collapsed by default) in view
            run(sid, "const card = document.getElementById('database-sync');"
                     "(card.previousElementSibling || card).scrollIntoView({block: 'start'}); window.scrollBy(0, -16);")
            time.sleep(1.5)  # Archon's entrance animations
            png = base64.b64decode(call("GET", f"/session/{sid}/screenshot"))
            target = out / f"archon-settings-{theme}.png"
            target.write_bytes(png)
            print(f"wrote {target} ({len(png)} bytes)")
    finally:
        call("DELETE", f"/session/{sid}")


if __name__ == "__main__":
    main()
