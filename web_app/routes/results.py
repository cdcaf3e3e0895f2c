"""Results: ``GET /download_synthesized_data/{session_id}`` (the job id) streams the synthetic CSV."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from web_app.auth import CurrentPrincipal
from web_app.deps import ServicesDep

router = APIRouter(tags=["results"])
CHUNK_BYTES = 1024 * 1024


@router.get("/download_synthesized_data/{session_id}", operation_id="results-download",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def download_synthesized_data(session_id: str, principal: CurrentPrincipal, services: ServicesDep) -> StreamingResponse:
    key = services.jobs.synthetic_csv_key(session_id, principal)
    stream = services.storage.open_stream(key)

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
        finally:
            stream.close()

    headers = {"Content-Disposition": f'attachment; filename="synthetic_{session_id}.csv"',
               "Content-Length": str(services.storage.size(key))}
    return StreamingResponse(chunks(), media_type="text/csv", headers=headers)
