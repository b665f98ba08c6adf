# syntax=docker/dockerfile:1
# The worker image. Build from the repository root: docker build -f docker/worker.Dockerfile -t attachments-worker .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# the Maven repository is a BuildKit cache: dependencies are downloaded once, not at every source change
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -T1 package -DskipTests -pl worker -am

FROM eclipse-temurin:17-jre
# ffmpeg makes the local optimizer's video posters (without it videos get preview UNSUPPORTED); curl for the
# compose's health check
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home attachments
COPY --from=build /src/worker/target/attachments-worker.jar /app/attachments-worker.jar
COPY --chmod=755 docker/entrypoint.sh /app/entrypoint.sh
USER 10001
# operators only: /health/liveness, /health/readiness, /prometheus
EXPOSE 8082
# secrets come in files (ATTACHMENTS_*_FILE), read into their variables by the entrypoint
ENTRYPOINT ["/app/entrypoint.sh", "java", "-XX:MaxRAMPercentage=75", "-jar", "/app/attachments-worker.jar"]
