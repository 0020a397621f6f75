#!/usr/bin/python3
"""Fails when a service (outside the platform) slices strings by position.

Issue 7: resource names are types with Parse and ToString
(services/<svc>/domain/names.h); nothing else takes names apart with
substr, or with offsets such as `at + 9`. Finding positions in a name with
find/rfind is string arithmetic too, unless it is a map or set lookup.
"""
import glob
import os
import re
import sys

ROOT = os.environ.get("ENAMND_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
FORBIDDEN = [
    (re.compile(r"\.substr\("), "substr"),
    (re.compile(r"\.(r?find|find_first_of|find_last_of)\(\s*\"[^\"]*/"), "find of a name part"),
    (re.compile(r"\b(at|pos|slash|cut)\s*\+\s*\d+"), "offset arithmetic"),
]


def main():
    files = [f for f in glob.glob(os.path.join(ROOT, "services", "*", "**", "*.*"), recursive=True)
             if f.endswith((".cc", ".h")) and os.sep + "platform" + os.sep not in f]
    failures = 0
    for path in sorted(files):
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                code = line.split("//", 1)[0]
                for pattern, what in FORBIDDEN:
                    if pattern.search(code):
                        failures += 1
                        print(f"{os.path.relpath(path, ROOT)}:{number}: {what}: {line.strip()}")
    print(f"{len(files)} files checked")
    print(f"{len(files) - min(failures, len(files))} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
