# syntax=docker/dockerfile:1
# The PrivSyn service image. One image, two roles:
#   API:    docker run -p 8000:8000 --env-file prod.env IMAGE  (the CMD below: python -m web_app.serve)
#   worker: docker run IMAGE python -m web_app.run_confirmed_job --job-id ID --job-request-key KEY
# The worker form is what AWS Batch and Cloud Run jobs execute (see docs/deployment.md). Both read the same
# PRIVSYN_* settings; remote workers need PRIVSYN_METADATA_BACKEND=postgres and PRIVSYN_STORAGE_BACKEND=s3.

# The API refuses to start on 0.0.0.0 with the default PRIVSYN_AUTH_BACKEND=none (anyone reaching the port would
# own every preview and job): give it trusted-header auth behind a proxy (docs/deployment.md), or, for a
# single-user container behind your own gate, PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE=true.

# --- stage 1: the browser UI, built only when frontend/ exists ------------------------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY . .
RUN if [ -f frontend/package.json ]; then \
        cd frontend && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm run build; \
    else \
        mkdir -p frontend/dist && echo "no frontend/ in this checkout: serving the API only"; \
    fi

# --- stage 2: the slim Python runtime with the pinned dependency set --------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRIVSYN_STATE_ROOT=/var/lib/privsyn
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY method ./method
COPY privsyn_platform ./privsyn_platform
COPY web_app ./web_app
COPY bench ./bench
RUN pip install -c constraints.txt .
COPY data ./data
COPY --from=frontend /src/frontend/dist ./frontend/dist
RUN useradd --system --uid 10001 --home-dir /var/lib/privsyn --create-home privsyn
USER privsyn
EXPOSE 8000
# python -m web_app.serve = uvicorn with --no-proxy-headers (the trusted-proxy check needs the real TCP peer),
# a 64 KiB header cap, a 5 s keep-alive and no server banner; see web_app/serve.py and docs/deployment.md.
CMD ["python", "-m", "web_app.serve", "--host", "0.0.0.0", "--port", "8000"]
