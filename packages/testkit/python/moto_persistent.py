"""moto's server with state that survives a restart (`paystream up`).

moto keeps everything in memory. This launcher keeps it under PAYSTREAM_MOTO_STATE_DIR:
  * recording.jsonl: every state-changing request, written by moto's own recorder (reads and
    KMS cryptographic calls are left out); the starter replays it once the server is up.
  * kms-keys.json (0600): the id and key material of every KMS key in creation order. Replaying
    CreateKey would otherwise make a new random key, and nothing encrypted before the restart
    would decrypt; the nth key created gets the nth saved id and material instead.
Usage: python moto_persistent.py -H 127.0.0.1 -p PORT
"""

import base64
import json
import os
import sys

STATE = os.environ["PAYSTREAM_MOTO_STATE_DIR"]
os.makedirs(STATE, exist_ok=True)
# Read by moto's recorder when it is imported, so set before importing moto.
os.environ["MOTO_RECORDER_FILEPATH"] = os.path.join(STATE, "recording.jsonl")
os.environ["MOTO_ENABLE_RECORDING"] = "True"

from moto.kms import models as kms_models  # noqa: E402
from moto.moto_api._internal.recorder import models as recorder_models  # noqa: E402
from moto.server import main  # noqa: E402

KEYS_FILE = os.path.join(STATE, "kms-keys.json")
saved = []
if os.path.exists(KEYS_FILE):
    with open(KEYS_FILE) as f:
        saved = json.load(f)
created = {"n": 0, "material": None}
new_key_id = kms_models.generate_key_id
new_material = kms_models.generate_master_key


def save() -> None:
    tmp = KEYS_FILE + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(saved, f)
    os.replace(tmp, KEYS_FILE)


def key_id(multi_region: bool = False) -> str:
    # Key.__init__ asks for the id first, then for the material: pair them up here.
    n = created["n"]
    created["n"] += 1
    if n < len(saved):
        created["material"] = base64.b64decode(saved[n]["material"])
        return saved[n]["id"]
    kid = new_key_id(multi_region)
    material = new_material()
    saved.append({"id": kid, "material": base64.b64encode(material).decode("ascii")})
    save()
    created["material"] = material
    return kid


def master_key() -> bytes:
    material, created["material"] = created["material"], None
    return material if material is not None else new_material()


kms_models.generate_key_id = key_id
kms_models.generate_master_key = master_key

# Only what changes state is worth replaying: S3 writes and deletes, KMS key management.
KMS_READS = ("Encrypt", "Decrypt", "Generate", "ReEncrypt", "Describe", "List", "Get", "Sign", "Verify")
record = recorder_models.Recorder._record_request


def record_changes(self, request, body=None):  # type: ignore[no-untyped-def]
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    target = request.headers.get("X-Amz-Target", "")
    if target.startswith("TrentService.") and target.split(".", 1)[1].startswith(KMS_READS):
        return None
    return record(self, request, body)


recorder_models.Recorder._record_request = record_changes

if __name__ == "__main__":
    main(sys.argv[1:])
