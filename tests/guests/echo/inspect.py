#!/usr/bin/env python3
"""Lists a wasm module's imports and exports (wasm-objdump is not installed here)."""
import sys

def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1
        r |= (x & 0x7f) << s; s += 7
        if x < 0x80:
            return r, i

def name(b, i):
    n, i = leb(b, i)
    return b[i:i + n].decode(), i + n

def main(path):
    b = open(path, 'rb').read()
    assert b[:4] == b'\0asm', 'not a wasm module'
    i = 8
    kinds = {0: 'func', 1: 'table', 2: 'memory', 3: 'global', 4: 'tag'}
    while i < len(b):
        sid = b[i]; i += 1
        size, i = leb(b, i)
        end = i + size
        if sid == 2:
            n, j = leb(b, i)
            for _ in range(n):
                mod, j = name(b, j); fld, j = name(b, j)
                kind = b[j]; j += 1
                if kind == 0: _, j = leb(b, j)
                elif kind == 1: j += 1; fl, j = leb(b, j); _, j = leb(b, j); j = leb(b, j)[1] if fl & 1 else j
                elif kind == 2: fl, j = leb(b, j); _, j = leb(b, j); j = leb(b, j)[1] if fl & 1 else j
                elif kind == 3: j += 2
                print(f'import {mod}.{fld} ({kinds.get(kind)})')
        elif sid == 7:
            n, j = leb(b, i)
            for _ in range(n):
                fld, j = name(b, j); kind = b[j]; j += 1; _, j = leb(b, j)
                print(f'export {fld} ({kinds.get(kind)})')
        i = end

main(sys.argv[1])
