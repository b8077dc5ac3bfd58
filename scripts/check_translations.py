"""Fail when a user-facing string lacks its Chinese translation.

Runs makemessages for zh_Hans (so new strings in code and templates are collected), then
reads every catalogue with polib: any untranslated or fuzzy entry is listed and fails lint.
The project catalogue is ``daodi/locale``; an app with its own ``locale`` directory (e.g.
``daodi/quality/locale``) keeps its strings there, and makemessages files them there.
"""

import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = "**/locale/zh_Hans/LC_MESSAGES/django.po"


def main() -> int:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="daodi.settings")
    for domain in ("django",):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-l",
                "zh_Hans",
                "-d",
                domain,
                "--no-obsolete",
                "--add-location=file",
                "-i",
                ".venv",
                "-i",
                "var",
                "-i",
                "bench",
                "-i",
                "tests",
            ],
            cwd=ROOT / "daodi",
            env=env,
            check=True,
            capture_output=True,
        )
    total, failed = 0, False
    for po in sorted((ROOT / "daodi").glob(CATALOGUES)):
        catalogue = polib.pofile(str(po))
        total += len(catalogue)
        missing = [e for e in catalogue if not e.translated() and not e.obsolete]
        for entry in missing:
            where = entry.occurrences[0][0] if entry.occurrences else "?"
            print(f"untranslated: {entry.msgid!r} ({where})")
        if missing:
            print(f"{len(missing)} string(s) lack a zh-Hans translation in {po.relative_to(ROOT)}")
            failed = True
    if failed:
        return 1
    print(f"translations complete: {total} strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
