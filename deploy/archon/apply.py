#!/usr/bin/env python3
"""Applies archon-db-sync's snippets (this directory) to an Archon v1 checkout's archon-ui-main.

    python3 deploy/archon/apply.py /path/to/Archon            # then: docker compose up -d --build archon-frontend

It does exactly what the snippet files say to do by hand, and nothing else:
  - vite.config.ts: vite.config.insert.ts before Archon's general proxyConfig['/api'] rule;
  - src/features/settings/database-sync/: DatabaseSyncCard.tsx (components/) and DatabaseSyncPage.tsx;
  - src/pages/SettingsPage.tsx: the card (settings-page.insert.tsx) after "Database Migrations", its imports;
  - src/components/layout/Navigation.tsx and src/App.tsx: the navigation entry and route (navigation.insert.tsx).
Each file is changed only if it has the shape the snippet expects (exactly one anchor) and is not changed
yet (a second run changes nothing); otherwise it stops and says which file and why, before writing anything.
"""
import pathlib
import re
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
MARK = "archon-db-sync"


class Refused(Exception):
    pass


def code_lines(snippet, comment):
    """The snippet's code: every line that is not part of a comment block in the given style."""
    out, in_block = [], False
    for line in (HERE / snippet).read_text().splitlines():
        s = line.strip()
        if comment == "jsx":
            if s.startswith("{/*"):
                in_block = not s.endswith("*/}")
                continue
            if in_block:
                in_block = not s.endswith("*/}")
                continue
        elif s.startswith("//"):
            out.append("")  # keeps groups apart
            continue
        out.append(line)
    return out


def groups(lines):
    """Consecutive non-empty lines, as blocks."""
    blocks, cur = [], []
    for line in lines + [""]:
        if line.strip():
            cur.append(line)
        elif cur:
            blocks.append(cur)
            cur = []
    return blocks


def one_index(lines, pattern, what, path):
    hits = [i for i, l in enumerate(lines) if re.search(pattern, l)]
    if len(hits) != 1:
        raise Refused(f"{path}: expected exactly one line with {what}, found {len(hits)}; apply the snippet by hand")
    return hits[0]


def plan_vite(ui):
    path = ui / "vite.config.ts"
    lines = path.read_text().splitlines()
    if any(MARK in l for l in lines):
        return None
    at = one_index(lines, r"^\s*proxyConfig\['/api'\]\s*=\s*\{", "proxyConfig['/api'] = {", path)
    # keep Archon's comment line that introduces its general rule together with it
    while at > 0 and lines[at - 1].strip().startswith("//"):
        at -= 1
    if not any(re.search(r"\bisDocker\b", l) for l in lines[:at]) or not any(re.search(r"\bconst env\b", l) for l in lines[:at]):
        raise Refused(f"{path}: the insertion uses Archon's `env` and `isDocker`, which this file does not define before the proxy")
    insert = (HERE / "vite.config.insert.ts").read_text().rstrip("\n").splitlines() + [""]
    return path, lines[:at] + insert + lines[at:]


def plan_settings(ui):
    path = ui / "src/pages/SettingsPage.tsx"
    lines = path.read_text().splitlines()
    if any(MARK in l or "DatabaseSyncCard" in l for l in lines):
        return None
    title = one_index(lines, r'title="Database Migrations"', 'title="Database Migrations"', path)
    close = next((i for i in range(title, len(lines)) if lines[i].strip() == "</motion.div>"), None)
    if close is None:
        raise Refused(f"{path}: no </motion.div> after the Database Migrations card")
    card = [l for l in code_lines("settings-page.insert.tsx", "jsx") if l.strip()]
    imp = one_index(lines, r"^import .*MigrationStatusCard", "the MigrationStatusCard import", path)
    imports = ['import { DatabaseBackup } from "lucide-react";',
               'import { DatabaseSyncCard } from "../features/settings/database-sync/components/DatabaseSyncCard";']
    new = lines[:imp + 1] + imports + lines[imp + 1:close + 1 + 0]
    rest = lines[close + 1:]
    return path, new + [""] + card + rest


def plan_navigation(ui):
    path = ui / "src/components/layout/Navigation.tsx"
    lines = path.read_text().splitlines()
    if any("/database-sync" in l for l in lines):
        return None
    settings = one_index(lines, r'^\s*path:\s*"/settings"', 'path: "/settings"', path)
    start = settings - 1
    if lines[start].strip() != "{":
        raise Refused(f"{path}: the Settings navigation item does not start on the line before its path")
    item = groups(code_lines("navigation.insert.tsx", "ts"))[0]
    first_import = one_index(lines, r'^import .* from "lucide-react";', "the lucide-react import", path)
    new = lines[:first_import + 1] + ['import { DatabaseBackup } from "lucide-react";'] + lines[first_import + 1:start]
    return path, new + item + lines[start:]


def plan_app(ui):
    path = ui / "src/App.tsx"
    lines = path.read_text().splitlines()
    if any("DatabaseSyncPage" in l for l in lines):
        return None
    route_at = one_index(lines, r'<Route path="/settings"', 'the /settings route', path)
    imp = one_index(lines, r"^import \{ SettingsPage \}", "the SettingsPage import", path)
    route = groups(code_lines("navigation.insert.tsx", "ts"))[1]
    new = lines[:imp + 1] + ["import { DatabaseSyncPage } from './features/settings/database-sync/DatabaseSyncPage';"]
    new += lines[imp + 1:route_at + 1] + route + lines[route_at + 1:]
    return path, new


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    archon = pathlib.Path(sys.argv[1]).resolve()
    ui = archon / "archon-ui-main"
    if not (ui / "vite.config.ts").is_file() or not (ui / "src/components/ui/CollapsibleSettingsCard.tsx").is_file():
        sys.exit(f"{archon}: not an Archon v1 checkout (no archon-ui-main/vite.config.ts with CollapsibleSettingsCard)")
    try:
        plans = [p for p in (plan_vite(ui), plan_settings(ui), plan_navigation(ui), plan_app(ui)) if p]
    except Refused as e:
        sys.exit(f"not applied, nothing changed: {e}")
    feature = ui / "src/features/settings/database-sync"
    (feature / "components").mkdir(parents=True, exist_ok=True)
    for src, dst in (("DatabaseSyncCard.tsx", feature / "components/DatabaseSyncCard.tsx"),
                     ("DatabaseSyncPage.tsx", feature / "DatabaseSyncPage.tsx")):
        shutil.copyfile(HERE / src, dst)
        print(f"copied   {dst.relative_to(archon)}")
    for path, lines in plans:
        path.write_text("\n".join(lines) + "\n")
        print(f"changed  {path.relative_to(archon)}")
    if not plans:
        print("already applied: nothing changed")


if __name__ == "__main__":
    main()
