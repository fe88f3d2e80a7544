# Autograd Explorer: one replica of the app, sized for a class.
#   docker build -t autograd-explorer .
#   docker run --rm -p 8501:8501 --cpus 2 --memory 3g autograd-explorer
# Several replicas behind a load balancer with sticky sessions: see docs/deploy.md.
FROM python:3.11-slim

# Graphviz's `dot` renders the exported SVG/PNG graphs; libseccomp is the run processes'
# system-call filter (see "Security model" in the README).
RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz libseccomp2 \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# The app runs as an unprivileged user that owns nothing it could overwrite.
RUN useradd --create-home --uid 10001 explorer
COPY . .

# Streamlit server settings for a class (they override .streamlit/config.toml):
# headless on all interfaces; uploads nearly off (the app takes none); small websocket
# messages; CORS + XSRF protection on; no file watching or run-on-save in production;
# no usage statistics; learners never see internal tracebacks.
ENV STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_MAX_UPLOAD_SIZE=1 \
    STREAMLIT_SERVER_MAX_MESSAGE_SIZE=50 \
    STREAMLIT_SERVER_ENABLE_CORS=true \
    STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_RUN_ON_SAVE=false \
    STREAMLIT_RUNNER_POST_SCRIPT_GC=false \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none \
    STREAMLIT_CLIENT_TOOLBAR_MODE=viewer

USER explorer
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["streamlit", "run", "streamlit_app.py"]
