# manifest.json of a checkpoint folder, the format our TypeScript engine shares: written last, it lists every
# other file of the folder (sorted by name) with its size and SHA-256, so a folder that was cut short, mixed with
# another or damaged in transit is refused naming the file. Files present but not listed are ignored.
import hashlib
import json
import os

from .errors import InputError

NAME = "manifest.json"
FORMAT = "gpt1-lab-manifest"
VERSION = 1


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_json(folder, names):
    files = []
    for name in sorted(names):
        path = os.path.join(folder, name)
        files.append({"name": name, "bytes": os.path.getsize(path), "sha256": file_sha256(path)})
    return json.dumps({"format": FORMAT, "version": VERSION, "files": files}, indent=1) + "\n"


def verify_manifest(folder):
    """Checks a folder against its manifest.json; returns False when it has none (older folders)."""
    path = os.path.join(folder, NAME)
    if not os.path.exists(path):
        return False
    try:
        with open(path, "rb") as file:
            manifest = json.loads(file.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(path, f"unreadable manifest ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise InputError(path, f'not a "{FORMAT}" manifest of version {VERSION}')
    entries = manifest.get("files")
    if not isinstance(entries, list):
        raise InputError(path, "files must be a list")
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name in ("", ".", "..", NAME) or "/" in name or "\\" in name:
            raise InputError(path, f"{entry!r} does not name a file of the folder")
        listed = os.path.join(folder, name)
        if not os.path.isfile(listed):
            raise InputError(listed, "is listed in manifest.json but missing")
        size = os.path.getsize(listed)
        if size != entry.get("bytes"):
            raise InputError(listed, f"has {size} bytes, manifest.json says {entry.get('bytes')}")
        if file_sha256(listed) != entry.get("sha256"):
            raise InputError(listed, "differs from manifest.json (SHA-256 mismatch)")
    return True
