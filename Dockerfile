# The whole system in one container, installed by the same install.sh.
#
#   docker build -t air-supervision .
#   docker run --rm -p 23023:23023 \
#       -p 127.0.0.1:23020-23022:23020-23022 \
#       -v air-supervision-data:/air-supervision/data air-supervision
#
# Inside the container the GUI and the three web UIs listen on all
# interfaces, so that published ports reach them; every other port stays on
# the container's 127.0.0.1.
FROM python:3.11-slim-bookworm

RUN apt-get update && \
    apt-get install -y --no-install-recommends nodejs npm && \
    rm -rf /var/lib/apt/lists/*

WORKDIR /air-supervision
COPY . .
RUN ./install.sh && \
    rm -rf src_js/node_modules && \
    sed -i 's#^\(    \)host: 127.0.0.1$#\1host: 0.0.0.0#' conf/gui.yaml && \
    sed -i 's#http://127.0.0.1:23020#http://0.0.0.0:23020#' \
        conf/orchestrator.yaml && \
    sed -i '/^ui:/,/^[a-z]/ s#host: 127.0.0.1#host: 0.0.0.0#' \
        conf/orchestrator.yaml conf/monitor.yaml

EXPOSE 23020 23021 23022 23023
VOLUME /air-supervision/data
# hat-orchestrator stops its components cleanly on SIGINT
STOPSIGNAL SIGINT
CMD ["./run.sh"]
