"""The translation catalogues (gongzhi/locale/<lang>/LC_MESSAGES/*.po): compile them to .mo with
polib, so neither a development machine nor a server needs GNU gettext, and count what is left to
translate. Plain Python, no Django settings: `./run` calls it before anything else.

    python -m gongzhi.core.catalogues            compile each catalogue whose .mo is missing or older
    python -m gongzhi.core.catalogues --force    compile every catalogue
    python -m gongzhi.core.catalogues --report   count the untranslated and fuzzy entries

The .mo files are build products (ignored by git). `manage.py compilemessages` (GNU gettext)
writes the same files.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
SHOWN = 30  # entries listed by --report


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def mo_path(po: Path) -> Path:
    return po.with_suffix(".mo")


def is_stale(po: Path) -> bool:
    mo = mo_path(po)
    return not mo.exists() or po.stat().st_mtime > mo.stat().st_mtime


def compile_catalogue(po: Path) -> Path:
    """Write the .mo next to the .po. Fuzzy and untranslated entries are left out (they show the
    English msgid), as msgfmt does. The file is replaced atomically, so a running server or a
    parallel test worker never reads half of it."""
    mo = mo_path(po)
    tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
    try:
        polib.pofile(str(po)).save_as_mofile(str(tmp))
        os.replace(tmp, mo)
    finally:
        tmp.unlink(missing_ok=True)
    return mo


def compile_stale(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Compile the catalogues whose .mo is missing or older than the .po; return them."""
    done = []
    for po in catalogues(locale_dir):
        if force or is_stale(po):
            compile_catalogue(po)
            done.append(po)
    return done


@dataclass(frozen=True)
class Progress:
    path: Path
    translated: int
    untranslated: int
    fuzzy: int

    @property
    def complete(self) -> bool:
        return not self.untranslated and not self.fuzzy


def progress(po: Path) -> Progress:
    cat = polib.pofile(str(po))
    return Progress(
        path=po,
        translated=len(cat.translated_entries()),
        untranslated=len(cat.untranslated_entries()),
        fuzzy=len(cat.fuzzy_entries()),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gongzhi.core.catalogues")
    parser.add_argument("--force", action="store_true", help="compile every catalogue")
    parser.add_argument("--report", action="store_true", help="count what is left to translate")
    args = parser.parse_args(argv)
    root = LOCALE_DIR.parents[1]
    if args.report:
        for po in catalogues():
            p = progress(po)
            state = "complete" if p.complete else "to do"
            print(
                f"{po.relative_to(root)}: {p.translated} translated, "
                f"{p.untranslated} untranslated, {p.fuzzy} fuzzy ({state})"
            )
            cat = polib.pofile(str(po))
            todo = [("fuzzy", e) for e in cat.fuzzy_entries()]
            todo += [("new", e) for e in cat.untranslated_entries()]
            for kind, e in todo[:SHOWN]:
                print(f"  {kind}: {e.msgid!r}")
            if len(todo) > SHOWN:
                print(f"  … and {len(todo) - SHOWN} more")
        return 0
    for po in compile_stale(force=args.force):
        print(f"compiled {mo_path(po).relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
