#!/usr/bin/env python3
"""Module cycles in the workspace's crates (issue 22): for each crate under crates/, a graph
of its top-level modules with an edge A -> B when code in A (outside comments and
`#[cfg(test)]` modules) names `crate::B` or, from a direct child of A, `super::B`; every
strongly connected component of more than one module is a cycle.

Exit status 1 when a cycle is found that is not in KNOWN (the cycles still to break, each
named by its crate and sorted modules), or when a KNOWN cycle is gone (so the list only
shrinks: remove it here)."""
import os
import re
import sys

KNOWN: set[str] = set()


def edges_of(src):
    mods = {d[:-3] if d.endswith(".rs") else d for d in os.listdir(src)}
    edges = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            if not rel:
                continue
            top = rel[0]
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            cut = re.search(r"^#\[cfg\(test\)\]", text, re.M)
            if cut:
                text = text[: cut.start()]
            text = re.sub(r"//[^\n]*", "", text)
            targets = set(re.findall(r"\bcrate::([a-z_][a-z0-9_]*)", text))
            for group in re.findall(r"\bcrate::\{([^}]*)\}", text):
                for part in group.split(","):
                    name = part.strip().split("::")[0].strip()
                    if re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                        targets.add(name)
            if len(rel) == 2:
                targets |= set(re.findall(r"\bsuper::([a-z_][a-z0-9_]*)", text))
            for t in targets:
                if t in mods and t != top:
                    edges.setdefault(top, set()).add(t)
    return edges


def cycles(edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "crates"
    found = set()
    for crate in sorted(os.listdir(root)):
        src = os.path.join(root, crate, "src")
        if os.path.isdir(src):
            for comp in cycles(edges_of(src)):
                found.add(f"{crate}: {', '.join(comp)}")
    status = 0
    for c in sorted(found - KNOWN):
        print(f"module cycle: {c}")
        status = 1
    for c in sorted(KNOWN - found):
        print(f"no longer a cycle (remove it from KNOWN in {sys.argv[0]}): {c}")
        status = 1
    for c in sorted(found & KNOWN):
        print(f"known module cycle, still to break: {c}")
    if status == 0:
        print(f"module cycles: none new ({len(found & KNOWN)} known)")
    return status


if __name__ == "__main__":
    sys.exit(main())
