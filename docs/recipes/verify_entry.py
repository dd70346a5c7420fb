#!/usr/bin/env python3
"""Recompute an Audit Trail entry's chain hash and Merkle leaf hash, and check an inclusion proof.

Python 3.8+, standard library only. See docs/integrity.md for the recipe this implements.
  python3 verify_entry.py hash < entries.jsonl        # lines {"content": {...}, "previous_hash": "sha256:…" | null}
  python3 verify_entry.py inclusion < proof.json      # {"leaf_index", "tree_size", "leaf_hash", "hashes", "root_hash"} (hex)
"""
import hashlib
import json
import math
import re
import sys


def jcs(v) -> str:
    """RFC 8785 (JCS) text of a JSON value: object members sorted by UTF-16 code units."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return es_number(v)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v.keys(), key=lambda k: k.encode("utf-16-be"))  # UTF-16 code units, not code points
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(v[k]) for k in keys) + "}"
    raise TypeError(f"not JSON: {type(v).__name__}")


def es_number(x: float) -> str:
    """ECMAScript Number::toString (RFC 8785 §3.2.2.3), from Python's shortest round-trip digits."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError("JSON has no NaN or Infinity")
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e21:
        return str(int(x))
    sign = "-" if x < 0 else ""
    m = re.fullmatch(r"(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?", repr(abs(x)))
    whole, frac, exp = m.group(1), m.group(2) or "", int(m.group(3) or 0)
    digits = whole + frac
    n = len(whole) + exp - (len(digits) - len(digits.lstrip("0")))  # position of the decimal point
    digits = digits.strip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return sign + mantissa + "e" + ("+" if e > 0 else "-") + str(abs(e))


def entry_hash(content: dict, previous_hash) -> str:
    """hash = "sha256:" + hex(SHA-256(UTF-8(previous_hash + canonical content)))."""
    c = jcs(content).encode("utf-8")
    return "sha256:" + hashlib.sha256((previous_hash or "").encode("utf-8") + c).hexdigest()


def leaf_hash(content: dict) -> bytes:
    """Merkle leaf hash: SHA-256(0x00 || UTF-8(canonical content))."""
    return hashlib.sha256(b"\x00" + jcs(content).encode("utf-8")).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: list):
    """RFC 9162 §2.1.3.2: the root the proof leads to, or None if it cannot be a proof for (index, size)."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list, root: bytes) -> bool:
    return root_from_inclusion_proof(index, size, leaf, proof) == root


def main(argv) -> int:
    if len(argv) == 2 and argv[1] == "hash":
        for line in sys.stdin:
            if line.strip():
                e = json.loads(line)
                out = {"canonical": jcs(e["content"]), "hash": entry_hash(e["content"], e.get("previous_hash")),
                       "leaf_hash": leaf_hash(e["content"]).hex()}
                print(json.dumps(out, ensure_ascii=False))
        return 0
    if len(argv) == 2 and argv[1] == "inclusion":
        p = json.load(sys.stdin)
        ok = verify_inclusion(p["leaf_index"], p["tree_size"], bytes.fromhex(p["leaf_hash"]),
                              [bytes.fromhex(h) for h in p["hashes"]], bytes.fromhex(p["root_hash"]))
        print("inclusion: ok" if ok else "inclusion: FAILED")
        return 0 if ok else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
