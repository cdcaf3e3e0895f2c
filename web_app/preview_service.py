"""Previews: an upload (or the bundled sample) becomes an inferred schema to review, then a confirmed job.

``create_preview`` ingests the file (size and shape limits from the settings), infers every column and
drafts the review payload in the predecessor's ``domain_data``/``info_data`` shape; the table and the
payload are kept in memory *and* persisted as a preview bundle, so ``confirm`` — and ``read_payload``, behind
``GET /previews/{preview_id}`` — work after a restart or on another API process. ``confirm`` validates the
reviewed payload, the method, its knobs and the privacy parameters *before* anything is created (a bad confirm
leaves the preview intact for a retry), prepares the table, and submits the job through
:class:`~web_app.job_service.JobService` with a time budget of at most 90 % of ``PRIVSYN_JOB_TIMEOUT_MIN``, so
a long run (AIM at a large ε) finishes gracefully before a scheduler would kill it.

Retention: a preview lives ``PRIVSYN_PREVIEW_TTL_SECONDS``; :meth:`PreviewService.purge_expired` (the API's
upkeep runs it) deletes expired previews' stored upload and payload and their rows, and
:meth:`PreviewService.delete` does the same for one preview on its owner's request.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from method.api import PrivacySpec
from privsyn_platform.auth import Principal
from privsyn_platform.errors import ConflictError, NotFoundError
from privsyn_platform.metadata_records import JobRecord, PreviewBundleRecord
from privsyn_platform.metadata_store import MetadataStore, new_id
from privsyn_platform.object_storage import ObjectStorage
from privsyn_platform.settings import Settings
from web_app.data_inference import InferenceSettings, infer_metadata
from web_app.ingestion.errors import IngestionError, check_synthesis_size
from web_app.ingestion.reader import IngestionLimits, ingest_path, ingest_upload
from web_app.job_bundle import frame_to_parquet, preview_key, read_parquet
from web_app.job_service import JobService
from web_app.review.apply import prepare_table
from web_app.review.confirm import confirm_run, kept_columns, load_json, run_privacy
from web_app.review.legacy import from_legacy
from web_app.review.payload import draft_payload
from web_app.sessions import SessionStore, frame_bytes
from web_app.synthesis_service import SynthesisRequest, check_delta, validate_request

SAMPLE_DATASETS: dict[str, Path] = {"adult": Path(__file__).resolve().parents[1] / "data" / "adult.csv.zip"}

#: Share of the job's wall-clock limit the synthesizer may use; the rest covers loading, sampling and publishing.
RUN_SHARE_OF_JOB_TIMEOUT = 0.9


@dataclass(frozen=True, slots=True)
class Preview:
    """A table waiting for its schema to be confirmed."""

    id: str
    frame: pd.DataFrame
    domain_data: dict[str, Any]
    info_data: dict[str, Any]
    params: dict[str, Any]
    null_token: str = ""  # how the input wrote missing cells; the synthetic CSV writes them the same way


def preview_bytes(preview: Preview) -> int:
    """What a cached preview takes in memory (its table; the payload is small beside it)."""
    return frame_bytes(preview.frame)


def limits_from(settings: Settings) -> IngestionLimits:
    """The upload limits of the settings. A zip or gzip may expand to at most the upload cap itself: a
    compressed upload carries no more data than an uncompressed one could (and a bomb stops there)."""
    return IngestionLimits(max_bytes=settings.max_upload_bytes, max_uncompressed_bytes=settings.max_upload_bytes,
                           max_rows=settings.max_rows, max_columns=settings.max_columns,
                           max_synthesis_columns=settings.max_synthesis_columns, max_categories=settings.max_categories)


class PreviewService:
    def __init__(self, settings: Settings, store: MetadataStore, storage: ObjectStorage, jobs: JobService,
                 previews: SessionStore[Preview]) -> None:
        self.settings, self.store, self.storage, self.jobs, self.previews = settings, store, storage, jobs, previews

    def create_preview(self, upload: BinaryIO | None, filename: str | None, dataset_name: str,
                       request: SynthesisRequest, params: dict[str, Any], principal: Principal) -> Preview:
        """Check the run parameters, then ingest and infer an upload (or the named sample without one).

        ``params`` keep what the history shows: ``dataset_name`` (the client's, else the upload's file name
        without its suffix, else the sample's name) and ``source`` (file name, rows × columns, SHA-256).
        """
        validate_request(request, allow_fixed_seed=self.settings.allow_fixed_seed)
        limits = limits_from(self.settings)
        if upload is None:
            sample = SAMPLE_DATASETS.get(dataset_name)
            if sample is None:
                raise IngestionError("no_file", f"no file was uploaded and {dataset_name!r} is not a bundled sample",
                                     hint=f"upload a CSV or ZIP, or use dataset_name={' or '.join(SAMPLE_DATASETS)}")
            ingested = ingest_path(sample, limits=limits)
        else:
            with tempfile.TemporaryDirectory(prefix="privsyn-upload-") as workdir:
                ingested = ingest_upload(upload, filename or "upload.csv", Path(workdir), limits=limits,
                                         discard_source=True)
        frame = ingested.frame
        file_name = Path(filename).name if upload is not None and filename else f"{dataset_name} (bundled sample)"
        name = params.get("dataset_name") or (Path(filename).stem if upload is not None and filename else dataset_name)
        source = {"file_name": file_name, "rows": len(frame), "columns": frame.shape[1], "sha256": ingested.sha256}
        params = {**params, "dataset_name": name, "source": source}
        inferred = infer_metadata(frame, InferenceSettings(max_categories=self.settings.max_categories))
        domain_data, info_data = draft_payload(inferred, frame, name=name or "dataset",
                                               warnings=ingested.warnings, null_token=ingested.null_token,
                                               output_format=ingested.output_format)
        preview = Preview(new_id(), frame, domain_data, info_data, params, ingested.null_token)
        self._persist(preview, principal)
        self.previews.put(preview.id, principal.subject, preview)
        return preview

    def _persist(self, preview: Preview, principal: Principal) -> None:
        table = self.storage.put_bytes(preview_key(preview.id, "input.parquet"), frame_to_parquet(preview.frame))
        payload = {"domain_data": preview.domain_data, "info_data": preview.info_data,
                   "null_token": preview.null_token}
        draft = self.storage.put_bytes(preview_key(preview.id, "payload.json"), json.dumps(payload).encode())
        self.store.create_preview_bundle(
            principal, storage_keys={"input": table.key, "payload": draft.key}, params=preview.params,
            ttl=timedelta(seconds=self.settings.preview_ttl_seconds), bundle_id=preview.id,
        )

    def get_preview(self, preview_id: str, principal: Principal) -> Preview:
        """From memory, else from the persisted bundle (NotFoundError when unknown, expired or not yours)."""
        cached = self.previews.get(preview_id, None if principal.is_admin else principal.subject)
        if cached is not None:
            return cached
        bundle = self.store.get_preview_bundle(preview_id, principal)
        frame = read_parquet(self.storage, bundle.storage_keys["input"])
        payload = json.loads(self.storage.get_bytes(bundle.storage_keys["payload"]))
        preview = Preview(preview_id, frame, payload["domain_data"], payload["info_data"], dict(bundle.params),
                          payload.get("null_token", ""))
        self.previews.put(preview_id, bundle.owner, preview)
        return preview

    def delete(self, preview_id: str, principal: Principal) -> None:
        """Delete an unexpired preview of the caller's: its stored upload and payload, its row, its cached copy
        (NotFoundError when unknown, expired or not the caller's). Jobs confirmed from it keep their own copy
        of the confirmed input until they are deleted."""
        bundle = self.store.get_preview_bundle(preview_id, principal)
        self._delete_objects(bundle)
        self.store.delete_preview_bundle(preview_id, principal)
        self.previews.discard(preview_id)

    def purge_expired(self) -> int:
        """Delete every expired preview (any owner): objects first, then the row. Returns how many."""
        expired = self.store.purge_expired_preview_bundles()
        for bundle in expired:
            self._delete_objects(bundle)
            self.previews.discard(bundle.id)
        return len(expired)

    def _delete_objects(self, bundle: PreviewBundleRecord) -> None:
        for key in {*bundle.storage_keys.values(), *self.storage.list_keys(preview_key(bundle.id, ""))}:
            try:
                self.storage.delete(key)
            except NotFoundError:
                pass

    def read_payload(self, preview_id: str, principal: Principal) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(domain_data, info_data)`` of a preview, as ``create_preview`` drafted them.

        The persisted bundle decides whether the preview exists: unknown, expired or another owner's ids raise
        NotFoundError (admins see every owner's) even while an in-memory copy lingers. The payload comes from
        memory when cached, else from the bundle's ``payload.json`` (the table itself is not read).
        """
        bundle = self.store.get_preview_bundle(preview_id, principal)
        cached = self.previews.get(preview_id, bundle.owner)
        if cached is not None:
            return cached.domain_data, cached.info_data
        payload = json.loads(self.storage.get_bytes(bundle.storage_keys["payload"]))
        return payload["domain_data"], payload["info_data"]

    def _check_dataset_limit(self, preview_id: str, privacy: PrivacySpec, principal: Principal) -> None:
        """Refuse (409, before any noise) a run that would take the dataset past PRIVSYN_DATASET_EPSILON_LIMIT."""
        limit = self.settings.dataset_epsilon_limit
        if limit is None:
            return
        spent = self.jobs.dataset_budget(preview_id)
        after = spent.adding(privacy.rho, privacy.delta - privacy.threshold_delta, privacy.threshold_delta)
        if after.epsilon > limit:
            raise ConflictError(
                f"this run would bring the dataset's cumulative ε to {after.epsilon:.3g} (δ = {after.delta:.2g}), "
                f"over its limit of {limit:g}; its {spent.jobs} earlier run(s) spent ε = {spent.epsilon:.3g}. "
                "Nothing was run (PRIVSYN_DATASET_EPSILON_LIMIT).")

    def confirm(self, preview_id: str, domain_data: Any, info_data: Any, request: SynthesisRequest,
                principal: Principal, *, display: dict[str, Any] | None = None) -> JobRecord:
        """Validate everything, then create and submit the job (the preview stays for another confirm)."""
        preview = self.get_preview(preview_id, principal)
        validate_request(request, allow_fixed_seed=self.settings.allow_fixed_seed)
        check_delta(request.delta, len(preview.frame))
        limits = limits_from(self.settings)
        domain_data, info_data = from_legacy(load_json(domain_data, "domain_data"), load_json(info_data, "info_data"),
                                             preview.domain_data)
        check_synthesis_size(kept_columns(domain_data, info_data), limits)
        self._check_dataset_limit(preview_id, run_privacy(domain_data, info_data, request), principal)
        rng = np.random.default_rng(request.seed)
        schema, story = confirm_run(domain_data, info_data, preview.frame, request, limits=limits)
        check_synthesis_size(len(schema.columns), limits)
        prepared = prepare_table(preview.frame, schema, rng)
        return self.jobs.submit(prepared, schema.metadata, request, principal, csv_format=schema.csv_format(),
                                run_limit_s=RUN_SHARE_OF_JOB_TIMEOUT * self.settings.job_timeout_min * 60,
                                story=story, confirmed={"domain_data": domain_data, "info_data": info_data},
                                display={"preview_id": preview_id, **_dataset_fields(preview.params),
                                         **(display or {})})


def _dataset_fields(params: dict[str, Any]) -> dict[str, Any]:
    """What a job shows of the preview it came from (its data set's name and source), if the preview has it."""
    return {key: params[key] for key in ("dataset_name", "source") if key in params}
