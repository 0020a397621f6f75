#!/usr/bin/python3
"""Checks of the source tree that issue 7 asks for, run by ctest.

1. No function in services/*/api/ is longer than LIMIT lines: a handler
   reads load -> rule -> store -> emit and stays short. A function counts
   from the first line of its declaration to its closing brace; namespace
   and class bodies are looked into, not counted; strings, characters and
   comments are skipped when braces are matched.
2. No service outside the platform slices strings by position: resource
   names are types with Parse and ToString (services/<svc>/domain/names.h),
   so no substr, no find of a name part, no offsets such as `at + 9`.
"""
import glob
import os
import re
import sys

ROOT = os.environ.get("ENAMND_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
LIMIT = 60
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


FORBIDDEN = [
    (re.compile(r"\.substr\("), "substr"),
    (re.compile(r"\.(r?find|find_first_of|find_last_of)\(\s*\"[^\"]*/"), "find of a name part"),
    (re.compile(r"\b(at|pos|slash|cut)\s*\+\s*\d+"), "offset arithmetic"),
]


def source_files(pattern, exclude=None):
    files = glob.glob(os.path.join(ROOT, pattern), recursive=True)
    return sorted(f for f in files if f.endswith((".cc", ".h")) and
                  not (exclude and exclude in f))


def check_function_length():
    """Problems of check 1, and how many files it read."""
    files = source_files(os.path.join("services", "*", "api", "*"))
    problems = []
    for path in files:
        for length, start, header in long_functions(path):
            problems.append(f"{os.path.relpath(path, ROOT)}:{start}: {length} lines "
                            f"(limit {LIMIT}): {header}")
    return problems, len(files)


def check_name_slicing():
    """Problems of check 2, and how many files it read."""
    files = source_files(os.path.join("services", "*", "**", "*"),
                         exclude=os.sep + "platform" + os.sep)
    problems = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                code = line.split("//", 1)[0]
                for pattern, what in FORBIDDEN:
                    if pattern.search(code):
                        problems.append(f"{os.path.relpath(path, ROOT)}:{number}: {what}: "
                                        f"{line.strip()}")
    return problems, len(files)


def main():
    passed = failed = 0
    for check in (check_function_length, check_name_slicing):
        problems, files = check()
        for problem in problems:
            print(problem)
        ok = files > 0 and not problems
        print(f"{check.__name__}: {files} files, {len(problems)} problems: "
              f"{'ok' if ok else 'FAILED'}")
        passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
