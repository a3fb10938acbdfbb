"""Proof artifacts stored in the warehouse (``ops.proof_artifacts``) to resolve an incident with a file.

A proof is either a link (``--proof URL``) or a file: :func:`resolve_with_file` stores the file's bytes with its
SHA-256, then resolves the incident with the reference ``warehouse:ops.proof_artifacts/<id>`` as its proof, in
the caller's transaction. The CLI (``crmhub incidents resolve --proof-file``) and the operations console both
call it, so both leave the same rows.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from crmhub.health import incidents

MAX_BYTES = 10 * 1024 * 1024
REF_PREFIX = "warehouse:ops.proof_artifacts/"


def proof_ref(artifact_id: int) -> str:
    """The ``proof`` text an incident carries for a stored artifact."""
    return f"{REF_PREFIX}{artifact_id}"


def artifact_id_of(proof: str | None) -> int | None:
    """The artifact id in a proof reference, or None for a link/path proof."""
    if proof and proof.startswith(REF_PREFIX) and proof[len(REF_PREFIX):].isdigit():
        return int(proof[len(REF_PREFIX):])
    return None


def store_proof(conn: psycopg.Connection, incident_id: int, filename: str, content: bytes, *, by: str,
                content_type: str | None = None) -> dict:
    """Store a proof file for ``incident_id``; returns the artifact row without its content."""
    name = Path(filename or "").name.strip()
    if not name:
        raise incidents.IncidentError(f"incident {incident_id}: the proof file needs a name")
    if not content:
        raise incidents.IncidentError(f"incident {incident_id}: the proof file {name!r} is empty")
    if len(content) > MAX_BYTES:
        raise incidents.IncidentError(
            f"incident {incident_id}: the proof file {name!r} is {len(content)} bytes; the limit is {MAX_BYTES} "
            "(link to a large artifact with a URL instead)")
    if not by or not by.strip():
        raise incidents.IncidentError("storing a proof needs --by WHO")
    incidents.get_incident(conn, incident_id)  # names the id when it does not exist
    ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return conn.cursor(row_factory=dict_row).execute(
        """INSERT INTO ops.proof_artifacts (incident_id, filename, content_type, size_bytes, sha256, content,
                                            uploaded_by)
           VALUES (%s, %s, %s, %s, %s, %s, %s)
           RETURNING artifact_id, incident_id, filename, content_type, size_bytes, sha256, uploaded_by, uploaded_at""",
        (incident_id, name, ctype, len(content), hashlib.sha256(content).hexdigest(), content, by),
    ).fetchone()


def resolve_with_file(conn: psycopg.Connection, incident_id: int, filename: str, content: bytes, *, by: str,
                      content_type: str | None = None) -> dict:
    """Store the file and resolve the incident with it as proof (one transaction: the caller commits)."""
    artifact = store_proof(conn, incident_id, filename, content, by=by, content_type=content_type)
    return incidents.resolve(conn, incident_id, proof_ref(artifact["artifact_id"]), by)


def get_proof(conn: psycopg.Connection, artifact_id: int) -> dict:
    """The artifact row with its ``content`` bytes."""
    row = conn.cursor(row_factory=dict_row).execute(
        "SELECT * FROM ops.proof_artifacts WHERE artifact_id = %s", (artifact_id,)).fetchone()
    if row is None:
        raise incidents.IncidentError(f"no proof artifact {artifact_id}")
    row["content"] = bytes(row["content"])
    return row
