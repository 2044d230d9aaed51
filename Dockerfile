# The service image: uv installs the locked dependencies (dlib comes prebuilt as dlib-bin).
FROM python:3.11-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/uv
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
COPY rules ./rules
RUN uv sync --frozen --no-dev
# Compile the fingerprint matcher's loops into the image (numba's cache beside the code): a container's first
# check-ins then wait for nothing (on another CPU model numba compiles again once, ~5 s, at start-up).
RUN /app/.venv/bin/python -c "from window_staff.biometrics import mcc; mcc.warm_up()"
ENV PATH="/app/.venv/bin:$PATH" WINDOW_STAFF_HOST=0.0.0.0 WINDOW_STAFF_PORT=8000
EXPOSE 8000
CMD ["window-staff", "serve"]
