#!/usr/bin/env python3
"""Verify a RefundMesh case evidence export (R-R9) without RefundMesh.

An auditor's independent check of the JSON written by `refundctl evidence export`, following
docs/EVIDENCE.md only: hashes and RFC 6962 inclusion proofs with hashlib; the checkpoint's Ed25519
signature with the `cryptography` package when it is installed (Debian: python3-cryptography),
otherwise the signature is reported as NOT checked.

    scripts/verify-evidence-export.py r-1.json --public-key <64 hex digits>

Exit status: 0 verified, 1 a problem was found, 2 the file or the arguments could not be read.
"""

import argparse
import base64
import hashlib
import json
import sys

FORMAT = "refundmesh-case-evidence/v1"
STATEMENT_HEADER = "refundmesh-evidence-checkpoint/v1"


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def root_from_inclusion_proof(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2; None when the proof cannot belong to a tree of `size` leaves."""
    if index < 0 or index >= size or len(leaf) != 32:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if len(p) != 32 or sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def statement_text(checkpoint):
    return "%s\n%d\n%s\n%s\n%d\n" % (
        STATEMENT_HEADER,
        checkpoint["size"],
        checkpoint["head_hash"].lower(),
        checkpoint["merkle_root"].lower(),
        checkpoint["at_ms"],
    )


# Canonical JSON (docs/EVIDENCE.md): keys sorted by their UTF-8 bytes, no whitespace, integers,
# true/false, strings escaping only '"', '\\', control characters (\n, \r, \t, else \u00XX).
def canonical(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        out = ['"']
        for ch in value:
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\r":
                out.append("\\r")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 0x20:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(canonical(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise ValueError("%r is not used in evidence records" % (value,))


def strict_object(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key %r" % key)
        result[key] = value
    return result


def reject(text):
    raise ValueError("%s is not used in evidence records" % text)


def parse_entry(text):
    return json.loads(
        text,
        object_pairs_hook=strict_object,
        parse_float=reject,
        parse_constant=reject,
    )


def unhex(text, what, size=None):
    try:
        value = bytes.fromhex(text)
    except (TypeError, ValueError):
        raise ValueError("%s is not hex" % what)
    if size is not None and len(value) != size:
        raise ValueError("%s is %d bytes, not %d" % (what, len(value), size))
    return value


def read_key_file(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if len(data) == 32:
        return data
    text = data.decode("ascii", "replace").strip()
    try:
        key = bytes.fromhex(text)
        if len(key) == 32:
            return key
    except ValueError:
        pass
    key = base64.b64decode(text, validate=True)
    if len(key) != 32:
        raise ValueError("%s does not hold a 32-byte key" % path)
    return key


def check_signature(checkpoint, public_key, signature):
    """True or False when checked; None when the cryptography package is missing."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, statement_text(checkpoint).encode("utf-8"))
        return True
    except (InvalidSignature, ValueError):
        return False


def verify(export, trusted_keys, require_signature):
    """Returns (problems, notes)."""
    problems, notes = [], []
    if export.get("format") != FORMAT:
        problems.append("format is %r, not %r" % (export.get("format"), FORMAT))
    refund_id = export["refund_id"]
    checkpoint = export["checkpoint"]
    size = checkpoint["size"]
    head = unhex(checkpoint["head_hash"], "checkpoint head_hash", 32)
    root = unhex(checkpoint["merkle_root"], "checkpoint merkle_root", 32)
    public_key = unhex(checkpoint["public_key"], "checkpoint public_key", 32)
    signature = unhex(checkpoint["signature"], "checkpoint signature", 64)
    label = "checkpoint of %d entries signed at %d" % (size, checkpoint["at_ms"])

    if checkpoint.get("algorithm") != "Ed25519":
        problems.append("%s: algorithm is %r, not 'Ed25519'" % (label, checkpoint.get("algorithm")))
    signed = check_signature(checkpoint, public_key, signature)
    if signed is None:
        message = "the Ed25519 signature was NOT checked: the Python package 'cryptography' is not installed"
        (problems if require_signature else notes).append(message)
    elif not signed:
        problems.append("%s: the Ed25519 signature does not verify with key %s" % (label, public_key.hex()))
    if trusted_keys:
        if public_key not in trusted_keys:
            problems.append("%s: signed by %s, which is not a trusted key" % (label, public_key.hex()))
    else:
        notes.append("no --public-key given: signed by %s, the key the export names" % public_key.hex())

    entries = export["entries"]
    if not entries:
        problems.append("the export has no entries")
    previous = 0
    for item in entries:
        sequence = item["sequence"]
        where = "sequence %d" % sequence
        if sequence <= previous:
            problems.append("%s: entries must be in ascending sequence" % where)
        previous = max(previous, sequence)
        entry = item["entry"].encode("utf-8")
        try:
            record = parse_entry(item["entry"])
            if not isinstance(record, dict):
                raise ValueError("not an object")
            if record.get("seq") != sequence or isinstance(record.get("seq"), bool):
                problems.append("%s: the entry's JSON says seq %r" % (where, record.get("seq")))
            if record.get("refund_id") != refund_id:
                problems.append("%s: the entry's refund_id is %r, not %r" % (where, record.get("refund_id"), refund_id))
            if record.get("v") != 1:
                problems.append("%s: the entry's v is %r, not 1" % (where, record.get("v")))
            if canonical(record).encode("utf-8") != entry:
                problems.append("%s: the entry is not canonical JSON" % where)
        except ValueError as error:
            problems.append("%s: the entry is not a valid record: %s" % (where, error))
        path = [unhex(node, "%s inclusion_path" % where, None) for node in item["inclusion_path"]]
        computed = root_from_inclusion_proof(sequence - 1, size, leaf_hash(entry), path)
        if computed != root:
            problems.append(
                "%s: the inclusion path leads to %s, not the checkpoint's Merkle root %s"
                % (where, computed.hex() if computed else "nothing (wrong shape)", root.hex())
            )
        chain_hash = unhex(item["chain_hash"], "%s chain_hash" % where, 32)
        if sequence == size and chain_hash != head:
            problems.append("%s: the last entry's chain hash is not the signed head" % where)
    return problems, notes


def main():
    parser = argparse.ArgumentParser(description="Verify a RefundMesh case evidence export (docs/EVIDENCE.md).")
    parser.add_argument("export", help="the export's JSON file")
    parser.add_argument("--public-key", action="append", default=[], help="a trusted Ed25519 public key (hex)")
    parser.add_argument("--public-key-file", action="append", default=[], help="a file with a trusted public key")
    parser.add_argument(
        "--require-signature",
        action="store_true",
        help="fail when the signature cannot be checked (no 'cryptography' package)",
    )
    args = parser.parse_args()
    try:
        trusted = [unhex(key.strip(), "--public-key", 32) for key in args.public_key]
        trusted += [read_key_file(path) for path in args.public_key_file]
        with open(args.export, "rb") as handle:
            export = json.loads(handle.read().decode("utf-8"))
        problems, notes = verify(export, trusted, args.require_signature)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print("cannot read the export: %s" % (error,), file=sys.stderr)
        return 2
    for note in notes:
        print("note: " + note)
    if problems:
        print("the export of %s FAILED verification: %d problem(s)" % (export.get("refund_id"), len(problems)))
        for problem in problems:
            print("  " + problem)
        return 1
    checkpoint = export["checkpoint"]
    unsigned = any("NOT checked" in note for note in notes)
    print(
        "verified %d entries of %s against the checkpoint of %d entries (root %s)%s"
        % (
            len(export["entries"]),
            export["refund_id"],
            checkpoint["size"],
            checkpoint["merkle_root"],
            "; signature NOT checked" if unsigned else "",
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
