# clamd with freshclam (the official image), configured from the repository's one clamd-scanning.conf.
# Build context: the repository root (docker compose -f docker/compose.yaml builds it).
FROM clamav/clamav:1.4
COPY docker/clamd-container.conf docker/clamd-scanning.conf /etc/clamav/
RUN cat /etc/clamav/clamd-container.conf /etc/clamav/clamd-scanning.conf > /etc/clamav/clamd.conf
