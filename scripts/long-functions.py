#!/usr/bin/env python3
"""Functions a reader cannot hold (issue 22): every function in the named crates' src/ (by
default app, store and web; not tests/ or `#[cfg(test)]` modules) longer than LIMIT lines
(120 unless the environment sets it), counted from its `fn` line to its closing brace by
matching braces outside strings, chars and comments. Exit status 1 when there is one.

    python3 scripts/long-functions.py [crate...]"""
import os, re, sys
LIMIT = int(os.environ.get('LIMIT', 120))
def strip(text):
    # blank out comments, strings and char literals, keeping newlines
    out = []; i = 0; n = len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i); j = n if j < 0 else j; out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i) + 2; out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == 'r' and re.match(r'r#*"', text[i:i+10]) and not (i and (text[i-1].isalnum() or text[i-1]=='_')):
            m = re.match(r'r(#*)"', text[i:]); end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0))) + len(end); out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            j += 1; out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == "'" :
            m = re.match(r"'(\\.|\\u\{[0-9a-fA-F]+\}|[^\\'])'", text[i:])
            if m: out.append(' ' * len(m.group(0))); i += len(m.group(0))
            else: out.append(c); i += 1
        else:
            out.append(c); i += 1
    return ''.join(out)
found = []
for crate in sys.argv[1:] or ['app', 'store', 'web']:
    for d, _, fs in os.walk(f'crates/{crate}/src'):
        for f in fs:
            if not f.endswith('.rs'): continue
            p = os.path.join(d, f)
            text = strip(open(p).read())
            cut = re.search(r'^#\[cfg\(test\)\]', text, re.M)
            if cut: text = text[:cut.start()]
            lines = text.split('\n')
            for m in re.finditer(r'\bfn\s+(\w+)', text):
                start = text.count('\n', 0, m.start())
                # find the body's opening brace (skip signature); stop at ';' (no body)
                k = m.end(); depth_paren = 0
                while k < len(text):
                    ch = text[k]
                    if ch in '(<[': depth_paren += 1
                    elif ch in ')>]': depth_paren -= 1
                    elif ch == ';' and depth_paren <= 0: k = -1; break
                    elif ch == '{' and depth_paren <= 0: break
                    k += 1
                if k < 0 or k >= len(text): continue
                depth = 0; j = k
                while j < len(text):
                    if text[j] == '{': depth += 1
                    elif text[j] == '}':
                        depth -= 1
                        if depth == 0: break
                    j += 1
                end = text.count('\n', 0, j)
                n = end - start + 1
                if n > LIMIT: found.append((n, p, start + 1, m.group(1)))
found.sort(reverse=True)
print(f'{len(found)} functions over {LIMIT} lines')
for n, p, l, name in found:
    print(f'{n:5} {p}:{l} {name}')
sys.exit(1 if found else 0)
