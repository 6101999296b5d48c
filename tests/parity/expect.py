#!/usr/bin/python3
"""Print tests/data/parity/cases.txt lines for Dockerfiles, from BuildKit's own
front end (the bkref oracle, ../shared/tools/bkref).

usage: expect.py [--bkref PATH] FILE...
A line is FILE<TAB>LINE<TAB>TEXT when BuildKit rejects the file (LINE 0: its
error has no location; TEXT: its message without the "dockerfile parse error
on line N: " prefix), else FILE<TAB>ok<TAB>EDGES<TAB>USED where EDGES lists
kind:source>stage (sorted, "-" for none; kind copy|mount|onbuild, source
stage:N or image:REF) and USED has one 0/1 per stage (reachable from the last).
"""
import argparse, json, os, re, subprocess


def facts(d):
    if not d['ok']:
        e = d['error']
        msg = re.sub(r'^dockerfile parse error on line \d+: ', '', e['msg'])
        return '%d\t%s' % (e['lines'][0] if e['lines'] else 0, msg)
    edges, used = set(), ''
    for s in d['stages']:
        used += '1' if s['reachable'] else '0'
        for dp in s['deps']:
            k = dp['kind']
            if k == 'from':
                continue
            k = 'onbuild' if k.startswith('onbuild') else k
            if not s['reachable'] and k == 'onbuild':
                continue
            src = 'stage:%d' % dp['stage'] if dp['stage'] is not None else 'image:' + dp['image']
            edges.add('%s:%s>%d' % (k, src, s['index']))
    return 'ok\t%s\t%s' % (' '.join(sorted(edges)) or '-', used)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bkref', default=os.environ.get('BKREF', '/tmp/bkref-build/bkref'))
    ap.add_argument('files', nargs='+')
    o = ap.parse_args()
    for f in o.files:
        out = subprocess.run([o.bkref, f], capture_output=True, check=True).stdout
        print('%s\t%s' % (os.path.basename(f), facts(json.loads(out))))


if __name__ == '__main__':
    main()
