# SPDX-License-Identifier: GPL-2.0-only
# Top self-time functions of a V8 .cpuprofile (node --cpu-prof): python3 bench/top_self.py FILE [N]
import json, sys, collections
prof = json.load(open(sys.argv[1]))
n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
nodes = {x['id']: x for x in prof['nodes']}
dt = collections.Counter()
for sid, d in zip(prof['samples'], prof['timeDeltas']):
    dt[sid] += d
self_t = collections.Counter()
for nid, t in dt.items():
    cf = nodes[nid]['callFrame']
    url = cf['url'].split('/work/main/')[-1].split('node_modules/')[-1]
    self_t[f"{cf['functionName'] or '(anon)'} {url}:{cf['lineNumber'] + 1}"] += t
total = sum(self_t.values())
for k, t in self_t.most_common(n):
    print(f"{100 * t / total:5.1f}%  {t / 1000:8.1f} ms  {k}")
