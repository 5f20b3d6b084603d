#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Adds up insn_count.c's per-block counts per kernel function and prints
the windows of one `make profile` side by side.

  report.py DIR [TOP]

DIR holds kallsyms (the guest's /proc/kallsyms, module symbols included),
windows.tsv (LABEL BYTES per line, in order) and insns-LABEL.txt per
window. Prints each window's instructions in all and per byte moved, then
the TOP functions by instructions in any window, then the TOP by how far
the last window is from the first. A block is named by the function its
first instruction is in; user space is one line.
"""
import bisect
import collections
import os
import sys

KERNEL_START = 0xffff800000000000


def load_symbols(path):
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[1] in 'aAuU':
                continue
            addr = int(parts[0], 16)
            if addr:
                name = parts[2] + (' ' + parts[3] if len(parts) > 3 else '')
                syms.append((addr, name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def per_function(path, addrs, names):
    counts = collections.Counter()
    with open(path) as f:
        for line in f:
            vaddr, n = line.split()
            vaddr, n = int(vaddr, 16), int(n)
            if vaddr < KERNEL_START:
                counts['(user space)'] += n
                continue
            i = bisect.bisect_right(addrs, vaddr) - 1
            counts[names[i] if i >= 0 else '(unknown)'] += n
    return counts


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    addrs, names = load_symbols(os.path.join(d, 'kallsyms'))
    windows = []
    with open(os.path.join(d, 'windows.tsv')) as f:
        for line in f:
            label, nbytes = line.split()
            counts = per_function(os.path.join(d, 'insns-%s.txt' % label),
                                  addrs, names)
            windows.append((label, int(nbytes), counts))
    if not windows:
        sys.exit('report.py: no window in %s' % d)

    first_total = sum(windows[0][2].values())
    for label, nbytes, counts in windows:
        total = sum(counts.values())
        print('# %-12s %8.3f G instructions, %6.2f per byte moved, %.3f of %s'
              % (label, total / 1e9, total / max(nbytes, 1),
                 total / max(first_total, 1), windows[0][0]))

    labels = [w[0] for w in windows]
    fmt = '%-48s' + ' %12s' * len(windows)
    every = set().union(*(w[2] for w in windows))

    print('\n# top functions, million instructions per window')
    print(fmt % (('function',) + tuple(labels)))
    for name in sorted(every, key=lambda k: -max(w[2][k] for w in windows))[:top]:
        print(fmt % ((name[:48],) + tuple('%.2f' % (w[2][name] / 1e6)
                                          for w in windows)))

    if len(windows) > 1:
        a, b = windows[0], windows[-1]
        print('\n# largest differences, %s - %s, million instructions'
              % (b[0], a[0]))
        print(fmt % (('function',) + tuple(labels)) + ' %12s' % 'difference')
        for name in sorted(every, key=lambda k: -abs(b[2][k] - a[2][k]))[:top]:
            print(fmt % ((name[:48],) + tuple('%.2f' % (w[2][name] / 1e6)
                                              for w in windows))
                  + ' %+12.2f' % ((b[2][name] - a[2][name]) / 1e6))


if __name__ == '__main__':
    main()
