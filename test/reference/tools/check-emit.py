#!/usr/bin/env python3
"""Independent consistency check of the oracle's two views of a circuit.

usage: check-emit.py RAW DUMPDIR [EVERY]
  RAW     = bytes written by `c2-reference digest FILE --partition K --emit-constraints RAW`
  DUMPDIR = `c2-reference dump FILE --out D --partition K` -> D/p<K>
Checks that every constraint's terms are strictly ascending by (tag, index) (inputs first),
that SHA-256(RAW) is the digest, and (for every EVERY-th constraint, default 53) that evaluating
the encoded A/B/C on inputs.bin/aux.bin gives a.bin/b.bin/c.bin. See FORMATS.md.
"""
import hashlib, struct, sys

P = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
raw = open(sys.argv[1], 'rb').read()
d = sys.argv[2]
every = int(sys.argv[3]) if len(sys.argv) > 3 else 53
ins = open(d + '/inputs.bin', 'rb').read(); aux = open(d + '/aux.bin', 'rb').read()
A = open(d + '/a.bin', 'rb').read(); B = open(d + '/b.bin', 'rb').read(); C = open(d + '/c.bin', 'rb').read()
fe = lambda buf, i: int.from_bytes(buf[32 * i:32 * i + 32], 'little')
off = k = bad_order = zero_coef = checked = mism = 0
while off < len(raw):
    vals = []
    for _ in range(3):
        n = struct.unpack_from('<I', raw, off)[0]; off += 4
        prev = (-1, -1); acc = 0
        for _ in range(n):
            tag = raw[off]; idx = struct.unpack_from('<I', raw, off + 1)[0]
            if (tag, idx) <= prev: bad_order += 1
            prev = (tag, idx)
            if k % every == 0:
                c = int.from_bytes(raw[off + 5:off + 37], 'little')
                zero_coef += c == 0
                acc = (acc + c * (fe(ins, idx) if tag == 0 else fe(aux, idx))) % P
            off += 37
        vals.append(acc)
    if k % every == 0:
        checked += 1
        mism += (vals[0], vals[1], vals[2]) != (fe(A, k), fe(B, k), fe(C, k))
    k += 1
print(dict(constraints=k, sha256=hashlib.sha256(raw).hexdigest(), bad_order=bad_order,
           zero_coef=zero_coef, evaluated=checked, mismatches=mism))
sys.exit(0 if bad_order == 0 and zero_coef == 0 and mism == 0 else 1)
