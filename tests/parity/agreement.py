#!/usr/bin/python3
"""Agreement with BuildKit from compare.py's per-file results (--out JSONL).

usage: agreement.py [--min-variants PCT] RESULTS.jsonl
Prints, per folder, how many files agree: compare.py's own verdict, except
that an error BuildKit does not locate (class eline-buildkit-unlocated) agrees
whatever line ours names. Exits 1 when the folder of generated variants is
below --min-variants or another folder (BuildKit's own Dockerfiles and test
snippets, the repro cases) is below 100%. Then, for the files both accept, the
linter warnings per rule: BuildKit's, ours, the same (rule and line) and the
ones only one side reports (compare.py reads ours from the "[Rule]" suffix of
the CLI's warnings, so the parser's NoEmptyContinuation is not counted).
"""
import argparse, collections, json, os, sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--min-variants', type=float, default=99.5)
    ap.add_argument('--variants', default='variants', help='name of the folder of generated variants')
    ap.add_argument('results')
    o = ap.parse_args()
    tot, agree = collections.Counter(), collections.Counter()
    lint = collections.defaultdict(collections.Counter)
    classes = collections.defaultdict(collections.Counter)
    examples = collections.defaultdict(list)
    with open(o.results) as f:
        for line in f:
            d = json.loads(line)
            folder = os.path.basename(os.path.dirname(d['file']))
            mm = [m for m in d['mismatch'] if m != 'eline-buildkit-unlocated']
            if not d['bk']['error'] and not d['atmo']['error']:
                bw = {tuple(w) for w in d['bk']['warnings']}
                aw = {tuple(w) for w in d['atmo']['warnings']}
                for w in bw:
                    lint[w[0]]['buildkit'] += 1
                for w in aw:
                    lint[w[0]]['ours'] += 1
                for w in bw & aw:
                    lint[w[0]]['same'] += 1
            tot[folder] += 1
            if mm:
                for m in mm:
                    classes[folder][m] += 1
                examples[folder].append(os.path.basename(d['file']))
            else:
                agree[folder] += 1
    ok = True
    for folder in sorted(tot):
        pct = 100.0 * agree[folder] / tot[folder]
        need = o.min_variants if folder == o.variants else 100.0
        print('parity: %-16s %5d/%-5d agree (%.2f%%, needed %.1f%%)' % (folder, agree[folder], tot[folder], pct, need))
        for c, n in classes[folder].most_common():
            print('    %-26s %d' % (c, n))
        for e in examples[folder][:5]:
            print('    e.g. %s' % e)
        ok &= pct >= need
    print('parity: linter warnings of the files both accept')
    print('    %-30s %8s %8s %8s %8s %8s' % ('rule', 'BuildKit', 'ours', 'same', 'bk-only', 'ours-only'))
    for rule in sorted(lint):
        c = lint[rule]
        print('    %-30s %8d %8d %8d %8d %8d' % (rule, c['buildkit'], c['ours'], c['same'],
                                               c['buildkit'] - c['same'], c['ours'] - c['same']))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
