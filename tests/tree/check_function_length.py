#!/usr/bin/python3
"""Fails when a function in services/*/api/ is longer than the limit.

Issue 7: a handler reads load -> rule -> store -> emit and stays short. A
function is counted from the line of its opening brace's declaration to
its closing brace; namespace and class bodies are looked into, not counted.
The brace matching skips strings, characters and comments.
"""
import glob
import os
import re
import sys

LIMIT = 60
ROOT = os.environ.get("ENAMND_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SCOPES = re.compile(r"^\s*(namespace\b|(class|struct)\s+\w+[^;()]*$|extern\s+\"C\")")


def strip(line, state):
    """The line without strings, chars and comments; state carries /* */."""
    out, i = [], 0
    while i < len(line):
        if state["comment"]:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out)
            state["comment"], i = False, end + 2
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["comment"], i = True, i + 2
            continue
        c = line[i]
        if c in "\"'":
            j = i + 1
            while j < len(line) and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def declaration(code, pending):
    """The text that a brace opens: its own line, or the line above a lone '{'."""
    if code.strip() == "{" and pending:
        return pending[-1]
    return code


def long_functions(path):
    state = {"comment": False}
    stack = []  # (kind, start line, header)
    pending = []  # recent code lines, for the header of the next brace
    found = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            code = strip(raw, state)
            for c in code:
                if c == "{":
                    header = " ".join(pending[-3:] + [code])
                    inside_function = any(kind == "function" for kind, _, _ in stack)
                    if inside_function:
                        stack.append(("block", number, header))
                    elif SCOPES.match(declaration(code, pending)):
                        stack.append(("scope", number, header))
                    else:
                        start = number
                        # The declaration may begin a few lines above the brace.
                        for back in range(len(pending) - 1, -1, -1):
                            if pending[back].strip() == "" or pending[back].rstrip().endswith((";", "}")):
                                break
                            start -= 1
                        stack.append(("function", start, header))
                elif c == "}" and stack:
                    kind, start, header = stack.pop()
                    if kind == "function" and number - start + 1 > LIMIT:
                        found.append((number - start + 1, start, header.strip()[:90]))
            if code.strip():
                pending.append(code)
            else:
                pending.append("")
            pending = pending[-6:]
    return found


def main():
    files = sorted(glob.glob(os.path.join(ROOT, "services", "*", "api", "*.cc")) +
                   glob.glob(os.path.join(ROOT, "services", "*", "api", "*.h")))
    if not files:
        print("no files under services/*/api", file=sys.stderr)
        return 1
    failures = 0
    for path in files:
        for length, start, header in long_functions(path):
            failures += 1
            print(f"{os.path.relpath(path, ROOT)}:{start}: {length} lines (limit {LIMIT}): {header}")
    print(f"{len(files)} files checked: {failures} functions over {LIMIT} lines")
    print(f"{len(files) - min(failures, len(files))} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
